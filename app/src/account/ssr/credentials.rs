//! Login sessions (cookie) and API tokens (bearer). Both are 256-bit random secrets of which
//! only a SHA-256 is stored: the database alone never grants access.
use chrono::Utc;
use http::HeaderMap;
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};
use sha2::{Digest, Sha256};

use super::entity::{api_token, session};
use crate::error::AppResult;
use crate::feed::ssr::Credential;

pub const SESSION_COOKIE: &str = "bs_session";

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

/// Deletes the session behind a cookie value; returns its id if there was one.
pub async fn delete_session(conn: &impl ConnectionTrait, secret: &str) -> AppResult<Option<i32>> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .one(conn)
        .await?;
    if let Some(s) = &found {
        session::Entity::delete_by_id(s.id).exec(conn).await?;
    }
    Ok(found.map(|s| s.id))
}

/// The user and credential behind a session cookie value, if valid and unexpired.
pub async fn session_user(
    conn: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<(i32, Credential)>> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .one(conn)
        .await?;
    Ok(found.map(|s| (s.user_id, Credential::Session(s.id))))
}

pub async fn token_user(
    conn: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<(i32, Credential)>> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(secret)))
        .one(conn)
        .await?;
    Ok(found.map(|t| (t.user_id, Credential::Token(t.id))))
}

pub async fn create_token(
    conn: &impl ConnectionTrait,
    user_id: i32,
    label: &str,
) -> AppResult<(i32, String)> {
    let secret = new_secret();
    let model = api_token::ActiveModel {
        token_hash: Set(digest(&secret)),
        user_id: Set(user_id),
        label: Set(label.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((model.id, secret))
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

/// `Set-Cookie` for a new session; `HttpOnly`, `SameSite=Lax`, and `Secure` behind https.
pub fn session_cookie(secret: &str, max_age: chrono::Duration, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.num_seconds()
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", chrono::Duration::zero(), secure)
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
        assert!(!session_cookie("s", chrono::Duration::days(1), false).contains("Secure"));
    }
}
