//! Station persistence and domain operations (server only): reads in `read.rs`, the version
//! and recount a change commits in `version.rs`, staff inventory edits in `inventory.rs`,
//! admin work in `admin.rs`.
use chrono::Utc;
use sea_orm::sea_query::{ExprTrait, Query, SimpleExpr};
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};

use super::{StationStatus, StationSummary};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

mod admin;
pub mod entity;
pub mod history;
mod inventory;
mod near;
pub mod read;
pub mod stock_alert;
pub mod version;

pub use admin::{admin_close, admin_create, admin_reopen, admin_update};
use entity::station as st;
pub use inventory::{Reported, add_battery, apply_report, edit_battery};
pub use near::{NearQuery, nearby};
pub use read::{counts, detail, find, find_listed, list, list_closed, listed, summary_of};

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
    .map_err(|e| name_taken(e))?;
    Ok(read::summary(model, Default::default()))
}

/// A unique-name violation is the user's to fix; anything else is ours.
#[track_caller]
pub(crate) fn name_taken(err: sea_orm::DbErr) -> AppError {
    let taken = AppError::validation("A station with that name already exists.");
    crate::error::unique_or(err, taken)
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
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    // Write first: on SQLite a transaction that reads before writing can fail with SQLITE_BUSY.
    let updated = st::Entity::update_many()
        .col_expr(st::Column::Status, Expr::value(status))
        .col_expr(st::Column::StatusMessage, Expr::value(message.clone()))
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_null())
        .exec(change.txn())
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    let detail = format!("{}: {}", status.as_str(), message);
    change.audit(Some(station_id), AuditAction::StationStatus, detail);
    let station = change.recount(station_id).await?;
    change.raise(Event::StatusSet {
        station: station.clone(),
        status,
        message,
    });
    change.commit().await?;
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
