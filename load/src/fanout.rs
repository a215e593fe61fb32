//! Case 4: fan-out. Station changes made through the HTTP API (as the demo admin) reach N
//! subscribers of the station's feed, measured two ways, each against the raw limit measured
//! in the same run (a child process writing the same frame bytes to N plain TCP connections,
//! one task and one write per connection per frame, as the server does):
//!
//! - one change at a time: the time from the API call to the last subscriber's delivery;
//! - a stream of changes, several API calls in flight: deliveries per second.
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::client::{self, Ws};
use crate::http::Conn;
use crate::progress::Progress;
use crate::server::{RawFanout, Server, admin_cookie};
use crate::stats::{ms, per_second, percentile};

/// Changes made one at a time, each waited for at every subscriber.
const ONE_BY_ONE: usize = 20;
/// API calls in flight at once in the stream case.
const CALLERS: usize = 8;
/// How long subscribers may take to receive what they wait for.
const DRAIN: Duration = Duration::from_secs(20);

/// What one subscriber saw: (event, arrival) per delivery, its close code if the server
/// closed it, and one frame's text.
struct Seen {
    arrivals: Vec<(usize, Instant)>,
    closed: Option<u16>,
    sample: Option<String>,
}

async fn receive(mut ws: Ws, progress: Arc<Progress>, finish: CancellationToken) -> Seen {
    let mut seen = Seen {
        arrivals: Vec::new(),
        closed: None,
        sample: None,
    };
    loop {
        let msg = tokio::select! {
            _ = finish.cancelled() => break,
            msg = ws.next() => msg,
        };
        match msg {
            Some(Ok(Message::Text(t))) => {
                if let Some(n) = crate::marker::marker(t.as_str()) {
                    seen.arrivals.push((n, Instant::now()));
                    seen.sample.get_or_insert_with(|| t.to_string());
                    progress.add(1);
                }
            }
            Some(Ok(Message::Close(c))) => {
                seen.closed = Some(c.map_or(1005, |c| u16::from(c.code)));
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break,
        }
    }
    seen
}

/// The API call that makes change `n` (alternating the status so each is a real change).
async fn change(conn: &mut Conn, cookie: &str, n: usize) -> bool {
    let status = if n.is_multiple_of(2) {
        "maintenance"
    } else {
        "online"
    };
    let form = format!("station_id=1&status={status}&message=load-{n}");
    let res = conn.post("set_station_status", &form, Some(cookie)).await;
    if res.status != 200 {
        eprintln!("set_station_status {n}: {} {}", res.status, res.body);
    }
    res.status == 200
}

/// Figures of one way of measuring, for the server or the raw baseline.
struct Figures {
    deliveries: usize,
    elapsed: Duration,
    /// Per change, the time from its trigger to its last delivery.
    to_last: Vec<Duration>,
    /// Per change, the fan-out itself: from its first delivery to its last.
    spread: Vec<Duration>,
}

pub async fn run(srv: &Server, subscribers: usize, stream_events: usize) {
    println!(
        "\n== fan-out to {subscribers} subscribers of /ws/stations/1/: {ONE_BY_ONE} changes one at a time, then {stream_events} with {CALLERS} API calls (POST /api/set_station_status) in flight =="
    );
    let subs = client::subscribe_many(srv.addr, "/ws/stations/1/", subscribers, 100).await;
    let progress = Progress::new(subscribers);
    let finish = CancellationToken::new();
    let receivers: Vec<_> = subs
        .into_iter()
        .map(|(ws, _)| tokio::spawn(receive(ws, Arc::clone(&progress), finish.clone())))
        .collect();
    let total = ONE_BY_ONE + stream_events;
    let sent: Arc<Vec<OnceLock<Instant>>> = Arc::new((0..total).map(|_| OnceLock::new()).collect());
    let cookie = admin_cookie(srv.addr).await;

    // One at a time.
    let mut conn = Conn::open(srv.addr).await;
    let started = Instant::now();
    let mut accepted = 0;
    for n in 0..ONE_BY_ONE {
        let _ = sent[n].set(Instant::now());
        if change(&mut conn, &cookie, n).await {
            accepted += 1;
        }
        progress.reach(accepted * subscribers, DRAIN).await;
    }
    let one_elapsed = started.elapsed();

    // A stream.
    let next = Arc::new(AtomicUsize::new(ONE_BY_ONE));
    let stream_started = Instant::now();
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (next, sent, cookie, addr) = (
                Arc::clone(&next),
                Arc::clone(&sent),
                cookie.clone(),
                srv.addr,
            );
            tokio::spawn(async move {
                let (mut conn, mut ok) = (Conn::open(addr).await, 0);
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return ok;
                    }
                    let _ = sent[n].set(Instant::now());
                    ok += usize::from(change(&mut conn, &cookie, n).await);
                }
            })
        })
        .collect();
    let mut stream_accepted = 0;
    for caller in callers {
        stream_accepted += caller.await.expect("caller");
    }
    let api_elapsed = stream_started.elapsed();
    progress
        .reach((accepted + stream_accepted) * subscribers, DRAIN)
        .await;
    finish.cancel();
    // Leave the station taking bookings for the cases after this one.
    let res = conn
        .post(
            "set_station_status",
            "station_id=1&status=online",
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, 200, "station 1 back online: {}", res.body);

    let (mut one, mut stream) = (Vec::new(), Vec::new());
    let mut last_of: Vec<Option<Instant>> = vec![None; total];
    let mut first_of: Vec<Option<Instant>> = vec![None; total];
    let (mut stream_last, mut kicked, mut sample) = (stream_started, 0, None);
    for receiver in receivers {
        let seen = receiver.await.expect("receiver");
        kicked += usize::from(seen.closed.is_some());
        for (n, at) in seen.arrivals {
            let latency = at.duration_since(*sent[n].get().expect("sent"));
            if n < ONE_BY_ONE {
                one.push(latency);
            } else {
                stream.push(latency);
                stream_last = stream_last.max(at);
            }
            last_of[n] = last_of[n].max(Some(at));
            first_of[n] = Some(first_of[n].map_or(at, |f| f.min(at)));
        }
        sample = sample.or(seen.sample);
    }
    let to_last: Vec<Duration> = (0..ONE_BY_ONE)
        .filter_map(|n| Some(last_of[n]?.duration_since(*sent[n].get()?)))
        .collect();
    let spread: Vec<Duration> = (0..ONE_BY_ONE)
        .filter_map(|n| Some(last_of[n]?.duration_since(first_of[n]?)))
        .collect();
    let ws_one = Figures {
        deliveries: one.len(),
        elapsed: one_elapsed,
        to_last,
        spread,
    };
    let lost_one = accepted * subscribers - one.len();
    let lost_stream = stream_accepted * subscribers - stream.len();
    println!("subscribers closed by the server: {kicked}");
    println!(
        "one at a time: {accepted} of {ONE_BY_ONE} changes accepted; lost {lost_one}; latency API call → delivery p50 {}, p99 {}; to the last subscriber p50 {}, max {}",
        ms(percentile(&mut one, 50.0)),
        ms(percentile(&mut one, 99.0)),
        ms(percentile(&mut ws_one.to_last.clone(), 50.0)),
        ms(percentile(&mut ws_one.to_last.clone(), 100.0)),
    );
    let stream_elapsed = stream_last.duration_since(stream_started);
    let stream_rate = per_second(stream.len(), stream_elapsed);
    println!(
        "stream: {stream_accepted} of {stream_events} changes accepted ({:.0}/s); {stream_rate:.0} deliveries/s ({} in {}); lost {lost_stream}; latency p50 {}, p99 {}, max {}",
        per_second(stream_accepted, api_elapsed),
        stream.len(),
        ms(stream_elapsed),
        ms(percentile(&mut stream, 50.0)),
        ms(percentile(&mut stream, 99.0)),
        ms(percentile(&mut stream, 100.0)),
    );

    let text = sample.expect("at least one delivery");
    let mut raw = RawFanout::start(&ws_frame(text.as_bytes()), subscribers).await;
    let raw_one = raw.one_by_one(ONE_BY_ONE).await;
    let raw_stream = raw.stream(stream_events).await;
    let one_rate = |f: &Figures| per_second(f.deliveries, f.to_last.iter().sum());
    let (ws_one_rate, raw_one_rate) = (one_rate(&ws_one), one_rate(&raw_one));
    println!(
        "raw TCP, one at a time: to the last socket p50 {}, max {}; {raw_one_rate:.0} deliveries/s while fanning out, server {ws_one_rate:.0}/s = {:.0}% of raw",
        ms(percentile(&mut raw_one.to_last.clone(), 50.0)),
        ms(percentile(&mut raw_one.to_last.clone(), 100.0)),
        100.0 * ws_one_rate / raw_one_rate,
    );
    // Like for like: the fan-out alone, without what starts it (the server's HTTP call and
    // transaction; the raw child's order on its stdin). The figure: commit → client.
    let spread_rate = |f: &Figures| per_second(f.deliveries, f.spread.iter().sum());
    let (ws_spread, raw_spread) = (spread_rate(&ws_one), spread_rate(&raw_one));
    println!(
        "fan-out alone, first to last delivery of a change: p50 {} (raw {}); {ws_spread:.0} deliveries/s, raw {raw_spread:.0}/s: server = {:.0}% of raw",
        ms(percentile(&mut ws_one.spread.clone(), 50.0)),
        ms(percentile(&mut raw_one.spread.clone(), 50.0)),
        100.0 * ws_spread / raw_spread,
    );
    let raw_rate = per_second(raw_stream.deliveries, raw_stream.elapsed);
    println!(
        "raw TCP, stream of {stream_events} back to back: {raw_rate:.0} deliveries/s; server stream = {:.0}% of raw",
        100.0 * stream_rate / raw_rate
    );
}

/// `text` as the server sends it: one unmasked WebSocket text frame.
pub fn ws_frame(text: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x81];
    match text.len() {
        n if n < 126 => frame.push(n as u8),
        n => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(text);
    frame
}

impl RawFanout {
    /// `events` frames, one at a time, each waited for at every socket.
    async fn one_by_one(&mut self, events: usize) -> Figures {
        let started = Instant::now();
        let (mut to_last, mut spread) = (Vec::with_capacity(events), Vec::with_capacity(events));
        for k in 1..=events {
            let sent = Instant::now();
            self.send(1).await;
            assert!(
                self.progress.reach(k * self.sockets, DRAIN).await,
                "raw frames arrive"
            );
            let (first, last) = self.progress.round(k - 1).expect("a full round");
            to_last.push(last.duration_since(sent));
            spread.push(last.duration_since(first));
        }
        Figures {
            deliveries: events * self.sockets,
            elapsed: started.elapsed(),
            to_last,
            spread,
        }
    }

    /// `events` frames back to back.
    async fn stream(&mut self, events: usize) -> Figures {
        let before = self.progress.count.load(Ordering::SeqCst);
        let started = Instant::now();
        self.send(events).await;
        let target = before + events * self.sockets;
        assert!(
            self.progress.reach(target, DRAIN).await,
            "raw frames arrive"
        );
        Figures {
            deliveries: events * self.sockets,
            elapsed: started.elapsed(),
            to_last: Vec::new(),
            spread: Vec::new(),
        }
    }
}
