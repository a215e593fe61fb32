//! The battery-swap server: configuration, database, router, live-feed hub and shutdown.
#![recursion_limit = "256"]
pub mod backup;
pub mod charger;
pub mod config;
pub mod csrf;
pub mod db;
pub mod demo;
pub mod form_encoding;
mod hashed_assets;
pub mod hub;
pub mod logging;
pub mod metrics;
pub mod pg_listener;
pub mod push;
pub mod request;
pub mod security_headers;
pub mod serve;
mod service_worker;
pub mod state;
mod sweeper;
pub mod ws;

use app::context::Ctx;
use app::device::ssr::ReportLimiter;
use app::feed::ssr::EventBus;
use app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

use config::Config;
use hub::Hub;
use state::{AppState, WsSettings};
use ws::connection::Limits;
use ws::guard::ConnectLimiter;
use ws::slots::SocketSlots;

pub use hashed_assets::IMMUTABLE;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Largest HTTP request body accepted.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// A server that is up and serving.
pub struct Server {
    pub addr: SocketAddr,
    /// Where `/metrics` is served (`--metrics-addr`), if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    pub state: AppState,
    task: JoinHandle<()>,
}

impl Server {
    /// Stops accepting, closes every socket with 1001, and waits for connections and sockets
    /// to finish, at most `--shutdown-grace-ms`.
    pub async fn shutdown(self) -> Result<(), BoxError> {
        self.state.shutdown.cancel();
        self.task.await?;
        Ok(())
    }

    /// Serves until `signal` resolves, then shuts down gracefully.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), BoxError> {
        signal.await;
        tracing::info!("shutting down");
        self.shutdown().await
    }
}

/// Connects and migrates the database, loads demo data if asked, binds, and starts serving.
pub async fn start(config: Config) -> Result<Server, BoxError> {
    config.validate()?;
    // First, so a taken port is reported before any database work.
    let listener = bind(config.http.addr).await?;
    let metrics_listener = match config.operations.metrics_addr {
        Some(addr) => Some(metrics::bind(addr).await?),
        None => None,
    };
    let database_url = &config.operations.database_url;
    let db = db::connect(database_url, config.operations.db_connections).await?;
    db::migrate(&db).await?;
    let hub = Hub::new(config.sockets.queue);
    let on_postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    // On PostgreSQL events reach every instance through NOTIFY/LISTEN; on SQLite (one
    // instance by nature) they go straight to the hub.
    let (bus, event_listener) = if on_postgres {
        let listening = pg_listener::connect(database_url).await?;
        (EventBus::over_postgres(hub.clone()), Some(listening))
    } else {
        (EventBus::new(hub.clone()), None)
    };
    let writer = db::writer(database_url).await?;
    // Ordinary changes take SQLite's write lock ahead of the writer's stream.
    let gate = writer
        .as_ref()
        .map(|w| w.gated(app::write_gate::Lane::Short));
    let pack_claim = app::battery::ssr::PackClaim::for_backend(db.get_database_backend());
    // PostgreSQL: bookings and cancels hold at most seven eighths of the pool, so that the
    // other changes find a connection beside a rush (docs/perf/2026-12-07-unit-of-work.md).
    let stream_places = on_postgres.then(|| {
        let pool = config
            .operations
            .db_connections
            .unwrap_or(db::POSTGRES_CONNECTIONS);
        std::sync::Arc::new(tokio::sync::Semaphore::new(Ctx::stream_share(pool)))
    });
    let ctx = Ctx {
        db,
        bus,
        writer,
        rules: config.rules(),
        secure_cookies: config.http.secure_cookies(),
        proxies: config.http.trusted_proxies()?,
        device_reports: ReportLimiter::new(config.devices.reports_per_minute),
        pack_claim,
        stream_places,
        gate,
        client: None,
    };
    let demo_loaded = config.demo.enabled && demo::load_if_empty(&ctx).await?;
    if demo_loaded {
        // The accounts and their shared password are in the README; a log is no place for it.
        tracing::info!("loaded demo data (accounts: see the README)");
    }

    let addr = listener.local_addr()?;
    let leptos_options = LeptosOptions::builder()
        .output_name("battery-swap")
        .site_root(config.operations.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hashed_assets::assets_hashed())
        .build();
    let state = AppState {
        leptos_options,
        ctx,
        hub,
        ws: Arc::new(WsSettings {
            allowed_origins: config.http.origins(addr),
            max_message_bytes: config.sockets.max_message_bytes,
            limits: Limits {
                messages_per_second: f64::from(config.sockets.messages_per_second),
                heartbeat: config.sockets.heartbeat(),
                heartbeat_timeout: config.sockets.heartbeat_timeout(),
                write_timeout: Duration::from_secs(10),
            },
        }),
        connect_limiter: Arc::new(ConnectLimiter::new(config.sockets.connects_per_minute)),
        sockets: SocketSlots::new(
            config.sockets.max_sockets_per_client,
            config.sockets.max_sockets,
        ),
        shutdown: CancellationToken::new(),
        tasks: TaskTracker::new(),
        request_timeout: config.http.request_timeout(),
        map_tiles: config.map.tiles(),
        push_services: config.push.services(),
    };
    push::Pusher::start(
        &state.ctx,
        config.push.contact.clone(),
        config.push.services(),
    )
    .await?
    .spawn(state.ctx.clone(), state.shutdown.clone(), &state.tasks);
    sweeper::spawn(&state, Duration::from_secs(config.booking.sweep_seconds));
    state.hub.close_all_on(state.shutdown.clone());
    if let Some(event_listener) = event_listener {
        let (hub, ctx, stop) = (state.hub.clone(), state.ctx.clone(), state.shutdown.clone());
        pg_listener::spawn(database_url.clone(), event_listener, hub, ctx, stop);
    }

    let limits = serve::HttpLimits {
        header_timeout: config.http.header_timeout(),
        shutdown_grace: config.operations.shutdown_grace(),
    };
    let app = router(state.clone());
    let (shutdown, tasks) = (state.shutdown.clone(), state.tasks.clone());
    let metrics_addr = match metrics_listener {
        Some(listener) => {
            let at = metrics::serve(listener, &state)?;
            tracing::info!("metrics on http://{at}/metrics");
            Some(at)
        }
        None => None,
    };
    let task = serve::spawn(listener, app, limits, shutdown.clone(), tasks);
    tracing::info!("listening on http://{addr}");
    if config.demo.enabled && config.demo.charger_rate > 0.0 {
        let rate = config.demo.charger_rate;
        match charger::start(&state.ctx, addr, rate, demo_loaded, shutdown).await? {
            Some(n) => tracing::info!(stations = n, "demo chargers report every 5 s"),
            None => tracing::warn!(
                "--demo on a database the demo did not create: no simulated chargers"
            ),
        }
    }
    Ok(Server {
        addr,
        metrics_addr,
        state,
        task,
    })
}

/// Binds the listen address; a taken port is a plain one-line message naming the flag to change.
async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, BoxError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "port {} is already in use (is another server running?)",
                addr.port()
            ),
            _ => e.to_string(),
        };
        format!("cannot listen on {addr}: {why}; choose another address with --addr HOST:PORT (or BATTERY_SWAP_ADDR)").into()
    })
}

/// The whole HTTP surface: health, WebSockets, server fns under `/api/`, pages, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = state.ctx.clone();
    let policy =
        app::content_policy::ContentPolicy::for_site(&state.ws.allowed_origins, &state.map_tiles);
    let tiles = state.map_tiles.clone();
    let push_services = state.push_services.clone();
    let provide_ctx = move || {
        provide_context(ctx.clone());
        provide_context(policy.clone());
        provide_context(tiles.clone());
        provide_context(push_services.clone());
    };
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/sw.js", get(service_worker::script))
        .merge(ws::routes())
        .leptos_routes_with_context(&state, routes, provide_ctx.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_ctx, shell))
        // Form bodies that are not UTF-8 get 400 rather than being decoded lossily.
        .layer(axum::middleware::from_fn(form_encoding::require_utf8_forms))
        // Cross-site posts to the server fns (login CSRF and the like) get 403.
        .layer(axum::middleware::from_fn_with_state(
            state.ws.clone(),
            csrf::refuse_cross_site,
        ))
        // Server-fn bodies are small forms: refuse anything larger with 413 before reading it.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        // A request (its body included) that has no response in time gets 408.
        .layer(axum::middleware::from_fn_with_state(
            state.request_timeout,
            serve::request_timeout,
        ))
        // HTML, JSON and static files the build did not precompress, for clients that accept
        // brotli or gzip; precompressed files (`cargo leptos build --release --precompress`)
        // are served as they are, and WebSocket upgrades have no body to compress.
        .layer(CompressionLayer::new())
        // Files whose names carry their content hash may be kept for a year.
        .layer(axum::middleware::from_fn(
            hashed_assets::cache_hashed_assets,
        ))
        // Outermost, so refusals (403, 408, 413) carry them too.
        .layer(axum::middleware::from_fn(
            security_headers::security_headers,
        ))
        // Around everything: the request id, log span, access line and metrics see every
        // response, refusals included. (A router layer still sees the matched route.)
        .layer(axum::middleware::from_fn(request::observe))
        .with_state(state)
}

/// 200 once the database answers.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
