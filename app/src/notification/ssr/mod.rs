//! Notification persistence and sending (server only).
use sea_orm::{ConnectionTrait, PaginatorTrait, QueryOrder, QuerySelect, entity::prelude::*};

use super::{Level, NotificationView};
use crate::account::CurrentUser;
use crate::account::ssr::users::{all_ids, exists, find_by_email};
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::timestamp;

pub mod entity;
pub mod store;

impl From<entity::Model> for NotificationView {
    fn from(m: entity::Model) -> Self {
        NotificationView {
            id: m.id,
            kind: m.kind,
            title: m.title,
            message: m.message,
            level: m.level,
            read: m.read,
            created_at: timestamp(m.created_at),
        }
    }
}

/// A user's most recent notifications, newest first.
pub async fn recent(
    conn: &impl ConnectionTrait,
    user_id: i32,
    limit: u64,
) -> AppResult<Vec<NotificationView>> {
    Ok(entity::Entity::find()
        .filter(entity::Column::UserId.eq(user_id))
        .order_by_desc(entity::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(NotificationView::from)
        .collect())
}

pub async fn unread_count(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<u64> {
    Ok(entity::Entity::find()
        .filter(entity::Column::UserId.eq(user_id))
        .filter(entity::Column::Read.eq(false))
        .count(conn)
        .await?)
}

/// Marks one (or, with `None`, every) notification of the user as read; returns how many
/// remain unread, and tells every tab and client of the user (`notifications_read`).
pub async fn mark_read(ctx: &Ctx, user_id: i32, id: Option<i32>) -> AppResult<u64> {
    let mut change = Change::begin(ctx, Actor::System).await?;
    let mut update = entity::Entity::update_many()
        .col_expr(entity::Column::Read, Expr::value(true))
        .filter(entity::Column::UserId.eq(user_id))
        .filter(entity::Column::Read.eq(false));
    if let Some(id) = id {
        update = update.filter(entity::Column::Id.eq(id));
    }
    let changed = update.exec(change.txn()).await?.rows_affected;
    let unread = unread_count(change.txn(), user_id).await?;
    if changed > 0 {
        change.raise(Event::NotificationsRead { user_id, unread });
    }
    change.commit().await?;
    Ok(unread)
}

/// Admin: sends a notification to the user with this email (how an admin knows a rider).
pub async fn send_by_email(
    ctx: &Ctx,
    actor: &CurrentUser,
    email: &str,
    title: &str,
    message: &str,
    level: Level,
) -> AppResult<usize> {
    // Before the lookup: nobody else learns which emails have accounts.
    actor.ensure_admin()?;
    let Some(user) = find_by_email(&ctx.db, email).await? else {
        return Err(AppError::not_found(format!("User {email:?}")));
    };
    send(ctx, actor, Some(user.id), title, message, level).await
}

/// Admin: sends a notification to one user, or to everyone when `to` is `None`.
pub async fn send(
    ctx: &Ctx,
    actor: &CurrentUser,
    to: Option<i32>,
    title: &str,
    message: &str,
    level: Level,
) -> AppResult<usize> {
    actor.ensure_admin()?;
    let title = crate::text::line("A title", title, 200, true)?;
    let message = crate::text::paragraph("A message", message, 2000, true)?;
    let (title, message) = (title.as_str(), message.as_str());
    let recipients = match to {
        Some(id) if exists(&ctx.db, id).await? => vec![id],
        Some(_) => return Err(AppError::not_found("User")),
        None => all_ids(&ctx.db).await?,
    };
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let sent = recipients.len();
    let detail = format!("{title} ({sent} recipients)");
    change.audit(None, AuditAction::NotificationSent, detail);
    change.raise(Event::Announced {
        to: recipients,
        title: title.to_string(),
        message: message.to_string(),
        level,
    });
    change.commit().await?;
    Ok(sent)
}
