//! An admin changes what a user may do: their role, their stations. Either change closes every
//! socket of the user on every instance (`UserPrivilegesChanged`), so each reconnects with the
//! rights the user has now.
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

use super::assignments::{assign_staff, unassign};
use super::entity::user;
use super::load;
use crate::account::{CurrentUser, Role};
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// Admin: changes a user's role. Admins cannot demote themselves (someone must stay admin).
pub async fn set_role(
    ctx: &Ctx,
    actor: &CurrentUser,
    user_id: i32,
    role: Role,
) -> AppResult<CurrentUser> {
    actor.ensure_admin()?;
    if user_id == actor.id && role != Role::Admin {
        return Err(AppError::validation(
            "You cannot remove your own admin role.",
        ));
    }
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let changed = user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role))
        .filter(user::Column::Id.eq(user_id))
        .exec(change.txn())
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::not_found("User"));
    }
    let detail = format!("user {user_id} is now {}", role.as_str());
    change.audit(None, AuditAction::RoleChanged, detail);
    change.raise(Event::PrivilegesChanged { user_id });
    change.commit().await?;
    load(&ctx.db, user_id).await?.ok_or(AppError::Internal)
}

/// Admin: assigns (or with `assign = false` removes) a staff member to a station.
pub async fn assign(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    user_id: i32,
    assign: bool,
) -> AppResult<()> {
    actor.ensure_admin()?;
    let member = load(&ctx.db, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("User"))?;
    if assign && member.role != Role::Staff {
        return Err(AppError::validation(
            "Only staff can be assigned to a station: change their role first.",
        ));
    }
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    unassign(change.txn(), station_id, user_id).await?;
    let action = if assign {
        assign_staff(change.txn(), station_id, user_id)
            .await
            .map_err(|_| AppError::not_found("Station or user"))?;
        AuditAction::StaffAssigned
    } else {
        AuditAction::StaffUnassigned
    };
    change.audit(Some(station_id), action, format!("user {user_id}"));
    // Their open sockets were set up with the old stations: close them everywhere.
    change.raise(Event::PrivilegesChanged { user_id });
    change.commit().await
}
