//! Account server fns: `/api/register`, `/api/login`, `/api/logout`, `/api/me`,
//! `/api/create_token`, `/api/list_tokens`, `/api/revoke_token`, `/api/take_new_token`.
//!
//! Thin: each reads the request (cookie, client address), authorises and calls one domain
//! function in `ssr`. Cross-site posts never get here (the CSRF layer in `src/csrf.rs`).
use leptos::prelude::*;

use super::{CurrentUser, IssuedToken, Role, TokenInfo};
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

/// A cookie of the current request, if any.
#[cfg(feature = "ssr")]
fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    super::ssr::credentials::cookie(&parts.headers, name)
}

/// The session cookie the current request carries, under this deployment's name.
#[cfg(feature = "ssr")]
fn request_session(ctx: &crate::context::Ctx) -> Option<String> {
    request_cookie(super::ssr::credentials::session_cookie_name(
        ctx.secure_cookies,
    ))
}

/// A browser's plain form post (no JavaScript): it follows redirects, not return values.
#[cfg(feature = "ssr")]
fn plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// Sets the new session's cookie and tells a no-JS form post where to go next.
#[cfg(feature = "ssr")]
fn session_started(
    ctx: &crate::context::Ctx,
    started: super::ssr::session::Started,
    next: &str,
) -> CurrentUser {
    crate::observe::user(started.user.id);
    set_cookie(super::ssr::credentials::session_cookie(
        &started.secret,
        ctx.rules.session_ttl,
        ctx.secure_cookies,
    ));
    leptos_axum::redirect(super::safe_next(next));
    started.user
}

/// `POST /api/register` (`email`, `display_name`, `password`): creates a rider account and logs in.
#[server(prefix = "/api", endpoint = "register", output = crate::json_text::JsonAnswer)]
pub async fn register(
    email: String,
    #[server(default)] display_name: String,
    password: String,
) -> Result<CurrentUser, AppError> {
    let ctx = crate::context::ctx()?;
    let client = crate::context::client_ip(&ctx);
    let old = request_session(&ctx);
    let started = super::ssr::sign_up(
        &ctx,
        &email,
        &display_name,
        &password,
        client,
        old.as_deref(),
    )
    .await?;
    Ok(session_started(&ctx, started, "/"))
}

/// `POST /api/login` (`email`, `password`): sets the session cookie. A failed attempt leaves
/// the caller's current session alone.
#[server(prefix = "/api", endpoint = "login", output = crate::json_text::JsonAnswer)]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] next: String,
) -> Result<CurrentUser, AppError> {
    let ctx = crate::context::ctx()?;
    let client = crate::context::client_ip(&ctx);
    let old = request_session(&ctx);
    let started = super::ssr::login(&ctx, &email, &password, client, old.as_deref()).await?;
    Ok(session_started(&ctx, started, &next))
}

/// `POST /api/logout`: ends the session and closes its sockets.
#[server(prefix = "/api", endpoint = "logout", output = crate::json_text::JsonAnswer)]
pub async fn logout() -> Result<(), AppError> {
    use super::ssr::credentials;
    let ctx = crate::context::ctx()?;
    if let Some(secret) = request_session(&ctx) {
        super::ssr::logout(&ctx, &secret, crate::context::client_ip(&ctx)).await?;
    }
    set_cookie(credentials::clear_session_cookie(ctx.secure_cookies));
    leptos_axum::redirect("/");
    Ok(())
}

/// `POST /api/me`: the logged-in user, or `null`.
#[server(prefix = "/api", endpoint = "me", output = crate::json_text::JsonAnswer)]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    super::ssr::current_user(&crate::context::ctx()?).await
}

/// `POST /api/create_token` (`label`): a bearer token for scripts; shown once. Needs a session
/// cookie: a token cannot mint tokens. A plain form post is sent back to the tokens page, which
/// shows the secret once (carried there by a short-lived cookie).
#[server(prefix = "/api", endpoint = "create_token", output = crate::json_text::JsonAnswer)]
pub async fn create_token(#[server(default)] label: String) -> Result<IssuedToken, AppError> {
    use super::ssr::credentials;
    let ctx = crate::context::ctx()?;
    let user = super::ssr::require_session_user(&ctx).await?;
    let client = crate::context::client_ip(&ctx);
    let issued = super::ssr::issue_token(&ctx, &user, &label, client).await?;
    if plain_form_post() {
        let flash = chrono::Duration::minutes(5);
        set_cookie(credentials::new_token_cookie(
            &issued.token,
            flash,
            ctx.secure_cookies,
        ));
        leptos_axum::redirect(super::TOKENS_PAGE);
    }
    Ok(issued)
}

/// `POST /api/list_tokens`: the caller's working tokens (id, label, dates; never the secret).
#[server(prefix = "/api", endpoint = "list_tokens", output = crate::json_text::JsonAnswer)]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    let ctx = crate::context::ctx()?;
    let user = super::ssr::require_session_user(&ctx).await?;
    super::ssr::list_tokens(&ctx, &user).await
}

/// `POST /api/revoke_token` (`token_id`): revokes it and closes the sockets that used it.
/// Needs a session cookie: whoever holds a leaked token cannot revoke the owner's others.
#[server(prefix = "/api", endpoint = "revoke_token", output = crate::json_text::JsonAnswer)]
pub async fn revoke_token(token_id: i32) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let user = super::ssr::require_session_user(&ctx).await?;
    let client = crate::context::client_ip(&ctx);
    super::ssr::revoke_token(&ctx, &user, token_id, client).await
}

/// `POST /api/take_new_token`: the token a plain form post just created, once (the tokens page
/// without JavaScript); `null` otherwise.
#[server(prefix = "/api", endpoint = "take_new_token", output = crate::json_text::JsonAnswer)]
pub async fn take_new_token() -> Result<Option<IssuedToken>, AppError> {
    use super::ssr::credentials;
    let ctx = crate::context::ctx()?;
    let Some(secret) = request_cookie(credentials::new_token_cookie_name(ctx.secure_cookies))
    else {
        return Ok(None);
    };
    set_cookie(credentials::new_token_cookie(
        "",
        chrono::Duration::zero(),
        ctx.secure_cookies,
    ));
    let user = super::ssr::require_session_user(&ctx).await?;
    super::ssr::take_new_token(&ctx, &user, &secret).await
}

/// `POST /api/list_users`: every account (admin).
#[server(prefix = "/api", endpoint = "list_users", output = crate::json_text::JsonAnswer)]
pub async fn list_users() -> Result<Vec<CurrentUser>, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = super::ssr::require_user(&ctx).await?;
    super::ssr::list_users(&ctx, &actor).await
}

/// `POST /api/set_user_role` (`user_id`, `role` = `rider`/`staff`/`admin`): admin.
#[server(prefix = "/api", endpoint = "set_user_role", output = crate::json_text::JsonAnswer)]
pub async fn set_user_role(user_id: i32, role: Role) -> Result<CurrentUser, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = super::ssr::require_user(&ctx).await?;
    super::ssr::set_role(&ctx, &actor, user_id, role).await
}

/// `POST /api/set_pack_model` (`model`; empty clears it): the caller's pack model, one the
/// network holds. Lists and the Book form default to it.
#[server(prefix = "/api", endpoint = "set_pack_model", output = crate::json_text::JsonAnswer)]
pub async fn set_pack_model(#[server(default)] model: String) -> Result<Option<String>, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = super::ssr::require_user(&ctx).await?;
    super::ssr::set_pack_model(&ctx, &actor, &model).await
}
