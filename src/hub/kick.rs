//! Why the hub closes a socket: the close code and reason the socket sends.
use crate::ws::close;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kick {
    pub code: u16,
    pub reason: &'static str,
}

/// Try again later (1013): the socket fell further behind than `--ws-queue`.
pub const KICK_TOO_SLOW: Kick = Kick {
    code: close::TRY_AGAIN,
    reason: "client too slow: outgoing queue full",
};
pub const KICK_REVOKED: Kick = Kick {
    code: close::REVOKED,
    reason: "credentials revoked",
};
pub const KICK_PRIVILEGES_CHANGED: Kick = Kick {
    code: close::PRIVILEGES_CHANGED,
    reason: "privileges changed: reconnect",
};
/// Going away (1001): the server is shutting down.
pub const KICK_SHUTDOWN: Kick = Kick {
    code: close::GOING_AWAY,
    reason: "server shutting down",
};
