//! Login and registration throttles, shared by every instance through the `login_throttles`
//! table (the only writer of its rows).
//!
//! Each subject (an account's email, a client address, a client address registering) counts
//! attempts in a fixed window that starts at its first attempt. An attempt is counted *before*
//! its password is hashed, in one conditional upsert: parallel guesses cannot slip past the
//! limit while the first ones are still hashing, and a refused guess costs one small
//! transaction, never an argon2 run. A successful login gives its counts back.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};
use std::net::IpAddr;

use super::entity::login_throttle::{self, Column, Entity};
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::client_addr::limit_key;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// What an attempt counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A normalised email, whether or not it has an account (so a lockout reveals nothing).
    Account(String),
    /// A client address; IPv6 by its /64.
    Address(IpAddr),
    /// A client address creating accounts.
    Registration(IpAddr),
}

impl Subject {
    pub fn key(&self) -> String {
        match self {
            Subject::Account(email) => format!("account:{email}"),
            Subject::Address(ip) => format!("address:{}", limit_key(*ip)),
            Subject::Registration(ip) => format!("register:{}", limit_key(*ip)),
        }
    }
}

/// A subject and the attempts its window allows (0: unlimited).
#[derive(Debug, Clone)]
pub struct Limit {
    pub subject: Subject,
    pub max: u32,
}

/// Counts one attempt against every limit, all or none. When any subject has used up its
/// window, nothing is counted and the answer is `TooManyAttempts` with the wait until that
/// window ends.
pub async fn admit(ctx: &Ctx, limits: &[Limit], window: Duration) -> AppResult<()> {
    let limits: Vec<&Limit> = limits.iter().filter(|l| l.max > 0).collect();
    if limits.is_empty() {
        return Ok(());
    }
    // A change of its own, with no audit line and no event: the attempt is audited by the
    // login or registration it admits.
    let change = Change::begin(ctx, Actor::System).await?;
    let now = change.at();
    for limit in limits {
        let key = limit.subject.key();
        if !count(change.txn(), &key, limit.max, now, window).await? {
            let retry_after_secs = wait(change.txn(), &key, now, window).await?;
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
    }
    change.commit().await
}

/// The conditional write: a new row at 1, a stale window restarted at 1, a live one + 1 only
/// while under `max`. True when the attempt was counted.
async fn count(
    conn: &impl ConnectionTrait,
    key: &str,
    max: u32,
    now: DateTime<Utc>,
    window: Duration,
) -> AppResult<bool> {
    use sea_orm::sea_query::ExprTrait;
    let stale = Expr::col((Entity, Column::WindowStart)).lt(now - window);
    let failures = Expr::col((Entity, Column::Failures));
    let upsert = OnConflict::column(Column::Subject)
        .value(
            Column::Failures,
            Expr::case(stale.clone(), 1).finally(failures.clone().add(1)),
        )
        .value(
            Column::WindowStart,
            Expr::case(stale.clone(), now).finally(Expr::col((Entity, Column::WindowStart))),
        )
        .action_and_where(stale.or(failures.lt(i64::from(max))))
        .to_owned();
    let written = Entity::insert(login_throttle::ActiveModel {
        subject: Set(key.to_string()),
        failures: Set(1),
        window_start: Set(now),
        ..Default::default()
    })
    .on_conflict(upsert)
    .exec_without_returning(conn)
    .await?;
    Ok(written > 0)
}

/// Whole seconds until `key`'s window ends (at least 1).
async fn wait(
    conn: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
    window: Duration,
) -> AppResult<u64> {
    let row = Entity::find()
        .filter(Column::Subject.eq(key))
        .one(conn)
        .await?;
    let left = row.map_or(Duration::zero(), |r| r.window_start + window - now);
    let secs = u64::try_from(left.num_milliseconds())
        .unwrap_or(0)
        .div_ceil(1000);
    Ok(secs.max(1))
}

/// Gives back an attempt that was counted but never tried (the hash gate was full).
pub async fn uncount(conn: &impl ConnectionTrait, limits: &[Limit]) -> AppResult<()> {
    use sea_orm::sea_query::ExprTrait;
    for limit in limits.iter().filter(|l| l.max > 0) {
        Entity::update_many()
            .col_expr(Column::Failures, Expr::col(Column::Failures).sub(1))
            .filter(Column::Subject.eq(limit.subject.key()))
            .filter(Column::Failures.gt(0))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// After a successful login: the account's count starts over (only its password could do
/// that), and the address gets this attempt back (its other failures stand, so logging in to
/// one's own account between guesses at others gains nothing).
pub async fn succeeded(
    conn: &impl ConnectionTrait,
    account: &str,
    client: Option<IpAddr>,
    per_address: u32,
) -> AppResult<()> {
    Entity::delete_many()
        .filter(Column::Subject.eq(Subject::Account(account.to_string()).key()))
        .exec(conn)
        .await?;
    if let Some(ip) = client {
        let address = Limit {
            subject: Subject::Address(ip),
            max: per_address,
        };
        uncount(conn, &[address]).await?;
    }
    Ok(())
}

/// Forgets windows that have ended (the expiry sweeper); returns how many.
pub async fn sweep(conn: &impl ConnectionTrait, window: Duration) -> AppResult<u64> {
    let res = Entity::delete_many()
        .filter(Column::WindowStart.lt(Utc::now() - window))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_have_distinct_keys_and_ipv6_counts_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(Subject::Address(a).key(), Subject::Address(b).key());
        assert_eq!(Subject::Address(a).key(), "address:2001:db8:1:2::");
        assert_ne!(Subject::Address(a).key(), Subject::Registration(a).key());
        assert_eq!(
            Subject::Account("r@a.test".into()).key(),
            "account:r@a.test"
        );
    }
}
