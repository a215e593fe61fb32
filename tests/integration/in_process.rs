//! An in-process test context: the domain on a real database, with no HTTP server, no hub and
//! no sockets. Events are recorded as the bus publishes them, in order.
use app::context::Ctx;
use app::feed::ssr::{DomainEvent, EventBus, EventSink};
use battery_swap::config::Config;
use std::sync::Arc;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::support::{HasCtx, TEST_POOL, WAIT, fresh_database_url, on_postgres};

/// The events this process published, as the hub would have received them.
pub struct Published(UnboundedReceiver<DomainEvent>);

impl Published {
    /// The next event published, waiting at most [`WAIT`].
    pub async fn next(&mut self) -> DomainEvent {
        tokio::time::timeout(WAIT, self.0.recv())
            .await
            .expect("an event within the wait")
            .expect("the bus is alive")
    }
}

struct Recorder(UnboundedSender<DomainEvent>);

impl EventSink for Recorder {
    fn publish(&self, events: Vec<DomainEvent>) {
        for event in events {
            let _ = self.0.send(event);
        }
    }
}

/// The domain on a fresh database with no server around it (its events go nowhere: a test
/// that reads them takes [`context`]).
pub struct Domain {
    pub ctx: Ctx,
}

impl HasCtx for Domain {
    fn context(&self) -> &Ctx {
        &self.ctx
    }
}

/// A fresh, migrated database (SQLite, or PostgreSQL with `BATTERY_SWAP_TEST_DB=postgres`) and
/// a context whose events stay in this process, where the test reads them. On SQLite its hot
/// changes run on a writer thread of their own, as a server's do.
pub async fn domain() -> Domain {
    let (ctx, _published) = context().await;
    Domain { ctx }
}

/// [`domain`]'s parts.
pub async fn context() -> (Ctx, Published) {
    let url = fresh_database_url().await;
    let db = battery_swap::db::connect(&url, TEST_POOL.parse().ok())
        .await
        .expect("connect");
    battery_swap::db::migrate(&db).await.expect("migrate");
    let (tx, rx) = unbounded_channel();
    let pack_claim = app::battery::ssr::PackClaim::for_backend(db.get_database_backend());
    let writer = battery_swap::db::writer(&url).await.expect("writer");
    let ctx = Ctx {
        db,
        bus: EventBus::new(Arc::new(Recorder(tx))),
        rules: Config::for_database(url.clone()).rules(),
        secure_cookies: false,
        proxies: Default::default(),
        device_reports: app::device::ssr::limiter::ReportLimiter::new(60),
        pack_claim,
        stream_places: on_postgres().then(|| {
            let pool = TEST_POOL.parse().unwrap_or(8);
            Arc::new(tokio::sync::Semaphore::new(Ctx::stream_share(pool)))
        }),
        gate: writer
            .as_ref()
            .map(|w| w.gated(app::write_gate::Lane::Short)),
        writer,
        client: None,
    };
    (ctx, Published(rx))
}
