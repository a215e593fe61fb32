//! Account domain operations (server only).
use chrono::Utc;
use http::HeaderMap;
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};

pub mod credentials;
pub mod entity;
pub mod password;

use super::{CurrentUser, IssuedToken, Role, normalize_email, validate_password};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::{Credential, DomainEvent};
use entity::user;

/// The `CurrentUser` view of a user row, with their station assignments.
pub async fn load(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<Option<CurrentUser>> {
    let Some(u) = user::Entity::find_by_id(user_id).one(conn).await? else {
        return Ok(None);
    };
    let stations = crate::station::ssr::assigned_to(conn, u.id).await?;
    Ok(Some(CurrentUser {
        id: u.id,
        role: u.role,
        email: u.email,
        display_name: u.display_name,
        stations,
    }))
}

pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &str,
) -> AppResult<Option<user::Model>> {
    let Ok(email) = normalize_email(email) else {
        return Ok(None);
    };
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await?)
}

/// Creates an account. The password is stored only as an argon2id hash.
pub async fn register(
    conn: &impl ConnectionTrait,
    email: &str,
    display_name: &str,
    password: &str,
    role: Role,
) -> AppResult<CurrentUser> {
    let email = normalize_email(email)?;
    validate_password(password)?;
    let display_name = match display_name.trim() {
        "" => email.split('@').next().unwrap_or_default().to_string(),
        name if name.chars().count() > 100 => {
            return Err(AppError::validation(
                "A display name is at most 100 characters.",
            ));
        }
        name => name.to_string(),
    };
    let password_hash = password::hash(password.to_string()).await?;
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
    match inserted {
        Ok(u) => load(conn, u.id).await?.ok_or(AppError::Internal),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(AppError::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks credentials and starts a fresh session. Unknown email and wrong password are the
/// same error, and cost the same time.
pub async fn login(ctx: &Ctx, email: &str, password: &str) -> AppResult<(CurrentUser, String)> {
    let found = find_by_email(&ctx.db, email).await?;
    let ok = password::verify(
        password.to_string(),
        found.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match (ok, found) {
        (true, Some(u)) => u,
        _ => return Err(AppError::InvalidCredentials),
    };
    let secret = credentials::create_session(&ctx.db, user.id, ctx.rules.session_ttl).await?;
    let current = load(&ctx.db, user.id).await?.ok_or(AppError::Internal)?;
    Ok((current, secret))
}

/// Ends the session behind `secret` and closes the sockets opened with it.
pub async fn logout(ctx: &Ctx, secret: &str) -> AppResult<()> {
    if let Some(id) = credentials::delete_session(&ctx.db, secret).await? {
        let revoked = DomainEvent::CredentialRevoked {
            credential: Credential::Session(id),
        };
        ctx.announce(vec![revoked]).await?;
    }
    Ok(())
}

/// Who is calling: a session cookie, else a bearer token, else `query_token`.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> AppResult<Option<(CurrentUser, Credential)>> {
    let found = if let Some(secret) = credentials::cookie(headers, credentials::SESSION_COOKIE) {
        credentials::session_user(conn, &secret).await?
    } else {
        None
    };
    let found = match found {
        Some(f) => Some(f),
        None => match credentials::bearer(headers).or_else(|| query_token.map(str::to_string)) {
            Some(token) => credentials::token_user(conn, &token).await?,
            None => None,
        },
    };
    match found {
        Some((user_id, credential)) => Ok(load(conn, user_id).await?.map(|u| (u, credential))),
        None => Ok(None),
    }
}

/// The caller of the current server fn, if logged in.
pub async fn current_user(ctx: &Ctx) -> AppResult<Option<CurrentUser>> {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return Ok(None);
    };
    Ok(authenticate(&ctx.db, &parts.headers, None)
        .await?
        .map(|(u, _)| u))
}

pub async fn require_user(ctx: &Ctx) -> AppResult<CurrentUser> {
    current_user(ctx).await?.ok_or(AppError::Unauthenticated)
}

pub async fn issue_token(ctx: &Ctx, user: &CurrentUser, label: &str) -> AppResult<IssuedToken> {
    let label = match label.trim() {
        "" => "API token".to_string(),
        l if l.chars().count() > 100 => {
            return Err(AppError::validation(
                "A token label is at most 100 characters.",
            ));
        }
        l => l.to_string(),
    };
    let (id, token) = credentials::create_token(&ctx.db, user.id, &label).await?;
    Ok(IssuedToken { id, label, token })
}

/// Revokes one of the user's tokens and closes the sockets that used it.
pub async fn revoke_token(ctx: &Ctx, user: &CurrentUser, token_id: i32) -> AppResult<()> {
    if !credentials::delete_token(&ctx.db, user.id, token_id).await? {
        return Err(AppError::not_found("Token"));
    }
    let revoked = DomainEvent::CredentialRevoked {
        credential: Credential::Token(token_id),
    };
    ctx.announce(vec![revoked]).await
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

/// Admin: changes a user's role. Admins cannot demote themselves (someone must stay admin).
pub async fn set_role(
    ctx: &Ctx,
    actor: &CurrentUser,
    user_id: i32,
    role: Role,
) -> AppResult<CurrentUser> {
    use sea_orm::TransactionTrait;
    use sea_orm::sea_query::Expr;
    actor.ensure_admin()?;
    if user_id == actor.id && role != Role::Admin {
        return Err(AppError::validation(
            "You cannot remove your own admin role.",
        ));
    }
    let txn = ctx.db.begin().await?;
    let changed = user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::not_found("User"));
    }
    let detail = format!("user {user_id} is now {}", role.as_str());
    crate::audit::ssr::record(
        &txn,
        crate::audit::ssr::Actor::User(actor),
        None,
        crate::audit::AuditAction::RoleChanged,
        detail,
    )
    .await?;
    ctx.commit(txn, vec![]).await?;
    load(&ctx.db, user_id).await?.ok_or(AppError::Internal)
}

/// Whether an account with this id exists.
pub async fn exists(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<bool> {
    Ok(user::Entity::find_by_id(user_id).one(conn).await?.is_some())
}

/// Every account's id, in id order.
pub async fn all_ids(conn: &impl ConnectionTrait) -> AppResult<Vec<i32>> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}
