//! Low-stock alerts: a station's assigned staff are told when its available packs drop to the
//! threshold (`Rules::low_stock_threshold`), and again when they recover above it: once per
//! crossing, not per booking, however many bookings race there and on however many instances.
//!
//! The state is the station row's `stock_level`. [`follow`] moves it inside the transaction
//! that changed the counts, right after [`super::version::bump_version_and_recount`] bumped the
//! row (so the row is locked until commit and the recount is what will be committed): the
//! transaction whose conditional write moves the level is the one, and the only one, that tells.
//!
//! Who is told: the station's assigned staff (a notification each) and every console open on
//! the station (`stock_alert`, to its staff and admins). Admins get no notification: every
//! admin for every station's every crossing would be noise that grows with the network.
use sea_orm::{ConnectionTrait, entity::prelude::*};

use super::entity::station as st;
use crate::account::ssr::assignments::assigned_staff;
use crate::change::event::Event;
use crate::error::AppResult;
use crate::station::{StationSummary, StockLevel};

/// Where a change takes a station's stock level, and whether its staff hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    pub to: StockLevel,
    pub tell: bool,
}

/// The step from `level` once `available` packs are left; `None` when the level stays.
///
/// A station with no level yet (new, being filled) only takes one when it first goes above the
/// threshold, silently: a pack added to an empty station is no "drop". A threshold of 0 turns
/// alerts off (levels stay as they are, and the console shows no banner).
pub(super) fn step(level: Option<StockLevel>, available: u32, threshold: u32) -> Option<Step> {
    if threshold == 0 {
        return None;
    }
    let low = available <= threshold;
    let (to, tell) = match (level, low) {
        (Some(StockLevel::Stocked), true) => (StockLevel::Low, true),
        (Some(StockLevel::Low), false) => (StockLevel::Stocked, true),
        (None, false) => (StockLevel::Stocked, false),
        (Some(StockLevel::Stocked), false) | (Some(StockLevel::Low), true) | (None, true) => {
            return None;
        }
    };
    Some(Step { to, tell })
}

/// Moves `station`'s stock level (read as `level` after the row was locked) to where its
/// counts put it; returns the crossing, if it is one, for the change to raise (its staff are
/// told by `feed::ssr::projection`). Call only from
/// `version::bump_version_and_recount`, in the changing transaction.
pub(super) async fn follow(
    conn: &impl ConnectionTrait,
    threshold: u32,
    station: &StationSummary,
    level: Option<StockLevel>,
) -> AppResult<Option<Event>> {
    let Some(step) = step(level, station.counts.available, threshold) else {
        return Ok(None);
    };
    // Conditional, although the row is ours until commit: a level moved by anyone else
    // (a manual fix in the database) is never told twice.
    let was = match level {
        Some(l) => st::Column::StockLevel.eq(l),
        None => st::Column::StockLevel.is_null(),
    };
    let moved = st::Entity::update_many()
        .col_expr(st::Column::StockLevel, Expr::value(step.to))
        .filter(st::Column::Id.eq(station.id))
        .filter(was)
        .exec(conn)
        .await?;
    if moved.rows_affected != 1 || !step.tell {
        return Ok(None);
    }
    Ok(Some(Event::StockCrossed {
        station: station.clone(),
        low: step.to == StockLevel::Low,
        threshold,
        staff: assigned_staff(conn, station.id).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use StockLevel::{Low, Stocked};

    #[test]
    fn one_step_per_crossing_each_way() {
        let to = |to, tell| Some(Step { to, tell });
        // Dropping to the threshold is the crossing; further down is not another.
        assert_eq!(step(Some(Stocked), 3, 2), None);
        assert_eq!(step(Some(Stocked), 2, 2), to(Low, true));
        assert_eq!(step(Some(Low), 1, 2), None);
        assert_eq!(step(Some(Low), 0, 2), None);
        assert_eq!(step(Some(Low), 2, 2), None);
        // Back above it: restocked, once.
        assert_eq!(step(Some(Low), 3, 2), to(Stocked, true));
        // A skip over the threshold in one change (a batch edit) is still one crossing.
        assert_eq!(step(Some(Stocked), 0, 2), to(Low, true));
    }

    #[test]
    fn a_new_station_being_filled_is_not_a_drop() {
        assert_eq!(step(None, 0, 2), None);
        assert_eq!(step(None, 2, 2), None);
        assert_eq!(
            step(None, 3, 2),
            Some(Step {
                to: Stocked,
                tell: false
            })
        );
    }

    #[test]
    fn threshold_zero_is_off() {
        for level in [None, Some(Stocked), Some(Low)] {
            for available in [0, 1, 5] {
                assert_eq!(step(level, available, 0), None);
            }
        }
    }
}
