//! The server's configuration: CLI flags with environment fallbacks, parsed once at start.
use clap::Parser;
use std::net::SocketAddr;
use std::time::Duration;

mod validate;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "battery-swap",
    version,
    about = "Live battery-swap network server"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "BATTERY_SWAP_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,

    /// Where to serve Prometheus metrics (`GET /metrics`), e.g. `127.0.0.1:9100`. Off unless
    /// set; never on `--addr`: keep it on a private address that only Prometheus reaches.
    #[arg(long, env = "BATTERY_SWAP_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Log lines as `text` (for people) or `json` (one object per line, for log search).
    /// Filtered by `RUST_LOG` (default `info`).
    #[arg(
        long,
        env = "BATTERY_SWAP_LOG_FORMAT",
        value_enum,
        default_value_t = crate::logging::LogFormat::Text
    )]
    pub log_format: crate::logging::LogFormat,

    /// Database: an SQLite file (created when missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://battery-swap.db")]
    pub database_url: String,

    /// Database connections this instance may open (default: 8 on SQLite, 32 on PostgreSQL).
    /// On PostgreSQL, instances × this + one listener each must stay under the server's
    /// `max_connections` (100 by default).
    #[arg(long, env = "BATTERY_SWAP_DB_CONNECTIONS")]
    pub db_connections: Option<u32>,

    /// Load demo stations, batteries and accounts into an empty database.
    #[arg(long, env = "BATTERY_SWAP_DEMO")]
    pub demo: bool,

    /// With `--demo`: how fast each demo station's simulated charger charges its packs, in
    /// percent per minute (0: no chargers). They report through `/api/report_batteries`.
    #[arg(long, env = "BATTERY_SWAP_DEMO_CHARGER_RATE", default_value_t = 6.0)]
    pub demo_charger_rate: f64,

    /// The URL users reach the app at; `https://...` marks cookies `Secure`.
    #[arg(long, env = "BATTERY_SWAP_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Browser origins allowed to open WebSockets (comma-separated). Default: the public URL,
    /// or `http://<addr>` and `http://localhost:<port>`.
    #[arg(long, env = "BATTERY_SWAP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Reverse proxies (CIDRs or addresses, comma-separated) whose `Forwarded` /
    /// `X-Forwarded-For` is believed; the client is the rightmost address they did not add.
    /// Without it the TCP peer is the client.
    #[arg(long, env = "BATTERY_SWAP_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// Where `cargo leptos build` put the compiled site (wasm, JS, CSS, assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Largest WebSocket message a client may send, in bytes; larger closes with 1009.
    #[arg(long, env = "BATTERY_SWAP_WS_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub ws_max_message_bytes: usize,

    /// Messages per second a client may send (bursts up to twice that); more closes with 1008.
    #[arg(
        long,
        env = "BATTERY_SWAP_WS_MESSAGES_PER_SECOND",
        default_value_t = 20
    )]
    pub ws_messages_per_second: u32,

    /// New WebSocket connections per minute from one IP address; more get HTTP 429.
    #[arg(
        long,
        env = "BATTERY_SWAP_WS_CONNECTS_PER_MINUTE",
        default_value_t = 120
    )]
    pub ws_connects_per_minute: u32,

    /// Outgoing messages queued per socket; a client further behind is closed with 1013.
    #[arg(long, env = "BATTERY_SWAP_WS_QUEUE", default_value_t = 256)]
    pub ws_queue: usize,

    /// How often the server pings each socket, in milliseconds.
    #[arg(long, env = "BATTERY_SWAP_WS_HEARTBEAT_MS", default_value_t = 30_000)]
    pub ws_heartbeat_ms: u64,

    /// How long after a missed ping a silent socket is dropped (close 4408), in milliseconds.
    #[arg(
        long,
        env = "BATTERY_SWAP_WS_HEARTBEAT_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub ws_heartbeat_timeout_ms: u64,

    /// WebSocket sockets one client may hold open at once (IPv4 address, or IPv6 /64); more
    /// get HTTP 429. Behind a proxy, set `--trusted-proxies` or every client counts as one.
    #[arg(
        long,
        env = "BATTERY_SWAP_WS_MAX_SOCKETS_PER_CLIENT",
        default_value_t = 200
    )]
    pub ws_max_sockets_per_client: usize,

    /// WebSocket sockets this instance holds open at once; more get HTTP 503. Keep it well
    /// under the process's open-file limit (each socket is one file descriptor).
    #[arg(long, env = "BATTERY_SWAP_WS_MAX_SOCKETS", default_value_t = 10_000)]
    pub ws_max_sockets: usize,

    /// How long a client may take to send a request's headers, in milliseconds (also how long
    /// an idle keep-alive connection stays open); then the connection is closed.
    #[arg(
        long,
        env = "BATTERY_SWAP_HTTP_HEADER_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub http_header_timeout_ms: u64,

    /// How long a request may take from its headers to its response (reading the body
    /// included), in milliseconds; then it gets HTTP 408.
    #[arg(
        long,
        env = "BATTERY_SWAP_HTTP_REQUEST_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub http_request_timeout_ms: u64,

    /// On SIGTERM or Ctrl-C: how long to wait, in milliseconds, for sockets to be sent their
    /// 1001 close and requests in flight to finish before exiting anyway.
    #[arg(long, env = "BATTERY_SWAP_SHUTDOWN_GRACE_MS", default_value_t = 5_000)]
    pub shutdown_grace_ms: u64,

    /// Batteries below this charge (percent) are `charging`, not bookable.
    #[arg(long, env = "BATTERY_SWAP_MIN_CHARGE", default_value_t = 90)]
    pub min_charge_percent: i16,

    /// Reports per minute one station device may send to `/api/report_batteries` (with a
    /// burst of as many); more get HTTP 429 with `Retry-After`.
    #[arg(
        long,
        env = "BATTERY_SWAP_DEVICE_REPORTS_PER_MINUTE",
        default_value_t = 60
    )]
    pub device_reports_per_minute: u32,

    /// Minutes a booking holds its battery before it expires.
    #[arg(long, env = "BATTERY_SWAP_HOLD_MINUTES", default_value_t = 30)]
    pub hold_minutes: i64,

    /// Minutes before a hold ends that its rider is reminded (at most half the hold; 0: never).
    #[arg(long, env = "BATTERY_SWAP_HOLD_REMINDER_MINUTES", default_value_t = 5)]
    pub hold_reminder_minutes: i64,

    /// Available packs at or below which a station is low on stock: its assigned staff get a
    /// notification (and their consoles a banner) once when it drops there, and once when it
    /// recovers above. 0: no low-stock alerts.
    #[arg(long, env = "BATTERY_SWAP_LOW_STOCK_THRESHOLD", default_value_t = 2)]
    pub low_stock_threshold: u32,

    /// Days of station history kept for the charts (four weeks make the "usually" line, and
    /// the chart looks back up to a week).
    #[arg(long, env = "BATTERY_SWAP_HISTORY_DAYS", default_value_t = 35)]
    pub history_days: i64,

    /// How often expired bookings are swept (and hold reminders sent), in seconds.
    #[arg(long, env = "BATTERY_SWAP_SWEEP_SECONDS", default_value_t = 15)]
    pub sweep_seconds: u64,

    /// Minutes a login session may go unused before it ends (use renews it).
    #[arg(long, env = "BATTERY_SWAP_SESSION_IDLE_MINUTES", default_value_t = 7 * 24 * 60)]
    pub session_idle_minutes: u32,

    /// Days a login session lasts at most, however often it is used.
    #[arg(long, env = "BATTERY_SWAP_SESSION_DAYS", default_value_t = 30)]
    pub session_days: u32,

    /// Days an API token works after it is created.
    #[arg(long, env = "BATTERY_SWAP_TOKEN_DAYS", default_value_t = 90)]
    pub token_days: u32,

    /// Failed logins per account (email) in one lockout window; more get HTTP 429 with
    /// `Retry-After` until the window ends. 0: no limit.
    #[arg(
        long,
        env = "BATTERY_SWAP_LOGIN_FAILURES_PER_ACCOUNT",
        default_value_t = 5
    )]
    pub login_failures_per_account: u32,

    /// Failed logins per client address (IPv6: per /64) in one lockout window. 0: no limit.
    #[arg(
        long,
        env = "BATTERY_SWAP_LOGIN_FAILURES_PER_ADDRESS",
        default_value_t = 20
    )]
    pub login_failures_per_address: u32,

    /// Registrations per client address in one lockout window. 0: no limit.
    #[arg(
        long,
        env = "BATTERY_SWAP_REGISTRATIONS_PER_ADDRESS",
        default_value_t = 30
    )]
    pub registrations_per_address: u32,

    /// The login throttles' window, in seconds; it starts at the first failure.
    #[arg(
        long,
        env = "BATTERY_SWAP_LOGIN_LOCKOUT_SECONDS",
        default_value_t = 900
    )]
    pub login_lockout_seconds: u32,

    /// Password hashes (argon2id, 19 MiB each) run at once. 0: one per CPU core.
    #[arg(long, env = "BATTERY_SWAP_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,

    /// Logins and registrations that may wait for a hashing slot; more get HTTP 503 with
    /// `Retry-After`.
    #[arg(long, env = "BATTERY_SWAP_HASH_QUEUE", default_value_t = 32)]
    pub hash_queue: usize,
}

impl Config {
    /// Configuration for tests and tools: defaults, this database, an ephemeral port.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        let mut config = Config::parse_from(["battery-swap"]);
        config.database_url = database_url.into();
        config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
        config
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// A login session's absolute lifetime (`--session-days`).
    pub fn session_ttl(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.session_days))
    }

    /// Session idle timeout, token lifetime, login throttles and the hash gate, from the flags.
    pub fn account_rules(&self) -> app::account::ssr::AccountRules {
        app::account::ssr::AccountRules {
            session_idle: chrono::Duration::minutes(i64::from(self.session_idle_minutes)),
            token_ttl: chrono::Duration::days(i64::from(self.token_days)),
            failures_per_account: self.login_failures_per_account,
            failures_per_address: self.login_failures_per_address,
            registrations_per_address: self.registrations_per_address,
            lockout: chrono::Duration::seconds(i64::from(self.login_lockout_seconds)),
            hash_gate: app::account::ssr::password::HashGate::new(
                self.hash_concurrency,
                self.hash_queue,
            ),
        }
    }

    /// The browser origins allowed to open WebSockets, given the address actually bound.
    pub fn origins(&self, bound: SocketAddr) -> Vec<String> {
        if !self.allowed_origins.is_empty() {
            return self
                .allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_string())
                .collect();
        }
        if let Some(url) = &self.public_url {
            return vec![url.trim_end_matches('/').to_string()];
        }
        vec![
            format!("http://{bound}"),
            format!("http://localhost:{}", bound.port()),
        ]
    }

    pub fn trusted_proxies(&self) -> Result<app::client_addr::TrustedProxies, String> {
        app::client_addr::TrustedProxies::parse(&self.trusted_proxies)
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.ws_heartbeat_ms)
    }

    pub fn heartbeat_timeout(&self) -> Duration {
        Duration::from_millis(self.ws_heartbeat_timeout_ms)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.http_header_timeout_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.http_request_timeout_ms)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }
}
