//! Admin operations on stations: create, edit, close, reopen. Each is audited. (Who runs a
//! station is the account module's: `account::ssr::assign`.)
use sea_orm::entity::prelude::*;

use super::entity::station as st;
use super::{NewStation, StationSummary, checked, create, default_status_message, find};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::station::StationStatus;

/// Admin: a new station, online and empty.
pub async fn admin_create(
    ctx: &Ctx,
    actor: &CurrentUser,
    new: NewStation,
) -> AppResult<StationSummary> {
    actor.ensure_admin()?;
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let created = create(change.txn(), new).await?;
    change.audit(
        Some(created.id),
        AuditAction::StationCreated,
        created.name.clone(),
    );
    change.raise(Event::StationCreated {
        station: created.clone(),
    });
    change.commit().await?;
    Ok(created)
}

/// Admin: renames or moves a station. Announces `inventory_update(update)` with the new name.
pub async fn admin_update(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    new: NewStation,
) -> AppResult<StationSummary> {
    actor.ensure_admin()?;
    let super::Checked { name, address } = checked(&new)?;
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let updated = st::Entity::update_many()
        .col_expr(st::Column::Name, Expr::value(name.clone()))
        .col_expr(st::Column::Address, Expr::value(address.clone()))
        .col_expr(st::Column::Latitude, Expr::value(new.latitude))
        .col_expr(st::Column::Longitude, Expr::value(new.longitude))
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_null())
        .exec(change.txn())
        .await
        .map_err(|e| super::name_taken(e))?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    let detail = format!("{name}, {}", address);
    change.audit(Some(station_id), AuditAction::StationUpdated, detail);
    let station = change.recount(station_id).await?;
    change.raise(Event::StationEdited {
        station: station.clone(),
    });
    change.commit().await?;
    Ok(station)
}

/// What a station's status message says while it is closed.
const CLOSED_MESSAGE: &str = "Station closed";

/// Admin: closes a station for good. It goes offline and leaves the directory: lists, plan
/// views and feeds drop it, its page is not found, it takes no bookings. Refused while it has
/// active bookings (their riders are on their way). Its rows stay; [`admin_reopen`] undoes it.
/// Announces `station_status` (offline) and then `station_closed`.
pub async fn admin_close(ctx: &Ctx, actor: &CurrentUser, station_id: i32) -> AppResult<()> {
    actor.ensure_admin()?;
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let closed = st::Entity::update_many()
        .col_expr(st::Column::ClosedAt, Expr::value(change.at()))
        .col_expr(st::Column::Status, Expr::value(StationStatus::Offline))
        .col_expr(st::Column::StatusMessage, Expr::value(CLOSED_MESSAGE))
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_null())
        .exec(change.txn())
        .await?;
    if closed.rows_affected == 0 {
        find(change.txn(), station_id).await?;
        return Err(AppError::validation("That station is already closed."));
    }
    // Every active booking holds a booked pack there, so the recount tells. Read after the
    // write: on PostgreSQL the row lock taken above waited for any booking committing there,
    // and a booking still in flight finds the station offline when it recounts.
    let station = change.recount(station_id).await?;
    let active = station.counts.booked;
    if active > 0 {
        return Err(AppError::validation(format!(
            "The station has {active} active booking(s): cancel them or let them finish before \
             closing it."
        )));
    }
    change.audit(
        Some(station_id),
        AuditAction::StationClosed,
        station.name.clone(),
    );
    change.raise(Event::StationClosed {
        station,
        message: CLOSED_MESSAGE.into(),
    });
    change.commit().await
}

/// Admin: a closed station rejoins the directory, offline until its staff or an admin puts it
/// online. Announces `station_listed`.
pub async fn admin_reopen(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
) -> AppResult<StationSummary> {
    actor.ensure_admin()?;
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let reopened = st::Entity::update_many()
        .col_expr(
            st::Column::ClosedAt,
            Expr::value(Option::<DateTimeUtc>::None),
        )
        .col_expr(
            st::Column::StatusMessage,
            Expr::value(default_status_message(StationStatus::Offline)),
        )
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_not_null())
        .exec(change.txn())
        .await?;
    if reopened.rows_affected == 0 {
        find(change.txn(), station_id).await?;
        return Err(AppError::validation("That station is not closed."));
    }
    let station = change.recount(station_id).await?;
    change.audit(
        Some(station_id),
        AuditAction::StationReopened,
        station.name.clone(),
    );
    change.raise(Event::StationReopened {
        station: station.clone(),
    });
    change.commit().await?;
    Ok(station)
}
