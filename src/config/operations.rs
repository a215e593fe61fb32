//! Operations: the database, the built site, logs, metrics and shutdown.
use clap::Args;
use std::net::SocketAddr;
use std::time::Duration;

use super::ranges::at_least;
use crate::logging::LogFormat;

#[derive(Debug, Clone, Args)]
pub struct Operations {
    /// Database: an SQLite file (created when missing) or `postgres://...`.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        value_name = "URL",
        default_value = "sqlite://battery-swap.db"
    )]
    pub database_url: String,

    /// Database connections this instance may open (default: 8 on SQLite, 32 on PostgreSQL).
    /// On PostgreSQL, instances × this + one listener each must stay under the server's
    /// `max_connections` (100 by default).
    #[arg(
        long = "db-connections",
        env = "BATTERY_SWAP_DB_CONNECTIONS",
        value_name = "N",
        value_parser = at_least::<u32>(1),
        allow_negative_numbers = true
    )]
    pub db_connections: Option<u32>,

    /// Where `cargo leptos build` put the compiled site (wasm, JS, CSS, assets).
    #[arg(
        long = "site-root",
        env = "LEPTOS_SITE_ROOT",
        value_name = "DIR",
        default_value = "target/site"
    )]
    pub site_root: String,

    /// Log lines as `text` (for people) or `json` (one object per line, for log search).
    /// Filtered by `RUST_LOG` (default `info`).
    #[arg(
        long = "log-format",
        env = "BATTERY_SWAP_LOG_FORMAT",
        value_name = "FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,

    /// Where to serve Prometheus metrics (`GET /metrics`), e.g. `127.0.0.1:9100`. Off unless
    /// set; never on `--addr`: keep it on a private address that only Prometheus reaches.
    #[arg(
        long = "metrics-addr",
        env = "BATTERY_SWAP_METRICS_ADDR",
        value_name = "HOST:PORT"
    )]
    pub metrics_addr: Option<SocketAddr>,

    /// On SIGTERM or Ctrl-C: how long to wait, in milliseconds, for sockets to be sent their
    /// 1001 close and requests in flight to finish before exiting anyway (0: do not wait).
    #[arg(
        long = "shutdown-grace-ms",
        env = "BATTERY_SWAP_SHUTDOWN_GRACE_MS",
        value_name = "MS",
        default_value_t = 5_000,
        value_parser = at_least::<u64>(0),
        allow_negative_numbers = true
    )]
    pub shutdown_grace_ms: u64,
}

impl Operations {
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }
}
