//! Cross-instance fan-out on PostgreSQL: every instance LISTENs for the events any instance
//! NOTIFYs inside its transactions and hands them to its own hub.
//!
//! If the listening connection drops (PostgreSQL restarted, connection killed), the instance
//! reconnects with backoff, logs it, and sends every station feed a fresh `inventory_update`
//! (action `update`), since events may have been missed meanwhile. The refresh reads through
//! the pool, which may still be failing when the listener is back (its connections died with
//! the server): it is retried, with backoff, until it succeeds. It runs in the listening loop,
//! so no event heard while it reads can reach a socket before it with older counts (a refresh
//! is delivered whatever the socket saw); the events wait in the connection meanwhile. It
//! never exits over it.
use app::context::Ctx;
use app::feed::ssr::DomainEvent;
use app::feed::ssr::pg_notify::{CHANNEL, Reassembler};
use sea_orm::sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;

/// Connects and LISTENs; called before the server accepts connections, so a fresh instance
/// misses nothing its clients could have seen.
pub async fn connect(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

pub fn spawn(
    url: String,
    listener: PgListener,
    hub: Arc<Hub>,
    ctx: Ctx,
    shutdown: CancellationToken,
) {
    tokio::spawn(run(url, listener, hub, ctx, shutdown));
}

async fn run(
    url: String,
    mut listener: PgListener,
    hub: Arc<Hub>,
    ctx: Ctx,
    shutdown: CancellationToken,
) {
    let mut chunks = Reassembler::default();
    loop {
        let lost = tokio::select! {
            _ = shutdown.cancelled() => return,
            received = listener.try_recv() => match received {
                Ok(Some(n)) => {
                    if let Some(event) = chunks.push(n.payload()) {
                        hub.dispatch(&event);
                    }
                    false
                }
                // sqlx already re-established the connection (and the LISTEN) before saying so.
                Ok(None) => {
                    metrics::counter!(crate::metrics::LISTENER_RECONNECTS).increment(1);
                    tracing::warn!("event listener lost its PostgreSQL connection and reconnected");
                    refresh_snapshots(&ctx, &hub, &shutdown).await;
                    false
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event listener failed; reconnecting");
                    true
                }
            },
        };
        if lost {
            chunks = Reassembler::default();
            listener = reconnect(&url, &shutdown).await;
            metrics::counter!(crate::metrics::LISTENER_RECONNECTS).increment(1);
            tracing::info!("event listener reconnected");
            refresh_snapshots(&ctx, &hub, &shutdown).await;
        }
    }
}

async fn reconnect(url: &str, shutdown: &CancellationToken) -> PgListener {
    let mut wait = Duration::from_millis(100);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => std::future::pending::<()>().await,
            _ = tokio::time::sleep(wait) => {}
        }
        match connect(url).await {
            Ok(l) => return l,
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "event listener cannot reconnect yet");
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Tells this instance's station-feed clients the current counts of every station, as soon as
/// they can be read: tried again, with backoff, until it succeeds or the server stops.
async fn refresh_snapshots(ctx: &Ctx, hub: &Hub, shutdown: &CancellationToken) {
    let mut wait = Duration::from_millis(100);
    for attempt in 1.. {
        match app::station::ssr::list(&ctx.db).await {
            Ok(stations) => {
                let now = app::feed::timestamp(chrono::Utc::now());
                for s in &stations {
                    // Unordered on purpose: a refresh reaches even a socket that saw this version.
                    hub.dispatch(&DomainEvent::refresh(s, now.clone()));
                }
                if attempt > 1 {
                    tracing::info!(attempt, "station snapshots refreshed");
                }
                return;
            }
            Err(e) => {
                let retry_in_ms = wait.as_millis() as u64;
                tracing::warn!(error = %e, attempt, retry_in_ms, "could not refresh station snapshots; retrying");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(Duration::from_secs(5));
    }
}
