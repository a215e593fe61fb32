//! PostgreSQL's claim: concurrent bookings must take different packs instead of queueing on
//! one. First lock exactly one row (`SELECT … FOR UPDATE SKIP LOCKED`), then update that row;
//! only when every free pack is locked, wait for one. (A locking subquery inside `IN (…)` is
//! not safe there: the planner may run it once per outer row and claim many packs.) A lost
//! race (the pack was taken before the update) picks again, a few times.
use chrono::Utc;
use sea_orm::sea_query::{LockBehavior, LockType, Order};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait, entity::prelude::*};

use super::{Wanted, one_claimed};
use crate::battery::BatteryState;
use crate::battery::ssr::entity::{self, Column, Entity};
use crate::error::AppResult;

/// Picks before giving up: each lost race means another booking took the pack.
const TRIES: usize = 8;

pub(super) async fn claim(
    txn: &DatabaseTransaction,
    wanted: &Wanted<'_>,
) -> AppResult<Option<entity::Model>> {
    let backend = txn.get_database_backend();
    for _ in 0..TRIES {
        let mut skipping = wanted.best();
        skipping.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        // The look locks, and then skips, packs booked since it started (it rechecks the
        // newest version of a row it locks): held into the wait below, those locks let two
        // waiting bookings deadlock, each holding a pack the other's scan reached. So it runs
        // in a savepoint, rolled back when it finds none: the wait holds nothing.
        let look = txn.begin().await?;
        let found = look.query_one_raw(backend.build(&skipping)).await?;
        let (row, found_in) = match found {
            Some(row) => (Some(row), Some(look)),
            // Every free pack is locked: by other bookings, or by a short write that leaves it
            // free (a staff edit, a device's report). Wait for one rather than answer "none"
            // while packs are free; a pack the holder took no longer matches when its lock is
            // released, and the scan goes on to the next. In pack-id order, the order a report
            // writes in: a row that fails the recheck stays locked, and two scans in different
            // orders would deadlock.
            None => {
                look.rollback().await?;
                let mut waiting = wanted.free();
                waiting
                    .order_by(Column::Id, Order::Asc)
                    .lock(LockType::Update);
                (txn.query_one_raw(backend.build(&waiting)).await?, None)
            }
        };
        let Some(row) = row else {
            return Ok(None);
        };
        let id = row.try_get::<i32>("", "id")?;
        let claimed = Entity::update_many()
            .col_expr(Column::State, Expr::value(BatteryState::Booked))
            .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(Column::Id.eq(id))
            .filter(Column::State.eq(BatteryState::Available))
            // Claimed where it was locked: a row locked by a savepoint and updated by its
            // parent would need a MultiXact in PostgreSQL to record both.
            .exec_with_returning(found_in.as_ref().unwrap_or(txn))
            .await?;
        if let Some(look) = found_in {
            #[expect(
                clippy::disallowed_methods,
                reason = "a savepoint's release inside the booking's change, not a commit"
            )]
            look.commit().await?;
        }
        if let Some(pack) = one_claimed(wanted.station_id, claimed)? {
            return Ok(Some(pack));
        }
        // Taken since it was locked: is any still free?
        let still_free = Entity::find()
            .filter(Column::StationId.eq(wanted.station_id))
            .filter(Column::State.eq(BatteryState::Available))
            .filter(Column::ChargePercent.gte(wanted.min_charge))
            .filter(wanted.of_model())
            .one(txn)
            .await?;
        if still_free.is_none() {
            return Ok(None);
        }
    }
    Ok(None)
}
