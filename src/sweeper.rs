//! The sweeper: every `--sweep-seconds` it expires bookings whose hold ran out (releasing
//! their packs), reminds riders whose hold ends soon, deletes expired sessions and tokens
//! (closing their sockets) and ended login-throttle windows, and hourly prunes station history
//! past its retention and the answers kept for retried requests after a day
//! (`app::idempotency`). Each step is logged and counted, and the next runs whatever the previous
//! one did.
use ::metrics::{counter, gauge};
use app::context::Ctx;
use std::time::Duration;
use tokio::time::Instant;

use crate::metrics;
use crate::state::AppState;

/// History is pruned hourly, not every sweep: it is a scan of a large table.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

pub fn spawn(state: &AppState, every: Duration) {
    let (ctx, shutdown) = (state.ctx.clone(), state.shutdown.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        let mut pruned_at: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => sweep(&ctx, &mut pruned_at).await,
            }
        }
    });
}

/// One run of the sweeper, counted (`battery_swap_sweeper_*`, `*_expired_total`).
async fn sweep(ctx: &Ctx, pruned_at: &mut Option<Instant>) {
    let mut ok = true;
    match app::booking::ssr::expire_due(ctx).await {
        Ok(0) => {}
        Ok(n) => {
            counter!(metrics::EXPIRED_BOOKINGS).increment(n as u64);
            tracing::info!(expired = n, "expired bookings")
        }
        Err(e) => {
            ok = false;
            tracing::warn!(error = %e, "expiry sweep failed")
        }
    }
    match app::booking::ssr::remind_due(ctx).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(reminded = n, "sent hold reminders"),
        Err(e) => {
            ok = false;
            tracing::warn!(error = %e, "reminder sweep failed")
        }
    }
    match app::account::ssr::sweep(ctx).await {
        Ok((0, 0, _)) => {}
        Ok((sessions, tokens, _)) => {
            counter!(metrics::EXPIRED_CREDENTIALS, "kind" => "session").increment(sessions as u64);
            counter!(metrics::EXPIRED_CREDENTIALS, "kind" => "token").increment(tokens as u64);
            tracing::info!(sessions, tokens, "deleted expired credentials")
        }
        Err(e) => {
            ok = false;
            tracing::warn!(error = %e, "credential sweep failed")
        }
    }
    if pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
        *pruned_at = Some(Instant::now());
        match app::station::ssr::history::prune(&ctx.db, ctx.rules.history_keep).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "pruned station history"),
            Err(e) => {
                ok = false;
                tracing::warn!(error = %e, "history sweep failed")
            }
        }
        match app::idempotency::ssr::prune(&ctx.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "pruned the answers kept for retries"),
            Err(e) => {
                ok = false;
                tracing::warn!(error = %e, "idempotency key sweep failed")
            }
        }
    }
    let result = if ok { "ok" } else { "failed" };
    counter!(metrics::SWEEPS, "result" => result).increment(1);
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    gauge!(metrics::SWEEP_LAST).set(now);
}
