//! Feed subscribers through nginx that behave as the spec asks of a client: on any close they
//! reconnect with exponential backoff and jitter, and take their state from the snapshot of the
//! new `connection_established`. Each keeps every station's available and booked counts from
//! the messages it receives, so that at the end they can be held against the database's.
use futures::StreamExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;

use super::tls::Front;

/// A station's available and booked packs.
pub type Counts = HashMap<i32, (i64, i64)>;

/// What the subscribers share with the run.
#[derive(Default)]
pub struct Shared {
    /// Subscribers holding a greeted socket now.
    pub connected: AtomicUsize,
    /// Sockets that ended, ever (each is followed by a reconnect).
    pub drops: AtomicUsize,
    /// Of those, closed by the server with 1001 (going away).
    pub going_away: AtomicUsize,
    /// Subscribers whose counts equal the expected ones (see [`Watchers::agree`]).
    pub agreeing: AtomicUsize,
    /// Woken on every change of the above.
    pub changed: Notify,
}

pub struct Watchers {
    pub shared: Arc<Shared>,
    pub count: usize,
    expected: watch::Sender<Option<Arc<Counts>>>,
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Watchers {
    /// One subscriber per path in `paths`.
    pub fn start(front: &Front, paths: Vec<String>) -> Watchers {
        let shared = Arc::new(Shared::default());
        let (expected, _) = watch::channel(None);
        let stop = CancellationToken::new();
        let tasks = paths
            .into_iter()
            .map(|path| {
                let watcher = Watcher {
                    front: front.clone(),
                    path,
                    shared: shared.clone(),
                    expected: expected.subscribe(),
                    stop: stop.clone(),
                    counts: Counts::new(),
                    agrees: false,
                };
                tokio::spawn(watcher.run())
            })
            .collect::<Vec<_>>();
        Watchers {
            shared,
            count: tasks.len(),
            expected,
            stop,
            tasks,
        }
    }

    /// Waits until `done` holds of the shared state, at most `limit`; whether it did.
    pub async fn until(&self, limit: Duration, done: impl Fn(&Shared) -> bool) -> bool {
        let wait = async {
            loop {
                let changed = self.shared.changed.notified();
                if done(&self.shared) {
                    return;
                }
                changed.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    /// Every subscriber holds a socket.
    pub async fn all_connected(&self, limit: Duration) -> bool {
        let n = self.count;
        self.until(limit, |s| s.connected.load(Ordering::SeqCst) == n)
            .await
    }

    /// Tells every subscriber the counts it should hold (the database's); returns how many
    /// hold them within `limit`.
    pub async fn agree(&self, truth: Counts, limit: Duration) -> usize {
        self.expected.send_replace(Some(Arc::new(truth)));
        let n = self.count;
        self.until(limit, |s| s.agreeing.load(Ordering::SeqCst) == n)
            .await;
        self.shared.agreeing.load(Ordering::SeqCst)
    }

    pub async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

struct Watcher {
    front: Front,
    path: String,
    shared: Arc<Shared>,
    expected: watch::Receiver<Option<Arc<Counts>>>,
    stop: CancellationToken,
    counts: Counts,
    agrees: bool,
}

/// First reconnect within this; each failed attempt doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

impl Watcher {
    async fn run(mut self) {
        let mut backoff = FIRST_BACKOFF;
        while !self.stop.is_cancelled() {
            match self.session().await {
                // Greeted, then closed: reconnect soon (the other instance is up).
                Ok(()) => backoff = FIRST_BACKOFF,
                Err(_) => backoff = (backoff * 2).min(MAX_BACKOFF),
            }
            let jitter = rand::random_range(0..=backoff.as_millis() as u64);
            tokio::select! {
                () = self.stop.cancelled() => return,
                () = tokio::time::sleep(Duration::from_millis(jitter)) => {}
            }
        }
    }

    /// One socket, from connect to close: `Ok` if it was greeted (and then ended).
    async fn session(&mut self) -> Result<(), String> {
        let stream = self.front.connect().await.map_err(|e| e.to_string())?;
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .max_write_buffer_size(1 << 20);
        let url = format!("wss://{}{}", self.front.host, self.path);
        let handshake = tokio_tungstenite::client_async_with_config(url, stream, Some(config));
        let (mut ws, _) = tokio::time::timeout(crate::WAIT, handshake)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let greeting = match tokio::time::timeout(crate::WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => t,
            other => return Err(format!("no greeting: {other:?}")),
        };
        let greeting: Value = serde_json::from_str(&greeting).map_err(|e| e.to_string())?;
        self.counts.clear();
        for station in greeting["stations"].as_array().into_iter().flatten() {
            self.take(station);
        }
        self.shared.connected.fetch_add(1, Ordering::SeqCst);
        self.check();
        self.shared.changed.notify_waiters();
        let closed_by = loop {
            tokio::select! {
                () = self.stop.cancelled() => {
                    let _ = ws.close(None).await;
                    break None;
                }
                Ok(()) = self.expected.changed() => self.check(),
                msg = ws.next() => match msg {
                    Some(Ok(Message::Text(t))) => {
                        if let Ok(m) = serde_json::from_str::<Value>(&t) {
                            self.take(&m);
                            self.check();
                        }
                    }
                    Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break None,
                },
            }
        };
        if self.agrees {
            self.agrees = false;
            self.shared.agreeing.fetch_sub(1, Ordering::SeqCst);
        }
        self.shared.connected.fetch_sub(1, Ordering::SeqCst);
        if !self.stop.is_cancelled() {
            self.shared.drops.fetch_add(1, Ordering::SeqCst);
            if closed_by == Some(1001) {
                self.shared.going_away.fetch_add(1, Ordering::SeqCst);
            }
        }
        self.shared.changed.notify_waiters();
        Ok(())
    }

    /// Takes the counts a message carries, if it carries a station's.
    fn take(&mut self, m: &Value) {
        let id = m["station_id"].as_i64();
        let available = m["available_batteries"].as_i64();
        let booked = m["booked_batteries"].as_i64();
        if let (Some(id), Some(available), Some(booked)) = (id, available, booked) {
            self.counts.insert(id as i32, (available, booked));
        }
    }

    /// Whether this subscriber's counts are the expected ones, for the stations it sees.
    fn check(&mut self) {
        let agrees = match &*self.expected.borrow() {
            Some(truth) => {
                !self.counts.is_empty()
                    && self
                        .counts
                        .iter()
                        .all(|(id, counts)| truth.get(id).unwrap_or(&(0, 0)) == counts)
            }
            None => false,
        };
        if agrees != self.agrees {
            self.agrees = agrees;
            if agrees {
                self.shared.agreeing.fetch_add(1, Ordering::SeqCst);
            } else {
                self.shared.agreeing.fetch_sub(1, Ordering::SeqCst);
            }
            self.shared.changed.notify_waiters();
        }
    }
}
