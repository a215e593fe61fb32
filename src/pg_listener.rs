//! Cross-instance fan-out on PostgreSQL: every instance LISTENs for the events any instance
//! NOTIFYs inside its transactions and hands them to its own hub.
//!
//! If the listening connection drops (PostgreSQL restarted, connection killed), the instance
//! reconnects with backoff, logs it, and sends every station feed a fresh `inventory_update`
//! (action `update`), since events may have been missed meanwhile. It never exits over it.
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
                    refresh_snapshots(&ctx, &hub).await;
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
            refresh_snapshots(&ctx, &hub).await;
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

/// Tells this instance's station-feed clients the current counts of every station.
async fn refresh_snapshots(ctx: &Ctx, hub: &Hub) {
    match app::station::ssr::list(&ctx.db).await {
        Ok(stations) => {
            let now = app::feed::timestamp(chrono::Utc::now());
            for s in &stations {
                // Unordered on purpose: a refresh reaches even a socket that saw this version.
                hub.dispatch(&DomainEvent::refresh(s, now.clone()));
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not refresh station snapshots"),
    }
}
