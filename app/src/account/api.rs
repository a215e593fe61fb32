//! Account server fns: `/api/register`, `/api/login`, `/api/logout`, `/api/me`,
//! `/api/create_token`, `/api/revoke_token`.
use leptos::prelude::*;

use super::{CurrentUser, IssuedToken, Role};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn set_cookie(value: String) {
    if let (Some(opts), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&value),
    ) {
        opts.append_header(http::header::SET_COOKIE, value);
    }
}

/// The session cookie the current request carries, if any.
#[cfg(feature = "ssr")]
fn request_session() -> Option<String> {
    use super::ssr::credentials;
    let parts = use_context::<http::request::Parts>()?;
    credentials::cookie(&parts.headers, credentials::SESSION_COOKIE)
}

/// Starts a session for the user and tells a no-JS form post where to go next.
#[cfg(feature = "ssr")]
async fn start_session(
    ctx: &crate::context::Ctx,
    email: &str,
    password: &str,
) -> Result<CurrentUser, AppError> {
    use super::ssr::credentials;
    // A session cookie the browser already had is dropped: every login gets a fresh id.
    if let Some(old) = request_session() {
        super::ssr::logout(ctx, &old).await?;
    }
    let (user, secret) = super::ssr::login(ctx, email, password).await?;
    set_cookie(credentials::session_cookie(
        &secret,
        ctx.rules.session_ttl,
        ctx.secure_cookies,
    ));
    leptos_axum::redirect("/");
    Ok(user)
}

/// `POST /api/register` (`email`, `display_name`, `password`): creates a rider account and logs in.
#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    email: String,
    #[server(default)] display_name: String,
    password: String,
) -> Result<CurrentUser, AppError> {
    let ctx = crate::context::ctx()?;
    super::ssr::register(
        &ctx.db,
        &email,
        &display_name,
        &password,
        super::Role::Rider,
    )
    .await?;
    start_session(&ctx, &email, &password).await
}

/// `POST /api/login` (`email`, `password`): sets the session cookie.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    let ctx = crate::context::ctx()?;
    start_session(&ctx, &email, &password).await
}

/// `POST /api/logout`: ends the session and closes its sockets.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::ssr::credentials;
    let ctx = crate::context::ctx()?;
    if let Some(secret) = request_session() {
        super::ssr::logout(&ctx, &secret).await?;
    }
    set_cookie(credentials::clear_session_cookie(ctx.secure_cookies));
    leptos_axum::redirect("/");
    Ok(())
}

/// `POST /api/me`: the logged-in user, or `null`.
#[server(prefix = "/api", endpoint = "me")]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    super::ssr::current_user(&crate::context::ctx()?).await
}

/// `POST /api/create_token` (`label`): a bearer token for scripts; shown once.
#[server(prefix = "/api", endpoint = "create_token")]
pub async fn create_token(#[server(default)] label: String) -> Result<IssuedToken, AppError> {
    let ctx = crate::context::ctx()?;
    let user = super::ssr::require_user(&ctx).await?;
    super::ssr::issue_token(&ctx, &user, &label).await
}

/// `POST /api/revoke_token` (`token_id`): revokes it and closes the sockets that used it.
#[server(prefix = "/api", endpoint = "revoke_token")]
pub async fn revoke_token(token_id: i32) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let user = super::ssr::require_user(&ctx).await?;
    super::ssr::revoke_token(&ctx, &user, token_id).await
}

/// `POST /api/list_users`: every account (admin).
#[server(prefix = "/api", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<CurrentUser>, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = super::ssr::require_user(&ctx).await?;
    super::ssr::list_users(&ctx, &actor).await
}

/// `POST /api/set_user_role` (`user_id`, `role` = `rider`/`staff`/`admin`): admin.
#[server(prefix = "/api", endpoint = "set_user_role")]
pub async fn set_user_role(user_id: i32, role: Role) -> Result<CurrentUser, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = super::ssr::require_user(&ctx).await?;
    super::ssr::set_role(&ctx, &actor, user_id, role).await
}
