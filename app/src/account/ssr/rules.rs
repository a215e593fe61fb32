//! The account rules an operator tunes (`src/config/accounts.rs` builds them from the flags,
//! where their defaults are): session and token lifetimes, login throttles, and the
//! password-hash gate.
use chrono::Duration;

use super::password::HashGate;

#[derive(Debug, Clone)]
pub struct AccountRules {
    /// A session unused this long ends (it is renewed on use, at most once a minute); the
    /// absolute lifetime is `Rules::session_ttl`.
    pub session_idle: Duration,
    /// How long an API token works after it is created.
    pub token_ttl: Duration,
    /// Failed logins per account (email, known or not) in one `lockout` window.
    pub failures_per_account: u32,
    /// Failed logins per client address (IPv6: per /64) in one `lockout` window.
    pub failures_per_address: u32,
    /// Registrations per client address in one `lockout` window (each costs a hash).
    pub registrations_per_address: u32,
    /// The throttle window: it starts at the first failure; once a limit is reached, attempts
    /// are refused (429, `Retry-After`) until it ends.
    pub lockout: Duration,
    /// Password hashes running at once, and the short queue behind them.
    pub hash_gate: HashGate,
}

/// Live API tokens one account may hold: creating tokens costs the server nothing else, so
/// this is what bounds it.
pub const MAX_TOKENS_PER_USER: u64 = 50;
