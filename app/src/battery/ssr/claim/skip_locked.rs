//! PostgreSQL's claim: concurrent bookings must take different packs instead of queueing on
//! one. One conditional `UPDATE` whose pick is a scalar subquery locking exactly one row
//! (`= (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED)`: run once, unlike a locking subquery inside
//! `IN (…)`, which the planner may run once per outer row and so claim many packs). Only when
//! every free pack is locked, or none is left, does the change begin again and wait for one.
use sea_orm::sea_query::{LockBehavior, LockType, Order};
use sea_orm::{ExprTrait, entity::prelude::*};

use super::{Wanted, claim_where, one_claimed};
use crate::battery::ssr::entity::{self, Column};
use crate::change::Change;
use crate::error::AppResult;

pub(super) async fn claim(
    change: Change,
    wanted: &Wanted<'_>,
) -> AppResult<(Change, Option<entity::Model>)> {
    let mut skipping = wanted.best();
    skipping.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    let claimed = claim_where(Expr::col(Column::Id).eq(skipping))
        .exec_with_returning(change.txn())
        .await?;
    if let Some(pack) = one_claimed(wanted.station_id, claimed)? {
        return Ok((change, Some(pack)));
    }
    // Every free pack is locked: by other bookings, or by a short write that leaves it free
    // (a staff edit, a device's report); or none is free. Wait for one rather than answer
    // "none" while packs are free. The pick above may have locked, and then skipped, packs
    // booked since it started (it rechecks the newest version of a row it locks): held into
    // the wait, those locks let two waiting bookings deadlock, each holding a pack the other's
    // scan reached. So the change begins again, holding nothing, and waits in pack-id order,
    // the order a report writes in: a row that fails the recheck stays locked, and two scans
    // in different orders would deadlock. A pack its holder took no longer matches when its
    // lock is released, and the scan goes on to the next.
    let change = change.restart().await?;
    let mut waiting = wanted.free();
    waiting
        .order_by(Column::Id, Order::Asc)
        .lock(LockType::Update);
    let claimed = claim_where(Expr::col(Column::Id).eq(waiting))
        .exec_with_returning(change.txn())
        .await?;
    let pack = one_claimed(wanted.station_id, claimed)?;
    Ok((change, pack))
}
