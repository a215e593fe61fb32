//! Notification persistence and sending (server only).
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, PaginatorTrait, QueryOrder, QuerySelect, TransactionTrait,
    entity::prelude::*,
};

use super::{Level, NotificationView};
use crate::account::CurrentUser;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, timestamp};

pub mod entity;

pub struct NewNotification<'a> {
    pub user_id: i32,
    pub kind: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    pub level: Level,
    pub at: DateTime<Utc>,
}

/// Stores a notification; the caller publishes the matching feed message after commit.
pub async fn store(
    conn: &impl ConnectionTrait,
    n: NewNotification<'_>,
) -> AppResult<entity::Model> {
    Ok(entity::ActiveModel {
        user_id: Set(n.user_id),
        kind: Set(n.kind.into()),
        title: Set(n.title.into()),
        message: Set(n.message.into()),
        level: Set(n.level),
        read: Set(false),
        created_at: Set(n.at),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Stores a plain `notification` and returns the event that delivers it.
pub async fn notify(conn: &impl ConnectionTrait, n: NewNotification<'_>) -> AppResult<DomainEvent> {
    let stored = store(
        conn,
        NewNotification {
            kind: "notification",
            ..n
        },
    )
    .await?;
    Ok(DomainEvent::user(
        stored.user_id,
        FeedMessage::Notification {
            title: stored.title,
            message: stored.message,
            level: n.level,
            timestamp: timestamp(stored.created_at),
            id: Some(stored.id),
        },
    ))
}

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
    let txn = ctx.db.begin().await?;
    let mut update = entity::Entity::update_many()
        .col_expr(entity::Column::Read, Expr::value(true))
        .filter(entity::Column::UserId.eq(user_id))
        .filter(entity::Column::Read.eq(false));
    if let Some(id) = id {
        update = update.filter(entity::Column::Id.eq(id));
    }
    let changed = update.exec(&txn).await?.rows_affected;
    let unread = unread_count(&txn, user_id).await?;
    let events = if changed > 0 {
        vec![DomainEvent::user(
            user_id,
            FeedMessage::NotificationsRead {
                unread_count: unread,
                timestamp: timestamp(Utc::now()),
            },
        )]
    } else {
        Vec::new()
    };
    ctx.commit(txn, events).await?;
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
    let Some(user) = crate::account::ssr::find_by_email(&ctx.db, email).await? else {
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
        Some(id) if crate::account::ssr::exists(&ctx.db, id).await? => vec![id],
        Some(_) => return Err(AppError::not_found("User")),
        None => crate::account::ssr::all_ids(&ctx.db).await?,
    };
    let txn = ctx.db.begin().await?;
    let now = Utc::now();
    let mut events = Vec::with_capacity(recipients.len());
    for user_id in recipients {
        let n = NewNotification {
            user_id,
            kind: "notification",
            title,
            message,
            level,
            at: now,
        };
        events.push(notify(&txn, n).await?);
    }
    let sent = events.len();
    let detail = format!("{title} ({} recipients)", sent);
    crate::audit::ssr::record(
        &txn,
        crate::audit::ssr::Actor::User(actor),
        None,
        crate::audit::AuditAction::NotificationSent,
        detail,
    )
    .await?;
    ctx.commit(txn, events).await?;
    Ok(sent)
}
