//! Prometheus metrics: the recorder, every metric's help text, and the private listener that
//! serves them (`--metrics-addr`, off by default, never the public address). The names are in
//! `names`, re-exported here, which imports nothing: what records never depends on this file.
//!
//! Code records through the `metrics` facade where things happen (the request layer, the hub,
//! the sockets, the sweeper, the PostgreSQL listener; bookings in `app::observe`). Levels that
//! are cheaper to read than to track (the database pool, the password-hash gate) are sampled
//! when Prometheus scrapes. Labels are bounded sets: route templates, never raw paths; no user
//! or station ids.
//!
//! The facade has one recorder per process: servers started in one process (the tests) share
//! it, and without `--metrics-addr` none is installed and recording costs next to nothing.
use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics::{describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::net::TcpListener;

use crate::BoxError;
use crate::state::AppState;

pub mod names;
pub use names::*;

/// Histogram buckets, in seconds: from a cached page (~1 ms) to the request timeout (30 s).
const SECONDS_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's recorder, installed the first time a server asks for metrics.
fn recorder() -> Result<PrometheusHandle, BoxError> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    let installed = HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets(&SECONDS_BUCKETS)
            .map_err(|e| e.to_string())?
            .install_recorder()
            .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
        describe();
        Ok(handle)
    });
    installed.clone().map_err(Into::into)
}

/// Each metric's `# HELP` line.
fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by method, route template and status (WebSocket upgrades included)"
    );
    describe_histogram!(
        HTTP_SECONDS,
        metrics::Unit::Seconds,
        "Time from a request's headers to its response, by method and route template"
    );
    describe_counter!(
        REFUSALS,
        "Requests and sockets refused, by reason (origin, rate, size, auth, forbidden, busy, timeout, protocol) and route"
    );
    describe_gauge!(SOCKETS_OPEN, "WebSockets open now, by feed");
    describe_counter!(
        SOCKET_CLOSES,
        "WebSockets ended, by feed and reason (client, gone, or the close we sent)"
    );
    describe_counter!(DELIVERED, "Feed messages queued to sockets, by feed");
    describe_counter!(
        SLOW_CONSUMER_CLOSES,
        "Sockets closed with 1013 because their outgoing queue was full, by feed"
    );
    describe_gauge!(
        DB_POOL,
        "Database pool connections by state (in_use, idle), at scrape time"
    );
    describe_gauge!(DB_POOL_MAX, "Database pool size limit (--db-connections)");
    describe_gauge!(HASHES_IN_FLIGHT, "Password hashes running now");
    describe_gauge!(
        HASHES_QUEUED,
        "Logins and registrations waiting for a hashing slot now"
    );
    describe_gauge!(
        HASH_CONCURRENCY,
        "Password hashes that may run at once (--hash-concurrency)"
    );
    describe_counter!(
        LISTENER_RECONNECTS,
        "Times the PostgreSQL event listener lost its connection and reconnected"
    );
    describe_counter!(SWEEPS, "Sweeper runs by result (ok, failed)");
    describe_gauge!(
        SWEEP_LAST,
        "Unix time the sweeper last finished a run (alert when it stops moving)"
    );
    describe_counter!(
        EXPIRED_BOOKINGS,
        "Bookings released by the sweeper because their hold ran out"
    );
    describe_counter!(
        EXPIRED_CREDENTIALS,
        "Expired sessions and tokens deleted by the sweeper, by kind"
    );
    describe_counter!(app::observe::BOOKINGS, "Booking attempts by outcome");
    describe_histogram!(
        app::observe::BOOKING_SECONDS,
        metrics::Unit::Seconds,
        "Booking attempts' latency, by outcome"
    );
    describe_counter!(
        app::observe::DEVICE_REPORTS,
        "Station device reports by outcome (accepted, or the refusal: unauthenticated, forbidden, rate_limited, validation, not_found)"
    );
    describe_counter!(
        app::observe::DEVICE_PACKS_CHANGED,
        "Packs whose charge or state station device reports changed"
    );
    describe_gauge!(BUILD_INFO, "Always 1; the running version as a label");
}

/// The metrics address, bound, with the recorder installed.
pub struct MetricsListener {
    listener: TcpListener,
    handle: PrometheusHandle,
}

/// Binds the metrics address and installs the recorder (once per process), before anything
/// records: the server's first requests and sweeps count. A taken port names the flag.
pub async fn bind(addr: SocketAddr) -> Result<MetricsListener, BoxError> {
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        format!("cannot serve metrics on {addr}: {e}; choose another address with --metrics-addr HOST:PORT (or BATTERY_SWAP_METRICS_ADDR)")
    })?;
    let handle = recorder()?;
    gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(MetricsListener { listener, handle })
}

/// Serves `GET /metrics` until shutdown; returns the address it serves on.
pub fn serve(metrics: MetricsListener, state: &AppState) -> Result<SocketAddr, BoxError> {
    let MetricsListener { listener, handle } = metrics;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "metrics are served on a non-loopback address: make sure only Prometheus can reach it");
    }
    let shutdown = state.shutdown.clone();
    tokio::spawn({
        let (handle, shutdown) = (handle.clone(), shutdown.clone());
        async move {
            let mut tick = tokio::time::interval(UPKEEP_EVERY);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tick.tick() => handle.run_upkeep(),
                }
            }
        }
    });
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, state.clone()));
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "metrics listener failed");
        }
    });
    Ok(addr)
}

/// `GET /metrics`: samples the levels, then renders everything in the text format.
async fn scrape(State((handle, state)): State<(PrometheusHandle, AppState)>) -> impl IntoResponse {
    sample(&state);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle.render(),
    )
}

/// Levels read when scraped: the database pool and the password-hash gate.
fn sample(state: &AppState) {
    if let Some(pool) = pool_stats(&state.ctx.db) {
        gauge!(DB_POOL, "state" => "in_use").set(f64::from(pool.size - pool.idle));
        gauge!(DB_POOL, "state" => "idle").set(f64::from(pool.idle));
        gauge!(DB_POOL_MAX).set(f64::from(pool.max));
    }
    let gate = &state.ctx.rules.accounts.hash_gate;
    gauge!(HASHES_IN_FLIGHT).set(gate.in_flight() as f64);
    gauge!(HASHES_QUEUED).set(gate.waiting() as f64);
    gauge!(HASH_CONCURRENCY).set(gate.concurrency() as f64);
}

struct PoolStats {
    size: u32,
    idle: u32,
    max: u32,
}

fn pool_stats(db: &sea_orm::DatabaseConnection) -> Option<PoolStats> {
    fn of<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> PoolStats {
        let size = pool.size();
        let idle = u32::try_from(pool.num_idle()).unwrap_or(size).min(size);
        let max = pool.options().get_max_connections();
        PoolStats { size, idle, max }
    }
    // The getters panic on the other backend: each is called only on its own.
    match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => Some(of(db.get_sqlite_connection_pool())),
        sea_orm::DbBackend::Postgres => Some(of(db.get_postgres_connection_pool())),
        _ => None,
    }
}
