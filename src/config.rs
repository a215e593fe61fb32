//! The server's configuration: CLI flags with environment fallbacks, parsed once at start.
use clap::Parser;
use std::net::SocketAddr;
use std::time::Duration;

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

    /// Database: an SQLite file (created when missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://battery-swap.db")]
    pub database_url: String,

    /// Load demo stations, batteries and accounts into an empty database.
    #[arg(long, env = "BATTERY_SWAP_DEMO")]
    pub demo: bool,

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

    /// Batteries below this charge (percent) are `charging`, not bookable.
    #[arg(long, env = "BATTERY_SWAP_MIN_CHARGE", default_value_t = 90)]
    pub min_charge_percent: i16,

    /// Minutes a booking holds its battery before it expires.
    #[arg(long, env = "BATTERY_SWAP_HOLD_MINUTES", default_value_t = 30)]
    pub hold_minutes: i64,

    /// How often expired bookings are swept, in seconds.
    #[arg(long, env = "BATTERY_SWAP_SWEEP_SECONDS", default_value_t = 15)]
    pub sweep_seconds: u64,
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
}
