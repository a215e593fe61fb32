//! Battery persistence and domain operations (server only).
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, QueryOrder, TransactionTrait, entity::prelude::*,
};

use super::rules::settable;
use super::{BatteryState, BatteryView};
use crate::account::CurrentUser;
use crate::audit::ssr::{self as audit, Actor};
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::ssr::Ctx;
use crate::station;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "batteries")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub station_id: i32,
        pub serial: String,
        pub model: String,
        pub charge_percent: i16,
        pub state: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub fn view(m: entity::Model) -> BatteryView {
    BatteryView {
        id: m.id,
        station_id: m.station_id,
        state: BatteryState::parse(&m.state).unwrap_or(BatteryState::Maintenance),
        serial: m.serial,
        model: m.model,
        charge_percent: m.charge_percent,
    }
}

/// The batteries physically at a station (not collected or retired), best charged first.
pub async fn at_station(
    conn: &impl ConnectionTrait,
    station_id: i32,
) -> AppResult<Vec<BatteryView>> {
    let gone = [
        BatteryState::Collected.as_str(),
        BatteryState::Retired.as_str(),
    ];
    Ok(entity::Entity::find()
        .filter(entity::Column::StationId.eq(station_id))
        .filter(entity::Column::State.is_not_in(gone))
        .order_by_desc(entity::Column::ChargePercent)
        .order_by_asc(entity::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub struct NewBattery {
    pub station_id: i32,
    pub serial: String,
    pub model: String,
    pub charge_percent: i16,
}

/// Validates user input for a new battery.
pub(crate) fn validate(new: &NewBattery) -> AppResult<()> {
    let serial = new.serial.trim();
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
    let model = new.model.trim();
    if model.is_empty() || model.len() > 120 {
        return Err(AppError::validation(
            "A battery model is 1 to 120 characters.",
        ));
    }
    validate_charge(new.charge_percent)
}

pub(crate) fn validate_charge(charge_percent: i16) -> AppResult<()> {
    if (0..=100).contains(&charge_percent) {
        Ok(())
    } else {
        Err(AppError::validation(
            "Charge is a percentage from 0 to 100.",
        ))
    }
}

/// Where a pack at rest belongs: `available` when charged enough to book, else `charging`.
pub(crate) fn resting_state(charge_percent: i16, min_charge_percent: i16) -> BatteryState {
    if charge_percent >= min_charge_percent {
        BatteryState::Available
    } else {
        BatteryState::Charging
    }
}

/// Inserts a validated battery. A taken serial and an unknown station are the caller's errors.
pub(crate) async fn insert(
    conn: &impl ConnectionTrait,
    new: &NewBattery,
    state: BatteryState,
    at: chrono::DateTime<Utc>,
) -> AppResult<entity::Model> {
    let inserted = entity::ActiveModel {
        station_id: Set(new.station_id),
        serial: Set(new.serial.trim().to_string()),
        model: Set(new.model.trim().to_string()),
        charge_percent: Set(new.charge_percent),
        state: Set(state.as_str().into()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(conn)
    .await;
    inserted.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::DuplicateSerial,
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => AppError::not_found("Station"),
        _ => e.into(),
    })
}

/// Adds a battery to a station: `available` when charged enough to book, else `charging`.
/// Announces `battery_added` and `inventory_update(add)`.
pub async fn add(ctx: &Ctx, actor: &CurrentUser, new: NewBattery) -> AppResult<BatteryView> {
    station::ssr::authorize_manage(actor, new.station_id)?;
    validate(&new)?;
    let state = resting_state(new.charge_percent, ctx.rules.min_charge_percent);
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let model = insert(&txn, &new, state, now).await?;
    let summary = station::ssr::changed(&txn, new.station_id).await?;
    let c = summary.counts;
    let ts = timestamp(now);
    let events = vec![
        DomainEvent::at(
            &summary,
            FeedMessage::BatteryAdded {
                station_id: summary.id,
                station_name: summary.name.clone(),
                battery_id: model.id,
                available_batteries: c.available,
                total_batteries: c.total,
                booked_batteries: Some(c.booked),
                timestamp: ts.clone(),
            },
        ),
        DomainEvent::inventory(&summary, InventoryAction::Add, ts),
    ];
    let detail = format!(
        "{} ({}, {}%)",
        model.serial, model.model, model.charge_percent
    );
    audit::record(
        &txn,
        Actor::User(actor),
        Some(summary.id),
        "battery_added",
        detail,
    )
    .await?;
    ctx.commit(txn, events).await?;
    Ok(view(model))
}

/// Changes a battery's state and/or charge. `available` needs the booking threshold of charge;
/// a battery charged below it is `charging`. Announces `inventory_update(update)`.
pub async fn update(
    ctx: &Ctx,
    actor: &CurrentUser,
    battery_id: i32,
    state: Option<BatteryState>,
    charge_percent: Option<i16>,
) -> AppResult<BatteryView> {
    let current = entity::Entity::find_by_id(battery_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::not_found("Battery"))?;
    station::ssr::authorize_manage(actor, current.station_id)?;
    let from = BatteryState::parse(&current.state).unwrap_or(BatteryState::Maintenance);
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
    if to == BatteryState::Available && charge < ctx.rules.min_charge_percent {
        if state == Some(BatteryState::Available) {
            return Err(AppError::validation(format!(
                "A battery is available only when charged to {}% or more.",
                ctx.rules.min_charge_percent
            )));
        }
        to = BatteryState::Charging;
    }
    let txn = ctx.db.begin().await?;
    // The conditional write first: a booking that claimed this battery meanwhile wins.
    let changed = entity::Entity::update_many()
        .col_expr(entity::Column::State, Expr::value(to.as_str()))
        .col_expr(entity::Column::ChargePercent, Expr::value(charge))
        .col_expr(entity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(entity::Column::Id.eq(battery_id))
        .filter(entity::Column::State.eq(current.state.clone()))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::validation(
            "The battery changed meanwhile; reload and try again.",
        ));
    }
    let summary = station::ssr::changed(&txn, current.station_id).await?;
    let detail = format!(
        "{}: {} {}% -> {} {}%",
        current.serial,
        from.as_str(),
        current.charge_percent,
        to.as_str(),
        charge
    );
    audit::record(
        &txn,
        Actor::User(actor),
        Some(current.station_id),
        "battery_updated",
        detail,
    )
    .await?;
    let event = DomainEvent::inventory(&summary, InventoryAction::Update, timestamp(Utc::now()));
    let updated = entity::Entity::find_by_id(battery_id)
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    ctx.commit(txn, vec![event]).await?;
    Ok(view(updated))
}
