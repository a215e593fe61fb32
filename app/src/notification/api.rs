//! Notification server fns.
use leptos::prelude::*;

use super::{Level, NotificationView};
use crate::error::AppError;

/// `POST /api/list_notifications`: the caller's latest 100 notifications, newest first.
#[server(prefix = "/api", endpoint = "list_notifications", output = crate::json_text::JsonAnswer)]
pub async fn list_notifications() -> Result<Vec<NotificationView>, AppError> {
    let ctx = crate::context::ctx()?;
    let user = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::recent(&ctx.db, user.id, 100).await
}

/// `POST /api/mark_notifications_read` (`id`, optional): one, or all when `id` is absent.
/// Returns how many remain unread.
#[server(prefix = "/api", endpoint = "mark_notifications_read", output = crate::json_text::JsonAnswer)]
pub async fn mark_notifications_read(#[server(default)] id: Option<i32>) -> Result<u64, AppError> {
    let ctx = crate::context::ctx()?;
    let user = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::mark_read(&ctx, user.id, id).await
}

/// `POST /api/send_notification` (`email` or `user_id` for one user, neither for everyone,
/// `title`, `message`, `level`): admin.
#[server(prefix = "/api", endpoint = "send_notification", output = crate::json_text::JsonAnswer)]
pub async fn send_notification(
    #[server(default)] email: String,
    #[server(default)] user_id: Option<i32>,
    title: String,
    message: String,
    #[server(default)] level: Level,
) -> Result<usize, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let email = email.trim();
    if email.is_empty() {
        super::ssr::send(&ctx, &actor, user_id, &title, &message, level).await
    } else {
        super::ssr::send_by_email(&ctx, &actor, email, &title, &message, level).await
    }
}
