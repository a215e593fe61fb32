//! How a socket ends: the close codes the server sends, each defined here once (the README's
//! "Limits and close codes" lists them), and [`End`]. Imports nothing: the socket's task, its
//! accounting and the hub's kicks all name their codes from here.

/// Going away: the server is shutting down.
pub const GOING_AWAY: u16 = 1001;
/// The client broke the WebSocket protocol.
pub const PROTOCOL_ERROR: u16 = 1002;
/// A text frame that is not UTF-8.
pub const INVALID_DATA: u16 = 1007;
/// The client sent more than `--ws-messages-per-second`.
pub const POLICY: u16 = 1008;
/// A message over `--ws-max-message-bytes`.
pub const TOO_BIG: u16 = 1009;
/// Try again later: the client fell more than `--ws-queue` messages behind.
pub const TRY_AGAIN: u16 = 1013;
/// The session or token the socket used was revoked.
pub const REVOKED: u16 = 4401;
/// The user's role or station assignments changed: reconnect to get the new rights.
pub const PRIVILEGES_CHANGED: u16 = 4403;
/// No answer to the server's pings within the heartbeat timeout.
pub const HEARTBEAT_TIMEOUT: u16 = 4408;

/// How a connection ends.
pub(super) enum End {
    /// We close, with this code and reason.
    Close(u16, &'static str),
    /// The client closed: send the reply tungstenite queued, then hang up.
    Answer,
    /// The connection is gone (reset, EOF, a write that timed out): nobody to tell.
    Gone,
}
