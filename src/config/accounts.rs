//! Accounts: session and token lifetimes, login throttles, and the password-hash gate.
use app::account::ssr::AccountRules;
use app::account::ssr::password::HashGate;
use clap::Args;

use super::ranges::{at_least, between};

#[derive(Debug, Clone, Args)]
pub struct Accounts {
    /// Minutes a login session may go unused before it ends (use renews it).
    #[arg(
        long = "session-idle-minutes",
        env = "BATTERY_SWAP_SESSION_IDLE_MINUTES",
        value_name = "MINUTES",
        default_value_t = 7 * 24 * 60,
        value_parser = between::<u32>(1, 5256000),
        allow_negative_numbers = true
    )]
    pub session_idle_minutes: u32,

    /// Days a login session lasts at most, however often it is used.
    #[arg(
        long = "session-days",
        env = "BATTERY_SWAP_SESSION_DAYS",
        value_name = "DAYS",
        default_value_t = 30,
        value_parser = between::<u32>(1, 3650),
        allow_negative_numbers = true
    )]
    pub session_days: u32,

    /// Days an API token works after it is created.
    #[arg(
        long = "token-days",
        env = "BATTERY_SWAP_TOKEN_DAYS",
        value_name = "DAYS",
        default_value_t = 90,
        value_parser = between::<u32>(1, 3650),
        allow_negative_numbers = true
    )]
    pub token_days: u32,

    /// Failed logins per account (email) in one lockout window; more get HTTP 429 with
    /// `Retry-After` until the window ends. 0: no limit.
    #[arg(
        long = "login-failures-per-account",
        env = "BATTERY_SWAP_LOGIN_FAILURES_PER_ACCOUNT",
        value_name = "N",
        default_value_t = 5,
        value_parser = at_least::<u32>(0),
        allow_negative_numbers = true
    )]
    pub login_failures_per_account: u32,

    /// Failed logins per client address (IPv6: per /64) in one lockout window. 0: no limit.
    #[arg(
        long = "login-failures-per-address",
        env = "BATTERY_SWAP_LOGIN_FAILURES_PER_ADDRESS",
        value_name = "N",
        default_value_t = 20,
        value_parser = at_least::<u32>(0),
        allow_negative_numbers = true
    )]
    pub login_failures_per_address: u32,

    /// Registrations per client address in one lockout window. 0: no limit.
    #[arg(
        long = "registrations-per-address",
        env = "BATTERY_SWAP_REGISTRATIONS_PER_ADDRESS",
        value_name = "N",
        default_value_t = 30,
        value_parser = at_least::<u32>(0),
        allow_negative_numbers = true
    )]
    pub registrations_per_address: u32,

    /// The login throttles' window, in seconds; it starts at the first failure.
    #[arg(
        long = "login-lockout-seconds",
        env = "BATTERY_SWAP_LOGIN_LOCKOUT_SECONDS",
        value_name = "SECONDS",
        default_value_t = 900,
        value_parser = between::<u32>(1, 31536000),
        allow_negative_numbers = true
    )]
    pub login_lockout_seconds: u32,

    /// Password hashes (argon2id, 19 MiB each) run at once. 0: one per CPU core.
    #[arg(
        long = "hash-concurrency",
        env = "BATTERY_SWAP_HASH_CONCURRENCY",
        value_name = "N",
        default_value_t = 0,
        value_parser = at_least::<usize>(0),
        allow_negative_numbers = true
    )]
    pub hash_concurrency: usize,

    /// Logins and registrations that may wait for a hashing slot; more get HTTP 503 with
    /// `Retry-After`.
    #[arg(
        long = "hash-queue",
        env = "BATTERY_SWAP_HASH_QUEUE",
        value_name = "N",
        default_value_t = 32,
        value_parser = at_least::<usize>(0),
        allow_negative_numbers = true
    )]
    pub hash_queue: usize,
}

impl Accounts {
    /// A login session's absolute lifetime (`--session-days`).
    pub fn session_ttl(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.session_days))
    }

    /// Session idle timeout, token lifetime, login throttles and the hash gate.
    pub fn rules(&self) -> AccountRules {
        AccountRules {
            session_idle: chrono::Duration::minutes(i64::from(self.session_idle_minutes)),
            token_ttl: chrono::Duration::days(i64::from(self.token_days)),
            failures_per_account: self.login_failures_per_account,
            failures_per_address: self.login_failures_per_address,
            registrations_per_address: self.registrations_per_address,
            lockout: chrono::Duration::seconds(i64::from(self.login_lockout_seconds)),
            hash_gate: HashGate::new(self.hash_concurrency, self.hash_queue),
        }
    }
}
