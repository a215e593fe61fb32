//! Admin operations on stations: create, edit, assign staff. Each is audited.
use chrono::Utc;
use sea_orm::{TransactionTrait, entity::prelude::*};

use super::entity::{staff, station as st};
use super::{
    NewStation, StationSummary, assign_staff, bump_version_and_recount, checked, create,
    default_status_message, find,
};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::{self as audit, Actor};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, timestamp};
use crate::station::StationStatus;

/// Admin: a new station, online and empty.
pub async fn admin_create(
    ctx: &Ctx,
    actor: &CurrentUser,
    new: NewStation,
) -> AppResult<StationSummary> {
    actor.ensure_admin()?;
    let txn = ctx.db.begin().await?;
    let created = create(&txn, new).await?;
    audit::record(
        &txn,
        Actor::User(actor),
        Some(created.id),
        AuditAction::StationCreated,
        created.name.clone(),
    )
    .await?;
    let ts = timestamp(Utc::now());
    let events = vec![
        DomainEvent::inventory(&created, crate::feed::InventoryAction::Update, ts.clone()),
        DomainEvent::listed(&created, ts),
    ];
    ctx.commit(txn, events).await?;
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
    let txn = ctx.db.begin().await?;
    let updated = st::Entity::update_many()
        .col_expr(st::Column::Name, Expr::value(name.clone()))
        .col_expr(st::Column::Address, Expr::value(address))
        .col_expr(st::Column::Latitude, Expr::value(new.latitude))
        .col_expr(st::Column::Longitude, Expr::value(new.longitude))
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_null())
        .exec(&txn)
        .await
        .map_err(super::name_taken)?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    let (station, alerts) = bump_version_and_recount(&txn, &ctx.rules, station_id).await?;
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        AuditAction::StationUpdated,
        format!("{name}, {}", station.address),
    )
    .await?;
    let ts = timestamp(Utc::now());
    let events = vec![
        DomainEvent::inventory(&station, crate::feed::InventoryAction::Update, ts.clone()),
        DomainEvent::listed(&station, ts),
    ];
    ctx.commit(txn, alerts.after(events)).await?;
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
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let closed = st::Entity::update_many()
        .col_expr(st::Column::ClosedAt, Expr::value(now))
        .col_expr(st::Column::Status, Expr::value(StationStatus::Offline))
        .col_expr(st::Column::StatusMessage, Expr::value(CLOSED_MESSAGE))
        .filter(st::Column::Id.eq(station_id))
        .filter(st::Column::ClosedAt.is_null())
        .exec(&txn)
        .await?;
    if closed.rows_affected == 0 {
        find(&txn, station_id).await?;
        return Err(AppError::validation("That station is already closed."));
    }
    // Every active booking holds a booked pack there, so the recount tells. Read after the
    // write: on PostgreSQL the row lock taken above waited for any booking committing there,
    // and a booking still in flight finds the station offline when it recounts.
    let (station, alerts) = bump_version_and_recount(&txn, &ctx.rules, station_id).await?;
    let active = station.counts.booked;
    if active > 0 {
        return Err(AppError::validation(format!(
            "The station has {active} active booking(s): cancel them or let them finish before \
             closing it."
        )));
    }
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        AuditAction::StationClosed,
        station.name.clone(),
    )
    .await?;
    let ts = timestamp(now);
    let events = vec![
        DomainEvent::at(
            &station,
            FeedMessage::StationStatus {
                station_id,
                station_name: station.name.clone(),
                status: StationStatus::Offline,
                message: CLOSED_MESSAGE.into(),
                timestamp: ts.clone(),
            },
        ),
        DomainEvent::at(
            &station,
            FeedMessage::StationClosed {
                station_id,
                station_name: station.name.clone(),
                timestamp: ts,
            },
        ),
    ];
    ctx.commit(txn, alerts.after(events)).await
}

/// Admin: a closed station rejoins the directory, offline until its staff or an admin puts it
/// online. Announces `station_listed`.
pub async fn admin_reopen(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
) -> AppResult<StationSummary> {
    actor.ensure_admin()?;
    let txn = ctx.db.begin().await?;
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
        .exec(&txn)
        .await?;
    if reopened.rows_affected == 0 {
        find(&txn, station_id).await?;
        return Err(AppError::validation("That station is not closed."));
    }
    let (station, alerts) = bump_version_and_recount(&txn, &ctx.rules, station_id).await?;
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        AuditAction::StationReopened,
        station.name.clone(),
    )
    .await?;
    let event = DomainEvent::listed(&station, timestamp(Utc::now()));
    ctx.commit(txn, alerts.after(vec![event])).await?;
    Ok(station)
}

/// Admin: assigns (or with `assign = false` removes) a staff member to a station.
pub async fn admin_assign(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    user_id: i32,
    assign: bool,
) -> AppResult<()> {
    actor.ensure_admin()?;
    let member = crate::account::ssr::load(&ctx.db, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("User"))?;
    if assign && member.role != crate::account::Role::Staff {
        return Err(AppError::validation(
            "Only staff can be assigned to a station: change their role first.",
        ));
    }
    let txn = ctx.db.begin().await?;
    let action = if assign {
        staff::Entity::delete_many()
            .filter(staff::Column::StationId.eq(station_id))
            .filter(staff::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        assign_staff(&txn, station_id, user_id)
            .await
            .map_err(|_| AppError::not_found("Station or user"))?;
        AuditAction::StaffAssigned
    } else {
        staff::Entity::delete_many()
            .filter(staff::Column::StationId.eq(station_id))
            .filter(staff::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        AuditAction::StaffUnassigned
    };
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        action,
        format!("user {user_id}"),
    )
    .await?;
    // Their open sockets were set up with the old stations: close them everywhere.
    let changed = DomainEvent::UserPrivilegesChanged { user_id };
    ctx.commit(txn, vec![changed]).await
}
