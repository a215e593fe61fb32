//! Station persistence and domain operations (server only).
use chrono::Utc;
use sea_orm::sea_query::{ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, QueryOrder, TransactionTrait, entity::prelude::*,
};

use super::{ModelCounts, StationCounts, StationDetail, StationStatus, StationSummary, StockLevel};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::{self as audit, Actor};
use crate::battery;
use crate::context::{Ctx, Rules};
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, timestamp};

mod admin;
pub mod entity;
pub mod history;
mod inventory;
pub mod stock_alert;

pub use admin::{admin_assign, admin_close, admin_create, admin_reopen, admin_update};
use entity::{staff, station as st};
pub use inventory::{Reported, add_battery, apply_report, edit_battery};
pub use stock_alert::Alerts;

fn summary(
    model: st::Model,
    (counts, available_by_model): (StationCounts, ModelCounts),
) -> StationSummary {
    StationSummary {
        id: model.id,
        status: model.status,
        name: model.name,
        address: model.address,
        latitude: model.latitude,
        longitude: model.longitude,
        status_message: model.status_message,
        counts,
        available_by_model,
        version: model.version,
    }
}

/// One station's counts; call inside the transaction that changed them.
pub async fn counts(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationCounts> {
    Ok(stock(conn, station_id).await?.0)
}

/// One station's counts with its available packs per model.
async fn stock(
    conn: &impl ConnectionTrait,
    station_id: i32,
) -> AppResult<(StationCounts, ModelCounts)> {
    Ok(battery::ssr::counts_by_station(conn, Some(station_id))
        .await?
        .remove(&station_id)
        .unwrap_or_default())
}

pub async fn find(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<st::Model> {
    st::Entity::find_by_id(station_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Station"))
}

/// Every open station with its live counts, by name: the directory.
pub async fn list(conn: &impl ConnectionTrait) -> AppResult<Vec<StationSummary>> {
    with_counts(conn, false).await
}

/// The stations an admin has closed, by name (the admin page offers to reopen them).
pub async fn list_closed(conn: &impl ConnectionTrait) -> AppResult<Vec<StationSummary>> {
    with_counts(conn, true).await
}

async fn with_counts(conn: &impl ConnectionTrait, closed: bool) -> AppResult<Vec<StationSummary>> {
    let open_or_closed = if closed {
        st::Column::ClosedAt.is_not_null()
    } else {
        st::Column::ClosedAt.is_null()
    };
    let stations = st::Entity::find()
        .filter(open_or_closed)
        .order_by_asc(st::Column::Name)
        .all(conn)
        .await?;
    let mut counts = battery::ssr::counts_by_station(conn, None).await?;
    Ok(stations
        .into_iter()
        .map(|s| {
            let c = counts.remove(&s.id).unwrap_or_default();
            summary(s, c)
        })
        .collect())
}

/// A station as its change will be committed, open or closed (domain code).
pub async fn summary_of(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationSummary> {
    let model = find(conn, station_id).await?;
    Ok(summary(model, stock(conn, station_id).await?))
}

/// A station of the directory: a closed one is not found, for pages and feeds alike.
pub async fn listed(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationSummary> {
    let model = find_listed(conn, station_id).await?;
    Ok(summary(model, stock(conn, station_id).await?))
}

/// The station's row, if it is in the directory (not closed).
pub async fn find_listed(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<st::Model> {
    let model = find(conn, station_id).await?;
    if model.closed_at.is_some() {
        return Err(AppError::not_found("Station"));
    }
    Ok(model)
}

/// Records a change of the station inside the changing transaction: bumps its version (which
/// orders its events, and locks its row until commit), recounts its batteries, adds the counts
/// to its history, follows its stock level (`stock_alert`), and returns it as it will be
/// committed with the low-stock alerts the change set off, which the caller commits with its
/// own events (`ctx.commit(txn, alerts.after(events))`).
pub async fn bump_version_and_recount(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    station_id: i32,
) -> AppResult<(StationSummary, Alerts)> {
    use sea_orm::sea_query::ExprTrait;
    // The bumped row comes back with the write (`RETURNING`): one round trip fewer while the
    // row is locked.
    let model = st::Entity::update_many()
        .col_expr(st::Column::Version, Expr::col(st::Column::Version).add(1))
        .filter(st::Column::Id.eq(station_id))
        .exec_with_returning(conn)
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("Station"))?;
    let level = model.stock_level;
    let station = summary(model, stock(conn, station_id).await?);
    history::record(conn, &station).await?;
    let alerts = stock_alert::follow(conn, rules.low_stock_threshold, &station, level).await?;
    Ok((station, alerts))
}

/// A station of the directory with its batteries, and whether it is low on stock (what the
/// staff console's banner starts from; never with alerts off).
pub async fn detail(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    station_id: i32,
) -> AppResult<StationDetail> {
    let model = find_listed(conn, station_id).await?;
    let low_stock = rules.low_stock_threshold > 0 && model.stock_level == Some(StockLevel::Low);
    let station = summary(model, stock(conn, station_id).await?);
    let batteries = battery::ssr::at_station(conn, station_id).await?;
    Ok(StationDetail {
        station,
        batteries,
        low_stock,
    })
}

/// Stations a staff user is assigned to.
pub async fn assigned_to(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<Vec<i32>> {
    Ok(staff::Entity::find()
        .filter(staff::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.station_id)
        .collect())
}

pub async fn assign_staff(
    conn: &impl ConnectionTrait,
    station_id: i32,
    user_id: i32,
) -> AppResult<()> {
    staff::ActiveModel {
        station_id: Set(station_id),
        user_id: Set(user_id),
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub struct NewStation {
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A new or edited station's name and address, checked and trimmed.
pub(super) struct Checked {
    pub name: String,
    pub address: String,
}

/// Checks a new or edited station.
pub(super) fn checked(new: &NewStation) -> AppResult<Checked> {
    let name = crate::text::line("A station name", &new.name, 120, true)?;
    let address = crate::text::line("An address", &new.address, 200, false)?;
    if !(-90.0..=90.0).contains(&new.latitude) || !(-180.0..=180.0).contains(&new.longitude) {
        return Err(AppError::validation(
            "Latitude must be within ±90 and longitude within ±180.",
        ));
    }
    Ok(Checked { name, address })
}

/// Creates a station (admin work; also used by the demo loader).
pub async fn create(conn: &impl ConnectionTrait, new: NewStation) -> AppResult<StationSummary> {
    let Checked { name, address } = checked(&new)?;
    let model = st::ActiveModel {
        name: Set(name),
        address: Set(address),
        latitude: Set(new.latitude),
        longitude: Set(new.longitude),
        status: Set(StationStatus::Online),
        status_message: Set(String::new()),
        version: Set(0),
        created_at: Set(Utc::now()),
        // Empty, and not "dropped" to empty: its alerts start once it has been above the
        // threshold.
        stock_level: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(name_taken)?;
    Ok(summary(model, Default::default()))
}

/// A unique-name violation is the user's to fix; anything else is ours.
pub(crate) fn name_taken(err: sea_orm::DbErr) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::validation("A station with that name already exists.")
        }
        _ => err.into(),
    }
}

/// Sets a station's operational status; announces `station_status` to every subscriber.
pub async fn set_status(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    status: StationStatus,
    message: &str,
) -> AppResult<StationSummary> {
    actor.ensure_manages(station_id)?;
    let message = crate::text::line("The status message", message, 255, false)?;
    let message = if message.is_empty() {
        default_status_message(status).to_string()
    } else {
        message.to_string()
    };
    let txn = ctx.db.begin().await?;
    // Write first: on SQLite a transaction that reads before writing can fail with SQLITE_BUSY.
    let updated = st::Entity::update_many()
        .col_expr(st::Column::Status, Expr::value(status))
        .col_expr(st::Column::StatusMessage, Expr::value(message.clone()))
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    let (station, alerts) = bump_version_and_recount(&txn, &ctx.rules, station_id).await?;
    let event = DomainEvent::at(
        &station,
        FeedMessage::StationStatus {
            station_id,
            station_name: station.name.clone(),
            status,
            message,
            timestamp: timestamp(Utc::now()),
        },
    );
    let detail = format!("{}: {}", status.as_str(), station.status_message);
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        AuditAction::StationStatus,
        detail,
    )
    .await?;
    ctx.commit(txn, alerts.after(vec![event])).await?;
    Ok(station)
}

pub fn default_status_message(status: StationStatus) -> &'static str {
    match status {
        StationStatus::Online => "Station is now operational",
        StationStatus::Offline => "Station is offline",
        StationStatus::Maintenance => "Station is under maintenance",
    }
}

/// A condition for a statement on another table: the station is `online` and open (takes
/// bookings).
pub fn is_online(station_id: i32) -> SimpleExpr {
    use st::{Column, Entity};
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(Entity)
            .and_where(Expr::col((Entity, Column::Id)).eq(station_id))
            .and_where(Expr::col((Entity, Column::Status)).eq(StationStatus::Online))
            .and_where(Expr::col((Entity, Column::ClosedAt)).is_null())
            .to_owned(),
    )
}
