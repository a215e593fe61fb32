//! Riders booking and cancelling through nginx as the browser does: every Book and Cancel
//! carries an `Idempotency-Key`, and a request whose answer was lost (the connection failed,
//! or nginx answered 502, 503 or 504) is sent again with the same key after a backoff. What
//! the rider finally sees is recorded against the phase in which the request was first sent.
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_util::sync::CancellationToken;

use super::tls::Front;
use crate::http::{Conn, Response};

/// Sends of one request before its failure is what the rider sees: about 6 s of backoff.
const ATTEMPTS: u32 = 8;
/// A rider's pause between clicks.
const THINK: std::ops::Range<u64> = 100..400;

/// What riders saw in one phase of the run.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub requests: usize,
    /// Requests that needed more than one send.
    pub retried: usize,
    /// Requests whose final answer was not one a rider expects (after every retry).
    pub failed: usize,
    /// The first few of those, as seen.
    pub failures: Vec<String>,
    /// Bookings made, and bookings refused because the station had no charged pack left.
    pub booked: usize,
    pub none_left: usize,
    pub cancelled: usize,
}

/// The phases' tallies, the phase now, and every booking id a rider was answered with.
#[derive(Default)]
pub struct Record {
    pub phase: AtomicUsize,
    pub tallies: Mutex<Vec<Tally>>,
    /// Each booking key's answered booking id (a key answered twice differently is a double).
    pub answers: Mutex<Vec<(String, i64)>>,
}

impl Record {
    /// A failure the rider saw in `phase`: counted, and its words kept if among the first few.
    fn failure(&self, phase: usize, seen: String) {
        self.note(phase, |t| {
            t.failed += 1;
            if t.failures.len() < 5 {
                t.failures.push(seen);
            }
        });
    }

    fn note(&self, phase: usize, f: impl FnOnce(&mut Tally)) {
        let mut tallies = self.tallies.lock().expect("tallies");
        if tallies.len() <= phase {
            tallies.resize(phase + 1, Tally::default());
        }
        f(&mut tallies[phase]);
    }
}

type Tls = Conn<TlsStream<TcpStream>>;

pub struct Rider {
    pub number: usize,
    pub tag: String,
    pub cookie: String,
    pub front: Front,
    pub stations: Arc<Vec<i32>>,
    pub record: Arc<Record>,
    pub stop: CancellationToken,
}

impl Rider {
    /// Books at a random station, then cancels, until stopped; an active booking is always
    /// cancelled before the rider stops.
    pub async fn run(self) {
        let mut conn = None;
        for n in 0.. {
            if self.stop.is_cancelled() {
                return;
            }
            let station = self.stations[rand::random_range(0..self.stations.len())];
            let key = format!("{}-{}-{n}-book", self.tag, self.number);
            let form = format!("station_id={station}");
            let (res, phase) = self
                .until_answered(&mut conn, "book_battery", &form, &key)
                .await;
            let booking = match (res.status, error_of(&res).as_str()) {
                (200, _) => {
                    let id = serde_json::from_str::<Value>(&res.body)
                        .ok()
                        .and_then(|b| b["id"].as_i64())
                        .expect("a booking's id");
                    self.record.note(phase, |t| t.booked += 1);
                    self.record.answers.lock().expect("answers").push((key, id));
                    id
                }
                (409, "none_available" | "none_of_model" | "station_not_online") => {
                    self.record.note(phase, |t| t.none_left += 1);
                    self.think().await;
                    continue;
                }
                _ => {
                    self.fail(phase, "book", &res);
                    self.think().await;
                    continue;
                }
            };
            self.think().await;
            let key = format!("{}-{}-{n}-cancel", self.tag, self.number);
            let form = format!("booking_id={booking}&reason=restarts");
            let (res, phase) = self
                .until_answered(&mut conn, "cancel_booking", &form, &key)
                .await;
            if res.status == 200 {
                self.record.note(phase, |t| t.cancelled += 1);
            } else {
                self.fail(phase, "cancel", &res);
            }
            self.think().await;
        }
    }

    fn fail(&self, phase: usize, what: &str, res: &Response) {
        let seen = format!("{what}: {} {}", res.status, res.body);
        self.record.failure(phase, seen);
    }

    async fn think(&self) {
        let pause = Duration::from_millis(rand::random_range(THINK));
        tokio::select! {
            () = self.stop.cancelled() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }

    /// Sends the request with its key until it gets an answer a rider can act on. Each run of
    /// [`ATTEMPTS`] sends that ends without one is a failure the rider saw; the rider then
    /// clicks again (same key), so that what happened is always known in the end.
    async fn until_answered(
        &self,
        conn: &mut Option<Tls>,
        name: &str,
        form: &str,
        key: &str,
    ) -> (Response, usize) {
        let phase = self.record.phase.load(Ordering::SeqCst);
        self.record.note(phase, |t| t.requests += 1);
        let mut sends = 0;
        loop {
            let (answer, sent) = self.send(conn, name, form, key).await;
            sends += sent;
            match answer {
                Ok(res) => {
                    if sends > 1 {
                        self.record.note(phase, |t| t.retried += 1);
                    }
                    return (res, phase);
                }
                Err(seen) => {
                    let what = format!("{name} (no answer after {sends} sends): {seen}");
                    self.record.failure(phase, what);
                }
            }
        }
    }

    /// Up to [`ATTEMPTS`] sends, with exponential backoff and jitter between them; the answer
    /// (or what the last send met) and how many sends it took.
    async fn send(
        &self,
        conn: &mut Option<Tls>,
        name: &str,
        form: &str,
        key: &str,
    ) -> (Result<Response, String>, u32) {
        let mut seen = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                let cap = (100u64 << attempt).min(2000);
                tokio::time::sleep(Duration::from_millis(rand::random_range(cap / 2..=cap))).await;
            }
            if conn.is_none() {
                match self.front.connect().await {
                    Ok(stream) => *conn = Some(Conn::over(stream, self.front.host.clone())),
                    Err(e) => {
                        seen = format!("connect: {e}");
                        continue;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            let path = format!("/api/{name}");
            let headers = [("Idempotency-Key", key)];
            match c
                .try_request("POST", &path, &headers, Some(&self.cookie), Some(form))
                .await
            {
                Ok(res) => {
                    if res.close {
                        *conn = None;
                    }
                    if !matches!(res.status, 502..=504) {
                        return (Ok(res), attempt + 1);
                    }
                    seen = format!("{} from nginx", res.status);
                }
                Err(e) => {
                    seen = format!("{e}");
                    *conn = None;
                }
            }
        }
        (Err(seen), ATTEMPTS)
    }
}

/// The `error` of an `AppError` body, or "".
fn error_of(res: &Response) -> String {
    let body: Option<Value> = serde_json::from_str(&res.body).ok();
    body.and_then(|b| b["error"].as_str().map(str::to_string))
        .unwrap_or_default()
}
