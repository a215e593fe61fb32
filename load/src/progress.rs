//! Deliveries counted as they arrive, for the fan-out cases: the server's subscribers and the
//! raw baseline's readers count into one of these each.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Deliveries so far, and a wake-up each time a multiple of the subscriber count is reached;
/// when each round of `every` deliveries got its first and its last (one frame at a time, a
/// round is one frame's fan-out).
pub struct Progress {
    pub count: AtomicUsize,
    every: usize,
    notify: Notify,
    firsts: Mutex<Vec<Instant>>,
    lasts: Mutex<Vec<Instant>>,
}

impl Progress {
    pub fn new(every: usize) -> Arc<Progress> {
        Arc::new(Progress {
            count: AtomicUsize::new(0),
            every: every.max(1),
            notify: Notify::new(),
            firsts: Mutex::new(Vec::new()),
            lasts: Mutex::new(Vec::new()),
        })
    }

    pub fn add(&self, n: usize) {
        let before = self.count.fetch_add(n, Ordering::SeqCst);
        if n > 0 && before.is_multiple_of(self.every) {
            lock(&self.firsts).push(Instant::now());
        }
        if (before + n) / self.every != before / self.every {
            lock(&self.lasts).push(Instant::now());
            self.notify.notify_waiters();
        }
    }

    /// When round `k` (from 0) got its first and its last delivery.
    pub fn round(&self, k: usize) -> Option<(Instant, Instant)> {
        Some((*lock(&self.firsts).get(k)?, *lock(&self.lasts).get(k)?))
    }

    /// Waits until `target` deliveries, or `limit`; whether they all came.
    pub async fn reach(&self, target: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count.load(Ordering::SeqCst) >= target {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.count.load(Ordering::SeqCst) >= target;
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
