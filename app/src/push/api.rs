//! Push server fns: what `public/push.js` calls from the Notifications page.
use leptos::prelude::*;

use crate::error::AppError;

/// `GET /api/push_key`: the server's VAPID public key (base64url, uncompressed P-256), which a
/// browser's subscription is bound to (`applicationServerKey`). Public: push services check it.
#[server(prefix = "/api", endpoint = "push_key", input = server_fn::codec::GetUrl, output = crate::json_text::JsonAnswer)]
pub async fn push_key() -> Result<String, AppError> {
    let ctx = crate::context::ctx()?;
    super::ssr::keys::public_key(&ctx.db).await
}

/// `POST /api/enable_push` (`endpoint`, `p256dh`, `auth`: the browser's subscription): the
/// caller's notifications are pushed to this device too, for as long as this browser's session
/// lasts (a session cookie: a bearer token has no device). A device another user had turned
/// on is theirs no more (one phone, one person at a time).
#[server(prefix = "/api", endpoint = "enable_push", output = crate::json_text::JsonAnswer)]
pub async fn enable_push(endpoint: String, p256dh: String, auth: String) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let (user, session) = crate::account::ssr::require_session(&ctx).await?;
    let device = super::Device {
        endpoint,
        p256dh,
        auth,
    };
    super::ssr::devices::enable(&ctx, &user, session, device).await
}

/// `POST /api/disable_push` (`endpoint`): no more pushes to this device.
#[server(prefix = "/api", endpoint = "disable_push", output = crate::json_text::JsonAnswer)]
pub async fn disable_push(endpoint: String) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let user = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::devices::disable(&ctx, &user, &endpoint).await
}

/// `POST /api/push_enabled` (`endpoint`): whether the caller's notifications are pushed to
/// this device (a device the push service reported gone was turned off by the server).
#[server(prefix = "/api", endpoint = "push_enabled", output = crate::json_text::JsonAnswer)]
pub async fn push_enabled(endpoint: String) -> Result<bool, AppError> {
    let ctx = crate::context::ctx()?;
    let user = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::devices::enabled(&ctx.db, user.id, &endpoint).await
}
