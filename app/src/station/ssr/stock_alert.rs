//! Low-stock alerts: a station's assigned staff are told when its available packs drop to the
//! threshold (`Rules::low_stock_threshold`), and again when they recover above it: once per
//! crossing, not per booking, however many bookings race there and on however many instances.
//!
//! The state is the station row's `stock_level`. [`follow`] moves it inside the transaction
//! that changed the counts, right after [`super::bump_version_and_recount`] bumped the row (so
//! the row is locked until commit and the recount is what will be committed): the transaction
//! whose conditional write moves the level is the one, and the only one, that tells.
//!
//! Who is told: the station's assigned staff (a notification each) and every console open on
//! the station (`stock_alert`, to its staff and admins). Admins get no notification: every
//! admin for every station's every crossing would be noise that grows with the network.
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, QueryOrder, QuerySelect, entity::prelude::*};

use super::entity::{staff, station as st};
use crate::account::Role;
use crate::account::ssr::entity::user;
use crate::error::AppResult;
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, timestamp};
use crate::notification::Level;
use crate::notification::ssr::{NewNotification, notify};
use crate::station::{StationSummary, StockLevel};

/// The alerts a change set off (often none). They are the change's own events: committed with
/// it or not at all, so whoever called `bump_version_and_recount` hands them to `ctx.commit`.
#[must_use = "a change's low-stock alerts go to ctx.commit with its events: alerts.after(events)"]
#[derive(Debug, Default)]
pub struct Alerts(Vec<DomainEvent>);

impl Alerts {
    /// `events` followed by the alerts: after them, so that the change's station events keep
    /// their places (a station event's sequence number counts its position in the list).
    pub fn after(self, mut events: Vec<DomainEvent>) -> Vec<DomainEvent> {
        events.extend(self.0);
        events
    }
}

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

/// "1 pack", "2 packs".
fn packs(n: u32) -> String {
    if n == 1 {
        "1 pack".into()
    } else {
        format!("{n} packs")
    }
}

/// Moves `station`'s stock level (read as `level` after the row was locked) to where its
/// counts put it; returns the alerts when that is a crossing. Call only from
/// `bump_version_and_recount`, in the changing transaction.
pub(super) async fn follow(
    conn: &impl ConnectionTrait,
    threshold: u32,
    station: &StationSummary,
    level: Option<StockLevel>,
) -> AppResult<Alerts> {
    let available = station.counts.available;
    let Some(step) = step(level, available, threshold) else {
        return Ok(Alerts::default());
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
        return Ok(Alerts::default());
    }
    let low = step.to == StockLevel::Low;
    let name = &station.name;
    let (title, message, level) = if low {
        let text = format!("Low stock at {name}: {} left", packs(available));
        ("Low stock", text, Level::Warning)
    } else {
        let text = format!("{name} restocked: {} available", packs(available));
        ("Restocked", text, Level::Info)
    };
    let now = Utc::now();
    let mut events = vec![DomainEvent::StationStaff {
        station_id: station.id,
        message: FeedMessage::StockAlert {
            station_id: station.id,
            station_name: name.clone(),
            available_batteries: available,
            threshold,
            low,
            timestamp: timestamp(now),
        },
    }];
    for user_id in assigned_staff(conn, station.id).await? {
        let n = NewNotification {
            user_id,
            kind: "notification",
            title,
            message: &message,
            level,
            at: now,
        };
        events.push(notify(conn, n).await?);
    }
    Ok(Alerts(events))
}

/// The station's staff: users assigned to it who are staff now (an assignment left behind by
/// a change of role grants nothing, alerts included).
async fn assigned_staff(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<Vec<i32>> {
    let assigned = Query::select()
        .column(staff::Column::UserId)
        .from(staff::Entity)
        .and_where(staff::Column::StationId.eq(station_id))
        .to_owned();
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(Role::Staff))
        .filter(user::Column::Id.in_subquery(assigned))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
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

    #[test]
    fn counts_read_naturally() {
        assert_eq!(packs(1), "1 pack");
        assert_eq!(packs(0), "0 packs");
        assert_eq!(packs(2), "2 packs");
    }
}
