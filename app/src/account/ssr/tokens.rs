//! API tokens as their owner manages them: issue (the secret shown once), list (never the
//! secret), revoke. Each change is in the audit trail with the client address. Who may call
//! these (a session, never a bearer token) is the server fns' `require_session_user`.
use sea_orm::{ConnectionTrait, PaginatorTrait, QueryFilter, entity::prelude::*};
use std::net::IpAddr;

use super::entity::api_token;
use super::rules::MAX_TOKENS_PER_USER;
use super::{credentials, session::from};
use crate::account::{CurrentUser, IssuedToken, TokenInfo};
use crate::audit::{AuditAction, ssr::Actor};
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::Credential;

/// Issues a token that works for `--token-days`. An account holds at most
/// [`MAX_TOKENS_PER_USER`] live tokens.
pub async fn issue_token(
    ctx: &Ctx,
    user: &CurrentUser,
    label: &str,
    client: Option<IpAddr>,
) -> AppResult<IssuedToken> {
    let label = match crate::text::line("A token label", label, 100, false)? {
        l if l.is_empty() => "API token".to_string(),
        l => l,
    };
    let mut change = Change::begin(ctx, Actor::User(user)).await?;
    let ttl = ctx.rules.accounts.token_ttl;
    let (token, secret) = credentials::create_token(change.txn(), user.id, &label, ttl).await?;
    if live_count(change.txn(), user.id).await? > MAX_TOKENS_PER_USER {
        return Err(AppError::validation(format!(
            "You have {MAX_TOKENS_PER_USER} tokens already: revoke one first."
        )));
    }
    let detail = format!("token {} ({label}) {}", token.id, from(client));
    change.audit(None, AuditAction::TokenCreated, detail);
    change.commit().await?;
    Ok(IssuedToken {
        id: token.id,
        label,
        token: secret,
    })
}

async fn live_count(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<u64> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::ExpiresAt.gt(chrono::Utc::now()))
        .count(conn)
        .await?)
}

/// The user's working tokens, newest first: label and dates, never the secret.
pub async fn list_tokens(ctx: &Ctx, user: &CurrentUser) -> AppResult<Vec<TokenInfo>> {
    Ok(credentials::live_tokens(&ctx.db, user.id)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            label: t.label,
            created_at: crate::feed::timestamp(t.created_at),
            expires_at: t.expires_at.map(crate::feed::timestamp).unwrap_or_default(),
        })
        .collect())
}

/// Revokes one of the user's tokens and closes the sockets that used it.
pub async fn revoke_token(
    ctx: &Ctx,
    user: &CurrentUser,
    token_id: i32,
    client: Option<IpAddr>,
) -> AppResult<()> {
    let mut change = Change::begin(ctx, Actor::User(user)).await?;
    if !credentials::delete_token(change.txn(), user.id, token_id).await? {
        return Err(AppError::not_found("Token"));
    }
    change.audit(
        None,
        AuditAction::TokenRevoked,
        format!("token {token_id} {}", from(client)),
    );
    change.raise(Event::CredentialRevoked(Credential::Token(token_id)));
    change.commit().await
}

/// The token a plain form post just created, carried to the tokens page by a short-lived
/// cookie: shown if it is a live token of this user (a planted cookie shows nothing).
pub async fn take_new_token(
    ctx: &Ctx,
    user: &CurrentUser,
    secret: &str,
) -> AppResult<Option<IssuedToken>> {
    Ok(credentials::own_token(&ctx.db, user.id, secret)
        .await?
        .map(|t| IssuedToken {
            id: t.id,
            label: t.label,
            token: secret.to_string(),
        }))
}
