//! WebSockets: what one client may send and hold open, what the instance holds, and how
//! silent sockets are found.
use clap::Args;
use std::time::Duration;

use super::ranges::at_least;

#[derive(Debug, Clone, Args)]
pub struct Sockets {
    /// Largest WebSocket message a client may send, in bytes; larger closes with 1009.
    #[arg(
        long = "ws-max-message-bytes",
        env = "BATTERY_SWAP_WS_MAX_MESSAGE_BYTES",
        value_name = "BYTES",
        default_value_t = 64 * 1024,
        value_parser = at_least::<usize>(1),
        allow_negative_numbers = true
    )]
    pub max_message_bytes: usize,

    /// Messages per second a client may send (bursts up to twice that); more closes with 1008.
    #[arg(
        long = "ws-messages-per-second",
        env = "BATTERY_SWAP_WS_MESSAGES_PER_SECOND",
        value_name = "N",
        default_value_t = 20,
        value_parser = at_least::<u32>(1),
        allow_negative_numbers = true
    )]
    pub messages_per_second: u32,

    /// New WebSocket connections per minute from one IP address; more get HTTP 429.
    #[arg(
        long = "ws-connects-per-minute",
        env = "BATTERY_SWAP_WS_CONNECTS_PER_MINUTE",
        value_name = "N",
        default_value_t = 120,
        value_parser = at_least::<u32>(1),
        allow_negative_numbers = true
    )]
    pub connects_per_minute: u32,

    /// Outgoing messages queued per socket; a client further behind is closed with 1013.
    #[arg(
        long = "ws-queue",
        env = "BATTERY_SWAP_WS_QUEUE",
        value_name = "MESSAGES",
        default_value_t = 256,
        value_parser = at_least::<usize>(1),
        allow_negative_numbers = true
    )]
    pub queue: usize,

    /// How often the server pings each socket, in milliseconds.
    #[arg(
        long = "ws-heartbeat-ms",
        env = "BATTERY_SWAP_WS_HEARTBEAT_MS",
        value_name = "MS",
        default_value_t = 30_000,
        value_parser = at_least::<u64>(1),
        allow_negative_numbers = true
    )]
    pub heartbeat_ms: u64,

    /// How long after a missed ping a silent socket is dropped (close 4408), in milliseconds.
    #[arg(
        long = "ws-heartbeat-timeout-ms",
        env = "BATTERY_SWAP_WS_HEARTBEAT_TIMEOUT_MS",
        value_name = "MS",
        default_value_t = 10_000,
        value_parser = at_least::<u64>(1),
        allow_negative_numbers = true
    )]
    pub heartbeat_timeout_ms: u64,

    /// WebSocket sockets one client may hold open at once (IPv4 address, or IPv6 /64); more
    /// get HTTP 429. Behind a proxy, set `--trusted-proxies` or every client counts as one.
    #[arg(
        long = "ws-max-sockets-per-client",
        env = "BATTERY_SWAP_WS_MAX_SOCKETS_PER_CLIENT",
        value_name = "N",
        default_value_t = 200,
        value_parser = at_least::<usize>(1),
        allow_negative_numbers = true
    )]
    pub max_sockets_per_client: usize,

    /// WebSocket sockets this instance holds open at once; more get HTTP 503. Keep it well
    /// under the process's open-file limit (each socket is one file descriptor).
    #[arg(
        long = "ws-max-sockets",
        env = "BATTERY_SWAP_WS_MAX_SOCKETS",
        value_name = "N",
        default_value_t = 10_000,
        value_parser = at_least::<usize>(1),
        allow_negative_numbers = true
    )]
    pub max_sockets: usize,
}

impl Sockets {
    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms)
    }

    pub fn heartbeat_timeout(&self) -> Duration {
        Duration::from_millis(self.heartbeat_timeout_ms)
    }
}
