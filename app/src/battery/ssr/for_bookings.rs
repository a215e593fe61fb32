//! What bookings do to packs: claim one, hand it over or put it back, check a returned pack in.
use chrono::Utc;
use sea_orm::sea_query::{ExprTrait, LockBehavior, LockType, Order, Query, SimpleExpr};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, TransactionTrait, entity::prelude::*,
};

use super::{
    NewBattery, entity, insert, resting_state, validate, validate_charge, validate_serial,
};
use crate::battery::BatteryState;
use crate::error::{AppError, AppResult};

/// Claims the best-charged available pack at `station_id` (of `model`, when given) for a
/// booking, or nothing. `also` is a further condition the claim needs (the station is online),
/// checked in the same statement so nothing can change between the check and the claim.
///
/// SQLite (writers serialised): one conditional `UPDATE … WHERE id IN (pick) AND state =
/// 'available'`, a write first, so no read lock is ever upgraded (which fails with SQLITE_BUSY).
///
/// PostgreSQL: first lock exactly one row with `SELECT … FOR UPDATE SKIP LOCKED`, so
/// concurrent bookings take different batteries instead of queueing on one (and only when
/// every free one is locked, wait for one), then update that row. (A locking subquery inside `IN (…)` is not safe there: the planner may run it once per
/// outer row and claim many batteries.) On both, the update re-checks `state = 'available'`
/// and more than one claimed row aborts the transaction; on PostgreSQL a lost race picks again.
pub async fn claim_for_booking(
    txn: &DatabaseTransaction,
    station_id: i32,
    min_charge: i16,
    model: Option<&str>,
    also: SimpleExpr,
) -> AppResult<Option<entity::Model>> {
    use entity::{Column, Entity};
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    let of_model = match model {
        Some(m) => Expr::col(Column::Model).eq(m),
        None => Expr::val(true),
    };
    for _ in 0..8 {
        // PostgreSQL: the savepoint the found pack was locked in, to claim it in (below).
        let mut found_in = None;
        let free = Query::select()
            .column(Column::Id)
            .from(Entity)
            .and_where(Expr::col(Column::StationId).eq(station_id))
            .and_where(Expr::col(Column::State).eq(BatteryState::Available))
            .and_where(Expr::col(Column::ChargePercent).gte(min_charge))
            .and_where(of_model.clone())
            .and_where(also.clone())
            .limit(1)
            .to_owned();
        let pick = free
            .clone()
            .order_by(Column::ChargePercent, Order::Desc)
            .order_by(Column::Id, Order::Asc)
            .to_owned();
        let target = if postgres {
            let mut skipping = pick.clone();
            skipping.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            let backend = txn.get_database_backend();
            // The look locks, and then skips, packs booked since it started (it rechecks the
            // newest version of a row it locks): held into the wait below, those locks let
            // two waiting bookings deadlock, each holding a pack the other's scan reached. So
            // it runs in a savepoint, rolled back when it finds none: the wait holds nothing.
            let look = txn.begin().await?;
            let found = look.query_one_raw(backend.build(&skipping)).await?;
            let row = match found {
                Some(row) => {
                    found_in = Some(look);
                    Some(row)
                }
                // Every free pack is locked: by other bookings, or by a short write that
                // leaves it free (a staff edit, a device's report). Wait for one rather than
                // answer "none" while packs are free; a pack the holder took no longer
                // matches when its lock is released, and the scan goes on to the next. In
                // pack-id order, the order a report writes in: a row that fails the recheck
                // stays locked, and two scans in different orders would deadlock.
                None => {
                    look.rollback().await?;
                    let mut waiting = free.clone();
                    waiting
                        .order_by(Column::Id, Order::Asc)
                        .lock(LockType::Update);
                    txn.query_one_raw(backend.build(&waiting)).await?
                }
            };
            match row {
                Some(row) => Expr::col(Column::Id).eq(row.try_get::<i32>("", "id")?),
                None => return Ok(None),
            }
        } else {
            Expr::col(Column::Id).in_subquery(pick)
        };
        let mut claimed_rows = Entity::update_many()
            .col_expr(Column::State, Expr::value(BatteryState::Booked))
            .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(target)
            .filter(Column::State.eq(BatteryState::Available))
            // Claimed where it was locked: a row locked by a savepoint and updated by its
            // parent would need a MultiXact in PostgreSQL to record both.
            .exec_with_returning(found_in.as_ref().unwrap_or(txn))
            .await?;
        if let Some(look) = found_in {
            look.commit().await?;
        }
        if claimed_rows.len() > 1 {
            tracing::error!(
                station_id,
                claimed = claimed_rows.len(),
                "a booking claimed several batteries; rolled back"
            );
            return Err(AppError::Internal);
        }
        let claimed = claimed_rows.pop();
        // On SQLite the pick and the claim are one statement under the one write lock: nothing
        // can have taken the pack in between, so none claimed means none free.
        if claimed.is_some() || !postgres {
            return Ok(claimed);
        }
        let still_free = Entity::find()
            .filter(Column::StationId.eq(station_id))
            .filter(Column::State.eq(BatteryState::Available))
            .filter(Column::ChargePercent.gte(min_charge))
            .filter(of_model.clone())
            .one(txn)
            .await?;
        if still_free.is_none() {
            return Ok(None);
        }
    }
    Ok(None)
}

/// A booked pack leaves with its rider (`collected`), or goes back on the shelf
/// (`available`) when its booking is cancelled or expires. Returns the pack as moved (`None`
/// if it was not booked), for the booking's view.
pub async fn set_booked_pack(
    txn: &DatabaseTransaction,
    battery_id: i32,
    to: BatteryState,
) -> AppResult<Option<entity::Model>> {
    debug_assert!(matches!(
        to,
        BatteryState::Collected | BatteryState::Available
    ));
    Ok(entity::Entity::update_many()
        .col_expr(entity::Column::State, Expr::value(to))
        .col_expr(entity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(entity::Column::Id.eq(battery_id))
        .filter(entity::Column::State.eq(BatteryState::Booked))
        .exec_with_returning(txn)
        .await?
        .pop())
}

/// The pack a rider hands back when collecting: checked in at the station.
#[derive(Debug, Clone)]
pub struct ReturnedPack {
    pub serial: String,
    /// Needed only for a pack the network has not seen before.
    pub model: String,
    pub charge_percent: i16,
}

/// Checks what the counter typed about a returned pack, before anything else happens, so a
/// typo is a plain 400 whatever else is wrong.
pub fn check_returned(pack: &ReturnedPack) -> AppResult<()> {
    if !pack.serial.trim().is_empty() {
        validate_serial(&pack.serial)?;
    }
    crate::text::line("A battery model", &pack.model, 120, false)?;
    validate_charge(pack.charge_percent)
}

/// Checks a returned pack in at `station_id`: `charging`, or `available` when charged enough.
/// A pack of ours must be out with a rider (`collected`); an unknown serial is a new pack.
/// Returns the serial checked in, or `None` when no pack was named.
pub async fn check_in(
    txn: &DatabaseTransaction,
    station_id: i32,
    pack: ReturnedPack,
    min_charge_percent: i16,
) -> AppResult<Option<String>> {
    let serial = pack.serial.trim().to_string();
    if serial.is_empty() {
        return Ok(None);
    }
    validate_charge(pack.charge_percent)?;
    let state = resting_state(pack.charge_percent, min_charge_percent);
    let moved = entity::Entity::update_many()
        .col_expr(entity::Column::StationId, Expr::value(station_id))
        .col_expr(entity::Column::State, Expr::value(state))
        .col_expr(
            entity::Column::ChargePercent,
            Expr::value(pack.charge_percent),
        )
        .col_expr(entity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(entity::Column::Serial.eq(serial.clone()))
        .filter(entity::Column::State.eq(BatteryState::Collected))
        .exec(txn)
        .await?;
    if moved.rows_affected == 0 {
        if let Some(known) = entity::Entity::find()
            .filter(entity::Column::Serial.eq(serial.clone()))
            .one(txn)
            .await?
        {
            // Where the pack is, and with whom, is none of the counter's business.
            tracing::info!(
                serial,
                state = known.state.as_str(),
                at = known.station_id,
                "check-in refused"
            );
            return Err(AppError::validation(format!(
                "Pack {serial} cannot be checked in: it is not out with a rider."
            )));
        }
        let new = NewBattery {
            station_id,
            serial: serial.clone(),
            model: pack.model,
            charge_percent: pack.charge_percent,
        };
        validate(&new)?;
        insert(txn, &new, state).await?;
    }
    Ok(Some(serial))
}
