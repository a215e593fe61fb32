//! Admin operations on stations: create, edit, assign staff. Each is audited.
use chrono::Utc;
use sea_orm::{TransactionTrait, entity::prelude::*};

use super::entity::{staff, station as st};
use super::{NewStation, StationSummary, assign_staff, bump_version_and_recount, checked, create};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::{self as audit, Actor};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::timestamp;

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
    let event = DomainEvent::inventory(
        &created,
        crate::feed::InventoryAction::Update,
        timestamp(Utc::now()),
    );
    ctx.commit(txn, vec![event]).await?;
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
        .exec(&txn)
        .await
        .map_err(super::name_taken)?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    let station = bump_version_and_recount(&txn, station_id).await?;
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        AuditAction::StationUpdated,
        format!("{name}, {}", station.address),
    )
    .await?;
    let event = DomainEvent::inventory(
        &station,
        crate::feed::InventoryAction::Update,
        timestamp(Utc::now()),
    );
    ctx.commit(txn, vec![event]).await?;
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
