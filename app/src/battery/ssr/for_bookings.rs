//! What bookings do to packs after the claim (`claim/`): hand it over or put it back, check a
//! returned pack in.
use chrono::Utc;
use sea_orm::{DatabaseTransaction, entity::prelude::*};

use super::{
    NewBattery, entity, insert, resting_state, validate, validate_charge, validate_serial,
};
use crate::battery::BatteryState;
use crate::error::{AppError, AppResult};

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
