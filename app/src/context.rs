//! The server context: what every server fn and domain function needs (the database, the
//! event bus, the rules). A change is committed and published by `crate::change::Change`.
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;

use crate::client_addr::TrustedProxies;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::{DomainEvent, EventBus};

/// Booking rules, configurable at start-up: built from the flags, where their defaults are
/// (`Config::rules` in `src/config.rs`).
#[derive(Debug, Clone)]
pub struct Rules {
    /// A battery below this charge is `charging`, never bookable.
    pub min_charge_percent: i16,
    /// How long a confirmed booking holds its battery before it expires.
    pub hold: chrono::Duration,
    /// How long before a hold ends its rider is reminded (at most half the hold; zero: never).
    pub hold_reminder: chrono::Duration,
    /// A station whose available packs drop to this many (or fewer) is low on stock: its staff
    /// are told once per crossing, and again when it recovers (`station::ssr::stock_alert`).
    /// Zero: no low-stock alerts.
    pub low_stock_threshold: u32,
    /// How long station history is kept (the sweeper deletes older rows).
    pub history_keep: chrono::Duration,
    /// How long a login session lasts at most (it also ends after `accounts.session_idle`).
    pub session_ttl: chrono::Duration,
    /// Session idle timeout, token lifetime, login throttles, the password-hash gate.
    pub accounts: crate::account::ssr::rules::AccountRules,
}

/// The server context handed to every server fn (through Leptos context) and domain function.
#[derive(Clone)]
pub struct Ctx {
    pub db: DatabaseConnection,
    pub bus: EventBus,
    pub rules: Rules,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// Peers whose `Forwarded` / `X-Forwarded-For` is believed (`--trusted-proxies`).
    pub proxies: TrustedProxies,
    /// How often each station device may report (`--device-reports-per-minute`).
    pub device_reports: crate::device::ssr::limiter::ReportLimiter,
    /// How this database claims a pack for a booking (`battery::ssr::claim`), chosen when the
    /// server connects.
    pub pack_claim: crate::battery::ssr::claim::engine::PackClaim,
    /// SQLite: the database's write lock taken in turn by every change
    /// ([`crate::write_gate`]), ordinary changes first; `None` where there is no writer.
    pub gate: Option<crate::write_gate::Gated>,
    /// PostgreSQL: how many of the pool's connections the hot stream (bookings and cancels)
    /// may hold at once ([`Ctx::stream_share`]), so that every other change finds one free
    /// instead of queueing behind a rush; `None` on SQLite, where the writer thread and the
    /// write gate order changes.
    pub stream_places: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    /// SQLite: the thread the hot write transactions run on ([`Ctx::write`]); `None` on
    /// PostgreSQL, for an in-memory SQLite database, and in tools that build their own
    /// context.
    pub writer: Option<crate::writer::Writer>,
    /// The client address of the request this context serves (set by [`ctx`]; behind a trusted
    /// proxy, the address it saw), which its changes' audit lines record; `None` elsewhere.
    pub client: Option<std::net::IpAddr>,
}

impl Ctx {
    /// Runs a change (a domain function's transaction) on the SQLite writer thread when there
    /// is one, with a context whose pool is the writer's; else here. See [`crate::writer`].
    pub async fn write<T, F, Fut>(&self, change: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Ctx) -> Fut,
        Fut: std::future::Future<Output = AppResult<T>> + Send + 'static,
    {
        self.write_as(None, change).await
    }

    /// [`Ctx::write`] for a change a user asked for: on the writer, one user may have only
    /// `writer::MAX_PER_USER` changes waiting or running at once.
    pub async fn write_for<T, F, Fut>(&self, user_id: i32, change: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Ctx) -> Fut,
        Fut: std::future::Future<Output = AppResult<T>> + Send + 'static,
    {
        self.write_as(Some(user_id), change).await
    }

    async fn write_as<T, F, Fut>(&self, user_id: Option<i32>, change: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Ctx) -> Fut,
        Fut: std::future::Future<Output = AppResult<T>> + Send + 'static,
    {
        match &self.writer {
            Some(writer) => {
                let mut on_writer = self.clone();
                on_writer.db = writer.db.clone();
                on_writer.writer = None;
                on_writer.gate = Some(writer.gated(crate::write_gate::Lane::Stream));
                // The request's span goes along: lines logged there still name the request.
                let change =
                    tracing::Instrument::instrument(change(on_writer), tracing::Span::current());
                writer.run(user_id, change).await
            }
            None => {
                let _place = match &self.stream_places {
                    Some(places) => Some(
                        places
                            .clone()
                            .acquire_owned()
                            .await
                            .map_err(|_| AppError::Internal)?,
                    ),
                    None => None,
                };
                change(self.clone()).await
            }
        }
    }

    /// The connections of a pool of `pool` that the hot stream may hold on PostgreSQL: all but
    /// an eighth (at least one) kept for every other change. (A quarter kept cost a few per
    /// cent of the rush's write rate for no lower latency of the others: docs/perf.)
    pub fn stream_share(pool: u32) -> usize {
        let kept = (pool / 8).max(1);
        usize::try_from(pool.saturating_sub(kept).max(1)).unwrap_or(1)
    }

    /// Announces events that follow a change already made outside a transaction (a session
    /// deleted at logout): to every instance.
    pub async fn announce(&self, events: Vec<DomainEvent>) -> AppResult<()> {
        self.bus.stage(&self.db, Vec::new(), &events).await?;
        self.bus.committed(events);
        Ok(())
    }
}

/// The `Ctx` of the current request.
pub fn ctx() -> AppResult<Ctx> {
    let mut ctx = use_context::<Ctx>().ok_or_else(|| {
        tracing::error!(
            "server context missing: was the router built with leptos_routes_with_context?"
        );
        AppError::Internal
    })?;
    ctx.client = client_ip(&ctx);
    Ok(ctx)
}

/// The client address of the current server-fn request (see [`crate::client_addr`]), if the
/// router was built with connect info (it always is; tests calling domain fns have none).
pub fn client_ip(ctx: &Ctx) -> Option<std::net::IpAddr> {
    let parts = use_context::<http::request::Parts>()?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    Some(ctx.proxies.client_ip(peer, &parts.headers))
}
