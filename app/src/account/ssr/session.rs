//! Logging in, signing up and logging out, as a request does them: throttled per account and
//! per client address (`throttle.rs`), hashing only through the gate, and each one in the
//! audit trail with the client address.
use std::net::IpAddr;

use super::throttle::{self, Limit, Subject};
use super::{credentials, entity, find_by_email, load};
use crate::account::{CurrentUser, Role, normalize_email};
use crate::audit::{AuditAction, ssr::Actor};
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::{Credential, DomainEvent};

/// Where a request came from, in words for the audit trail.
pub fn from(client: Option<IpAddr>) -> String {
    client.map_or_else(
        || "from an unknown address".into(),
        |ip| format!("from {ip}"),
    )
}

/// A session just started: who, and the cookie value.
pub struct Started {
    pub user: CurrentUser,
    pub secret: String,
}

/// Checks credentials and starts a fresh session. Unknown email and wrong password are the
/// same error, cost the same time and count the same against the throttles, so neither the
/// answer nor a lockout tells whether an account exists. `replacing` is the session cookie the
/// browser already had: it ends only if this login succeeds.
pub async fn login(
    ctx: &Ctx,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
    replacing: Option<&str>,
) -> AppResult<Started> {
    let rules = &ctx.rules.accounts;
    let account = normalize_email(email).ok();
    let mut limits = Vec::with_capacity(2);
    if let Some(ip) = client {
        limits.push(Limit {
            subject: Subject::Address(ip),
            max: rules.failures_per_address,
        });
    }
    if let Some(email) = &account {
        limits.push(Limit {
            subject: Subject::Account(email.clone()),
            max: rules.failures_per_account,
        });
    }
    throttle::admit(ctx, &limits, rules.lockout)
        .await
        .inspect_err(|e| warn_throttled(e, "login", account.as_deref(), client))?;
    // No account has a malformed email: refused without hashing, still counted on the address.
    let Some(email) = account else {
        return failed(ctx, None, "(invalid email)", client).await;
    };
    let found = find_by_email(&ctx.db, &email).await?;
    let stored = found.as_ref().map(|u| u.password_hash.clone());
    let ok = match rules.hash_gate.verify(password.to_string(), stored).await {
        Ok(ok) => ok,
        Err(e) => {
            // Busy: no guess was made, so it does not count.
            throttle::uncount(&ctx.db, &limits).await?;
            return Err(e);
        }
    };
    let user = match (ok, found) {
        (true, Some(u)) => u,
        (_, found) => return failed(ctx, found.as_ref(), &email, client).await,
    };
    let mut change = Change::begin(ctx, Actor::System).await?;
    let secret = credentials::create_session(change.txn(), user.id, session_life(ctx)).await?;
    throttle::succeeded(change.txn(), &email, client, rules.failures_per_address).await?;
    if let Some(replaced) = end_replaced(change.txn(), replacing).await? {
        change.raise(Event::CredentialRevoked(replaced));
    }
    let current = load(change.txn(), user.id)
        .await?
        .ok_or(AppError::Internal)?;
    change.act_as(Actor::User(&current));
    change.audit(None, AuditAction::LoggedIn, from(client));
    change.commit().await?;
    Ok(Started {
        user: current,
        secret,
    })
}

/// Logs a refusal by the throttles (other errors are logged where they happen).
fn warn_throttled(e: &AppError, attempt: &str, email: Option<&str>, client: Option<IpAddr>) {
    if matches!(e, AppError::TooManyAttempts { .. }) {
        let email = email.unwrap_or("(invalid)");
        tracing::warn!(attempt, email, client = ?client, "throttled");
    }
}

/// A refused password: logged (never the password), in the audit trail, `InvalidCredentials`.
async fn failed(
    ctx: &Ctx,
    user: Option<&entity::user::Model>,
    email: &str,
    client: Option<IpAddr>,
) -> AppResult<Started> {
    tracing::warn!(email, client = ?client, known = user.is_some(), "login failed");
    // An unknown email is recorded under the name tried, with no account id.
    let actor = CurrentUser {
        id: user.map_or(0, |u| u.id),
        email: email.to_string(),
        display_name: String::new(),
        role: user.map_or(Role::Rider, |u| u.role),
        stations: vec![],
        pack_model: None,
    };
    let detail = match user {
        Some(_) => from(client),
        None => format!("{}; no such account", from(client)),
    };
    crate::audit::ssr::record(
        &ctx.db,
        (Actor::User(&actor), client),
        None,
        AuditAction::LoginFailed,
        detail,
    )
    .await?;
    Err(AppError::InvalidCredentials)
}

/// Creates a rider account and logs it in: validated first (cheap), then counted against the
/// client address's registrations, then hashed through the gate.
pub async fn sign_up(
    ctx: &Ctx,
    email: &str,
    display_name: &str,
    password: &str,
    client: Option<IpAddr>,
    replacing: Option<&str>,
) -> AppResult<Started> {
    let rules = &ctx.rules.accounts;
    let (email, display_name) = super::check_new_account(email, display_name, password)?;
    let limits: Vec<Limit> = client
        .map(|ip| Limit {
            subject: Subject::Registration(ip),
            max: rules.registrations_per_address,
        })
        .into_iter()
        .collect();
    throttle::admit(ctx, &limits, rules.lockout)
        .await
        .inspect_err(|e| warn_throttled(e, "registration", Some(&email), client))?;
    let password_hash = match rules.hash_gate.hash(password.to_string()).await {
        Ok(hash) => hash,
        Err(e) => {
            throttle::uncount(&ctx.db, &limits).await?;
            return Err(e);
        }
    };
    let mut change = Change::begin(ctx, Actor::System).await?;
    let txn = change.txn();
    let id = super::insert_user(txn, email, display_name, password_hash, Role::Rider).await?;
    let secret = credentials::create_session(txn, id, session_life(ctx)).await?;
    let replaced = end_replaced(txn, replacing).await?;
    let current = load(txn, id).await?.ok_or(AppError::Internal)?;
    if let Some(replaced) = replaced {
        change.raise(Event::CredentialRevoked(replaced));
    }
    change.act_as(Actor::User(&current));
    change.audit(
        None,
        AuditAction::LoggedIn,
        format!("registered {}", from(client)),
    );
    change.commit().await?;
    Ok(Started {
        user: current,
        secret,
    })
}

/// Ends the session behind `secret` and closes the sockets opened with it.
pub async fn logout(ctx: &Ctx, secret: &str, client: Option<IpAddr>) -> AppResult<()> {
    let mut change = Change::begin(ctx, Actor::System).await?;
    let Some(ended) = credentials::delete_session(change.txn(), secret).await? else {
        return Ok(());
    };
    if let Some(user) = load(change.txn(), ended.user_id).await? {
        change.act_as(Actor::User(&user));
        change.audit(None, AuditAction::LoggedOut, from(client));
    }
    change.raise(Event::CredentialRevoked(Credential::Session(ended.id)));
    change.commit().await
}

/// A new session lasts the idle timeout, renewed on use up to the absolute lifetime.
fn session_life(ctx: &Ctx) -> chrono::Duration {
    ctx.rules.accounts.session_idle.min(ctx.rules.session_ttl)
}

/// A login replaces the browser's previous session (a fresh id every time): deleted in the
/// login's transaction, its sockets closed once it commits.
async fn end_replaced(
    txn: &sea_orm::DatabaseTransaction,
    replacing: Option<&str>,
) -> AppResult<Option<Credential>> {
    let Some(secret) = replacing else {
        return Ok(None);
    };
    let old = credentials::delete_session(txn, secret).await?;
    Ok(old.map(|old| Credential::Session(old.id)))
}

/// The expiry sweeper's account step: expired sessions and tokens deleted (their sockets
/// closed), ended throttle windows forgotten. Returns (sessions, tokens, throttle rows).
pub async fn sweep(ctx: &Ctx) -> AppResult<(usize, usize, u64)> {
    let (sessions, tokens) = credentials::delete_expired(&ctx.db, 1000).await?;
    let revoked: Vec<DomainEvent> = sessions
        .iter()
        .map(|id| Credential::Session(*id))
        .chain(tokens.iter().map(|id| Credential::Token(*id)))
        .map(|credential| DomainEvent::CredentialRevoked { credential })
        .collect();
    if !revoked.is_empty() {
        ctx.announce(revoked).await?;
    }
    let throttles = throttle::sweep(&ctx.db, ctx.rules.accounts.lockout).await?;
    Ok((sessions.len(), tokens.len(), throttles))
}
