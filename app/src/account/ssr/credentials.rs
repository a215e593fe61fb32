//! Login sessions (cookie) and API tokens (bearer). Both are 256-bit random secrets of which
//! only a SHA-256 is stored: the database alone never grants access.
use chrono::Utc;
use http::HeaderMap;
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};
use sha2::{Digest, Sha256};

use super::entity::{api_token, session, user};
use crate::error::AppResult;
use crate::feed::ssr::Credential;

/// The session cookie over plain http (development, tests).
pub const SESSION_COOKIE: &str = "bs_session";
/// The session cookie behind https: the `__Host-` prefix makes browsers refuse it unless it is
/// `Secure`, `Path=/` and has no `Domain`, so a sibling subdomain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-bs_session";

/// Sessions are renewed on use at most this often, so a busy session is not a write per request.
pub const RENEW_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// The session cookie's name for this deployment (`secure`: the public URL is https).
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

pub fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Starts a session for `user_id`; returns the cookie value.
pub async fn create_session(
    conn: &impl ConnectionTrait,
    user_id: i32,
    ttl: chrono::Duration,
) -> AppResult<String> {
    let secret = new_secret();
    let now = Utc::now();
    session::ActiveModel {
        token_hash: Set(digest(&secret)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(secret)
}

/// Deletes the session behind a cookie value; returns it if there was one.
pub async fn delete_session(
    conn: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<session::Model>> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .one(conn)
        .await?;
    if let Some(s) = &found {
        session::Entity::delete_by_id(s.id).exec(conn).await?;
    }
    Ok(found)
}

/// Pushes a used session's idle expiry to `now + idle`, never past `created_at + absolute`,
/// and only when its last renewal is over a minute old: checked on the row already read, so
/// most requests write nothing. A session in its last `idle` stretch is left alone: its expiry
/// already falls within the absolute limit. True when it wrote.
pub async fn renew_session(
    conn: &impl ConnectionTrait,
    row: &session::Model,
    idle: chrono::Duration,
    absolute: chrono::Duration,
) -> AppResult<bool> {
    use sea_orm::sea_query::Expr;
    let now = Utc::now();
    let renewed = now + idle;
    let due = row.expires_at < renewed - RENEW_EVERY && row.created_at >= renewed - absolute;
    if !due {
        return Ok(false);
    }
    // The same conditions again in the write: two requests racing renew once.
    let res = session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, Expr::value(renewed))
        .filter(session::Column::Id.eq(row.id))
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::ExpiresAt.lt(renewed - RENEW_EVERY))
        .filter(session::Column::CreatedAt.gte(renewed - absolute))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The session behind a cookie value, if valid and unexpired, with its user (one query: every
/// signed-in request starts here).
pub async fn live_session(
    conn: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<(session::Model, user::Model)>> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .find_also_related(user::Entity)
        .one(conn)
        .await?;
    Ok(found.and_then(|(s, u)| Some((s, u?))))
}

/// The user behind an unexpired API token, and the token as their credential (one query).
pub async fn token_user(
    conn: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<(user::Model, Credential)>> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(secret)))
        .filter(api_token::Column::ExpiresAt.gt(Utc::now()))
        .find_also_related(user::Entity)
        .one(conn)
        .await?;
    Ok(found.and_then(|(t, u)| Some((u?, Credential::Token(t.id)))))
}

/// Issues a token for `user_id` that works for `ttl`; returns it with its secret.
pub async fn create_token(
    conn: &impl ConnectionTrait,
    user_id: i32,
    label: &str,
    ttl: chrono::Duration,
) -> AppResult<(api_token::Model, String)> {
    let secret = new_secret();
    let now = Utc::now();
    let model = api_token::ActiveModel {
        token_hash: Set(digest(&secret)),
        user_id: Set(user_id),
        label: Set(label.to_string()),
        created_at: Set(now),
        expires_at: Set(Some(now + ttl)),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((model, secret))
}

/// `user_id`'s tokens that still work, newest first.
pub async fn live_tokens(
    conn: &impl ConnectionTrait,
    user_id: i32,
) -> AppResult<Vec<api_token::Model>> {
    use sea_orm::QueryOrder;
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(api_token::Column::Id)
        .all(conn)
        .await?)
}

/// The live token of `user_id` behind `secret`, if there is one.
pub async fn own_token(
    conn: &impl ConnectionTrait,
    user_id: i32,
    secret: &str,
) -> AppResult<Option<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(secret)))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::ExpiresAt.gt(Utc::now()))
        .one(conn)
        .await?)
}

/// Deletes one of `user_id`'s tokens; false when there is no such token of theirs.
pub async fn delete_token(
    conn: &impl ConnectionTrait,
    user_id: i32,
    token_id: i32,
) -> AppResult<bool> {
    let res = api_token::Entity::delete_many()
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Deletes up to `batch` expired sessions and up to `batch` expired (or undated) tokens;
/// returns their ids, so the sockets opened with them can be closed.
pub async fn delete_expired(
    conn: &impl ConnectionTrait,
    batch: u64,
) -> AppResult<(Vec<i32>, Vec<i32>)> {
    use sea_orm::{QuerySelect, sea_query::Condition};
    let now = Utc::now();
    let sessions: Vec<i32> = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::ExpiresAt.lte(now))
        .limit(batch)
        .into_tuple()
        .all(conn)
        .await?;
    if !sessions.is_empty() {
        session::Entity::delete_many()
            .filter(session::Column::Id.is_in(sessions.clone()))
            .exec(conn)
            .await?;
    }
    let expired = Condition::any()
        .add(api_token::Column::ExpiresAt.lte(now))
        .add(api_token::Column::ExpiresAt.is_null());
    let tokens: Vec<i32> = api_token::Entity::find()
        .select_only()
        .column(api_token::Column::Id)
        .filter(expired)
        .limit(batch)
        .into_tuple()
        .all(conn)
        .await?;
    if !tokens.is_empty() {
        api_token::Entity::delete_many()
            .filter(api_token::Column::Id.is_in(tokens.clone()))
            .exec(conn)
            .await?;
    }
    Ok((sessions, tokens))
}

/// The value of one cookie in a request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The bearer token of an `Authorization` header.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// `Set-Cookie` for a new session; `HttpOnly`, `SameSite=Lax`, and behind https `Secure`
/// under the `__Host-` name (`Path=/`, no `Domain`).
pub fn session_cookie(secret: &str, max_age: chrono::Duration, secure: bool) -> String {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.num_seconds()
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", chrono::Duration::zero(), secure)
}

/// Carries a just-created token's secret across the redirect of a plain (no-JavaScript) form
/// post to the tokens page, which shows it once and clears it. Strict, short-lived, `HttpOnly`.
pub fn new_token_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-bs_new_token"
    } else {
        "bs_new_token"
    }
}

pub fn new_token_cookie(secret: &str, max_age: chrono::Duration, secure: bool) -> String {
    let name = new_token_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        max_age.num_seconds()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_bit_and_distinct() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(digest(&a), a);
    }

    #[test]
    fn reads_cookies_and_bearer() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "a=1; bs_session=abc; b=2".parse().unwrap(),
        );
        h.insert(http::header::AUTHORIZATION, "Bearer tok".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(bearer(&h).as_deref(), Some("tok"));
    }

    #[test]
    fn cookie_flags() {
        let c = session_cookie("s", chrono::Duration::days(1), true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"));
        assert!(c.starts_with("__Host-bs_session=s; Path=/;") && !c.contains("Domain"));
        let plain = session_cookie("s", chrono::Duration::days(1), false);
        assert!(plain.starts_with("bs_session=s;") && !plain.contains("Secure"));
    }
}
