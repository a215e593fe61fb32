//! Battery rows: the only module that writes them (server only).
//!
//! Bookings claim, hand over and put back packs, and check returned packs in, through the
//! functions here; station inventory changes add and edit packs through them too. None of
//! them opens a transaction or publishes: the caller's transaction holds the whole change, and
//! the caller (which knows the station's new counts) announces it after commit.
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseTransaction, QueryOrder, QuerySelect,
    entity::prelude::*,
};
use std::collections::HashMap;

pub mod claim;
pub mod entity;
mod for_bookings;
mod readings;

pub use claim::{PackClaim, Wanted, claim_pack};
pub use for_bookings::{ReturnedPack, check_in, check_returned, set_booked_pack};
pub use readings::{Applied, ReadingChange, apply_readings, check_readings};

use super::rules::settable;
use super::{BatteryState, BatteryView, PackLabel};
use crate::error::{AppError, AppResult};
use crate::station::{ModelCounts, StationCounts};

impl From<entity::Model> for BatteryView {
    fn from(m: entity::Model) -> Self {
        BatteryView {
            id: m.id,
            station_id: m.station_id,
            state: m.state,
            serial: m.serial,
            model: m.model,
            charge_percent: m.charge_percent,
        }
    }
}

pub async fn find(conn: &impl ConnectionTrait, battery_id: i32) -> AppResult<entity::Model> {
    entity::Entity::find_by_id(battery_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Battery"))
}

/// Every pack model the network holds (not retired), by name: what a rider can choose from.
pub async fn models(conn: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    use entity::{Column, Entity};
    Ok(Entity::find()
        .select_only()
        .column(Column::Model)
        .filter(Column::State.ne(BatteryState::Retired))
        .distinct()
        .order_by_asc(Column::Model)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The batteries physically at a station (not collected or retired), best charged first.
pub async fn at_station(
    conn: &impl ConnectionTrait,
    station_id: i32,
) -> AppResult<Vec<BatteryView>> {
    Ok(entity::Entity::find()
        .filter(entity::Column::StationId.eq(station_id))
        .filter(entity::Column::State.is_not_in([BatteryState::Collected, BatteryState::Retired]))
        .order_by_desc(entity::Column::ChargePercent)
        .order_by_asc(entity::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(BatteryView::from)
        .collect())
}

/// The labels of the packs at a station, in serial order (the order they are stuck on).
pub async fn labels(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<Vec<PackLabel>> {
    let mut packs = at_station(conn, station_id).await?;
    packs.sort_by(|a, b| a.serial.cmp(&b.serial));
    Ok(packs.into_iter().map(PackLabel::of).collect())
}

/// Counts per station (all, or `only` one), with the available ones per model, from one
/// grouped query over the battery rows.
pub async fn counts_by_station(
    conn: &impl ConnectionTrait,
    only: Option<i32>,
) -> AppResult<HashMap<i32, (StationCounts, ModelCounts)>> {
    counts_of(conn, only.map(|id| vec![id])).await
}

/// [`counts_by_station`] for the stations `ids` (a nearby query's few).
pub async fn counts_at(
    conn: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> AppResult<HashMap<i32, (StationCounts, ModelCounts)>> {
    counts_of(conn, Some(ids)).await
}

/// The stations holding a charged, free pack of `model` now, as a subquery of their ids (for
/// a station query's `IN`): which packs count as bookable is this module's to say.
pub fn stations_holding(model: &str) -> sea_orm::sea_query::SelectStatement {
    use entity::{Column, Entity};
    sea_orm::sea_query::Query::select()
        .column(Column::StationId)
        .from(Entity)
        .and_where(Column::State.eq(BatteryState::Available))
        .and_where(Column::Model.eq(model))
        .to_owned()
}

async fn counts_of(
    conn: &impl ConnectionTrait,
    only: Option<Vec<i32>>,
) -> AppResult<HashMap<i32, (StationCounts, ModelCounts)>> {
    use entity::{Column, Entity};
    let mut query = Entity::find()
        .select_only()
        .column(Column::StationId)
        .column(Column::State)
        .column(Column::Model)
        .column_as(Column::Id.count(), "n")
        .group_by(Column::StationId)
        .group_by(Column::State)
        .group_by(Column::Model);
    if let Some(ids) = only {
        query = query.filter(Column::StationId.is_in(ids));
    }
    let rows: Vec<(i32, BatteryState, String, i64)> = query.into_tuple().all(conn).await?;
    let mut out: HashMap<i32, (StationCounts, ModelCounts)> = HashMap::new();
    for (station_id, state, model, n) in rows {
        let (c, by_model) = out.entry(station_id).or_default();
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        match state {
            BatteryState::Available => {
                c.available += n;
                *by_model.entry(model).or_default() += n;
            }
            BatteryState::Booked => c.booked += n,
            BatteryState::Charging => c.charging += n,
            BatteryState::Maintenance => c.maintenance += n,
            BatteryState::Collected | BatteryState::Retired => continue,
        }
        c.total += n;
    }
    Ok(out)
}

pub struct NewBattery {
    pub station_id: i32,
    pub serial: String,
    pub model: String,
    pub charge_percent: i16,
}

/// Validates user input for a new battery.
fn validate(new: &NewBattery) -> AppResult<()> {
    validate_serial(&new.serial)?;
    crate::text::line("A battery model", &new.model, 120, true)?;
    validate_charge(new.charge_percent)
}

fn validate_serial(serial: &str) -> AppResult<()> {
    let serial = serial.trim();
    if serial.is_empty()
        || serial.len() > 64
        || !serial
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::validation(
            "A serial is 1 to 64 letters, digits, '-' or '_'.",
        ));
    }
    Ok(())
}

fn validate_charge(charge_percent: i16) -> AppResult<()> {
    if (0..=100).contains(&charge_percent) {
        Ok(())
    } else {
        Err(AppError::validation(
            "Charge is a percentage from 0 to 100.",
        ))
    }
}

/// Where a pack at rest belongs: `available` when charged enough to book, else `charging`.
fn resting_state(charge_percent: i16, min_charge_percent: i16) -> BatteryState {
    if charge_percent >= min_charge_percent {
        BatteryState::Available
    } else {
        BatteryState::Charging
    }
}

/// Inserts a validated battery. A taken serial and an unknown station are the caller's errors.
async fn insert(
    conn: &impl ConnectionTrait,
    new: &NewBattery,
    state: BatteryState,
) -> AppResult<entity::Model> {
    let now = Utc::now();
    let inserted = entity::ActiveModel {
        station_id: Set(new.station_id),
        serial: Set(new.serial.trim().to_string()),
        model: Set(new.model.trim().to_string()),
        charge_percent: Set(new.charge_percent),
        state: Set(state),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await;
    inserted.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => AppError::not_found("Station"),
        _ => crate::error::unique_or(e, AppError::DuplicateSerial),
    })
}

/// Adds a pack to a station: `available` when charged enough to book, else `charging`.
pub async fn add(
    conn: &impl ConnectionTrait,
    new: &NewBattery,
    min_charge_percent: i16,
) -> AppResult<entity::Model> {
    validate(new)?;
    insert(
        conn,
        new,
        resting_state(new.charge_percent, min_charge_percent),
    )
    .await
}

/// A staff edit of one pack: its state and charge before and after.
pub struct Edited {
    pub before: entity::Model,
    pub after: entity::Model,
}

/// Changes a pack's state and/or charge, as staff may. `available` needs the booking threshold
/// of charge; a pack charged below it is `charging`. A booked or collected pack belongs to its
/// booking. The write is conditional on the state `current` was read in: a booking that
/// claimed the pack meanwhile wins.
pub async fn edit(
    txn: &DatabaseTransaction,
    current: entity::Model,
    state: Option<BatteryState>,
    charge_percent: Option<i16>,
    min_charge_percent: i16,
) -> AppResult<Edited> {
    let from = current.state;
    if matches!(from, BatteryState::Booked | BatteryState::Collected) {
        return Err(AppError::validation(format!(
            "This battery is {}; its booking decides what happens to it.",
            from.as_str()
        )));
    }
    if let Some(to) = state.filter(|s| !settable(*s)) {
        return Err(AppError::validation(format!(
            "Staff cannot set a battery to {}.",
            to.as_str()
        )));
    }
    let charge = charge_percent.unwrap_or(current.charge_percent);
    validate_charge(charge)?;
    let mut to = state.unwrap_or(from);
    if to == BatteryState::Available && charge < min_charge_percent {
        if state == Some(BatteryState::Available) {
            return Err(AppError::validation(format!(
                "A battery is available only when charged to {min_charge_percent}% or more."
            )));
        }
        to = BatteryState::Charging;
    }
    let changed = entity::Entity::update_many()
        .col_expr(entity::Column::State, Expr::value(to))
        .col_expr(entity::Column::ChargePercent, Expr::value(charge))
        .col_expr(entity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(entity::Column::Id.eq(current.id))
        .filter(entity::Column::State.eq(from))
        .exec(txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::validation(
            "The battery changed meanwhile; reload and try again.",
        ));
    }
    let after = find(txn, current.id).await?;
    Ok(Edited {
        before: current,
        after,
    })
}
