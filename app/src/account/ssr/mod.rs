//! Account domain operations (server only). Logins and logouts are in `session.rs`, API
//! tokens in `tokens.rs`, the guessing throttles in `throttle.rs`.
use chrono::Utc;
use http::HeaderMap;
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};

pub mod assignments;
pub mod credentials;
pub mod entity;
mod pack;
pub mod password;
pub mod privileges;
pub mod rules;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use assignments::assign_staff;
pub use pack::set_pack_model;
pub use privileges::{assign, set_role};
pub use rules::AccountRules;
pub use session::{login, logout, sign_up, sweep};
pub use tokens::{issue_token, list_tokens, revoke_token, take_new_token};
pub use users::{all_ids, exists, find_by_email};

use super::{CurrentUser, Role, normalize_email, validate_password};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::Credential;
use entity::user;

/// The `CurrentUser` view of a user row, with the stations they manage. Privileges come from
/// role AND assignment: only staff manage assigned stations, so assignment rows left behind by
/// a change of role grant nothing (and come back into force if the user is staff again).
pub async fn load(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<Option<CurrentUser>> {
    match user::Entity::find_by_id(user_id).one(conn).await? {
        Some(u) => Ok(Some(current(conn, u).await?)),
        None => Ok(None),
    }
}

/// [`load`] for a user row already read (with the credential that proved it).
async fn current(conn: &impl ConnectionTrait, u: user::Model) -> AppResult<CurrentUser> {
    let stations = if u.role == Role::Staff {
        assignments::assigned_to(conn, u.id).await?
    } else {
        Vec::new()
    };
    Ok(CurrentUser {
        id: u.id,
        role: u.role,
        email: u.email,
        display_name: u.display_name,
        stations,
        pack_model: u.pack_model,
    })
}

/// Creates an account (set-up code: demo data, tests). The password is stored only as an
/// argon2id hash. Requests go through [`sign_up`], which is throttled and gated.
pub async fn register(
    conn: &impl ConnectionTrait,
    email: &str,
    display_name: &str,
    password: &str,
    role: Role,
) -> AppResult<CurrentUser> {
    let (email, display_name) = check_new_account(email, display_name, password)?;
    let password_hash = password::hash(password.to_string()).await?;
    let id = insert_user(conn, email, display_name, password_hash, role).await?;
    load(conn, id).await?.ok_or(AppError::Internal)
}

/// A new account's normalised email and display name, or why they are refused.
pub(crate) fn check_new_account(
    email: &str,
    display_name: &str,
    password: &str,
) -> AppResult<(String, String)> {
    let email = normalize_email(email)?;
    validate_password(password)?;
    let display_name = match crate::text::line("A display name", display_name, 100, false)? {
        name if name.is_empty() => email.split('@').next().unwrap_or_default().to_string(),
        name => name,
    };
    Ok((email, display_name))
}

/// Inserts a user row; a taken email is `EmailTaken` (the unique index decides, not a read).
pub(crate) async fn insert_user(
    conn: &impl ConnectionTrait,
    email: String,
    display_name: String,
    password_hash: String,
    role: Role,
) -> AppResult<i32> {
    let inserted = user::ActiveModel {
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(role),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await;
    inserted
        .map(|u| u.id)
        .map_err(|e| crate::error::unique_or(e, AppError::EmailTaken))
}

/// Who is opening a socket: a session cookie (under this deployment's name only, as for
/// [`caller`]: behind https a planted unprefixed cookie is never read), else a bearer token,
/// else `query_token`.
pub async fn authenticate(
    ctx: &Ctx,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> AppResult<Option<(CurrentUser, Credential)>> {
    let conn = &ctx.db;
    let name = credentials::session_cookie_name(ctx.secure_cookies);
    let cookie = credentials::cookie(headers, name);
    let found = resolve(conn, cookie, headers, query_token).await?;
    match found {
        Some((user, credential, _)) => {
            crate::observe::user(user.id);
            Ok(Some((current(conn, user).await?, credential)))
        }
        None => Ok(None),
    }
}

/// The user and credential behind a session cookie value, else a bearer or query token; with
/// the session row, when it was a session.
async fn resolve(
    conn: &impl ConnectionTrait,
    cookie: Option<String>,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> AppResult<Option<(user::Model, Credential, Option<entity::session::Model>)>> {
    if let Some(secret) = cookie
        && let Some((row, user)) = credentials::live_session(conn, &secret).await?
    {
        return Ok(Some((user, Credential::Session(row.id), Some(row))));
    }
    match credentials::bearer(headers).or_else(|| query_token.map(str::to_string)) {
        Some(token) => Ok(credentials::token_user(conn, &token)
            .await?
            .map(|(user, credential)| (user, credential, None))),
        None => Ok(None),
    }
}

/// The caller of the current server fn and how they proved it, if logged in. A session used
/// here is renewed (its idle timeout starts over, at most once a minute).
pub async fn caller(ctx: &Ctx) -> AppResult<Option<(CurrentUser, Credential)>> {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return Ok(None);
    };
    let name = credentials::session_cookie_name(ctx.secure_cookies);
    let cookie = credentials::cookie(&parts.headers, name);
    let Some((user, credential, session)) = resolve(&ctx.db, cookie, &parts.headers, None).await?
    else {
        return Ok(None);
    };
    crate::observe::user(user.id);
    if let Some(row) = session {
        let (idle, absolute) = (ctx.rules.accounts.session_idle, ctx.rules.session_ttl);
        // A failed renewal costs the session some idle time, not this request.
        if let Err(e) = credentials::renew_session(&ctx.db, &row, idle, absolute).await {
            tracing::warn!(error = %e, session = row.id, "session renewal failed");
        }
    }
    Ok(Some((current(&ctx.db, user).await?, credential)))
}

/// The caller of the current server fn, if logged in.
pub async fn current_user(ctx: &Ctx) -> AppResult<Option<CurrentUser>> {
    Ok(caller(ctx).await?.map(|(u, _)| u))
}

pub async fn require_user(ctx: &Ctx) -> AppResult<CurrentUser> {
    current_user(ctx).await?.ok_or(AppError::Unauthenticated)
}

/// The caller, logged in with a session cookie: what managing API tokens takes. A bearer
/// token cannot mint or revoke tokens, so revoking a leaked one really locks its holder out.
pub async fn require_session_user(ctx: &Ctx) -> AppResult<CurrentUser> {
    require_session(ctx).await.map(|(user, _)| user)
}

/// The caller and the id of the session they are logged in with (a browser's, never a bearer
/// token's): what binds something to this browser for as long as the session lasts.
pub async fn require_session(ctx: &Ctx) -> AppResult<(CurrentUser, i32)> {
    match caller(ctx).await? {
        Some((user, Credential::Session(id))) => Ok((user, id)),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthenticated),
    }
}

/// Admin: every account, by email.
pub async fn list_users(ctx: &Ctx, actor: &CurrentUser) -> AppResult<Vec<CurrentUser>> {
    actor.ensure_admin()?;
    use sea_orm::QueryOrder;
    let users = user::Entity::find()
        .order_by_asc(user::Column::Email)
        .all(&ctx.db)
        .await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        if let Some(view) = load(&ctx.db, u.id).await? {
            out.push(view);
        }
    }
    Ok(out)
}
