//! Case 4: fan-out. Station changes made through the HTTP API (as the demo admin) reach 1k
//! subscribers of the station's feed; against the raw limit measured in the same run: this
//! process's own TCP server writing the same frame bytes to 1k plain TCP connections.
use futures::StreamExt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::client::{self, Ws};
use crate::server::{Server, admin_cookie, post};
use crate::stats::{ms, per_second, percentile};

const SUBSCRIBERS: usize = 1000;
const EVENTS: usize = 300;
/// API calls in flight at once (SQLite commits them one at a time).
const CALLERS: usize = 4;
/// How long subscribers may take, after the last API call, to receive everything.
const DRAIN: Duration = Duration::from_secs(10);

/// The event number in a `station_status` frame whose message is `load-<n>`.
fn marker(text: &str) -> Option<usize> {
    let rest = &text[text.find("\"message\":\"load-")? + "\"message\":\"load-".len()..];
    rest[..rest.find('"')?].parse().ok()
}

/// What one subscriber saw: (event, arrival) per delivery, its close code if the server
/// closed it, and one frame's text.
struct Seen {
    arrivals: Vec<(usize, Instant)>,
    closed: Option<u16>,
    sample: Option<String>,
}

async fn receive(mut ws: Ws, delivered: Arc<AtomicUsize>, finish: CancellationToken) -> Seen {
    let mut seen = Seen {
        arrivals: Vec::with_capacity(EVENTS),
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
                if let Some(n) = marker(t.as_str()) {
                    seen.arrivals.push((n, Instant::now()));
                    delivered.fetch_add(1, Ordering::Relaxed);
                    seen.sample.get_or_insert_with(|| t.to_string());
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

/// Makes `EVENTS` station status changes, `CALLERS` at a time; returns when each was sent
/// and how many the API accepted.
async fn trigger(addr: SocketAddr, sent: Arc<Vec<OnceLock<Instant>>>) -> usize {
    let cookie = admin_cookie(addr).await;
    let next = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (next, sent, cookie) = (Arc::clone(&next), Arc::clone(&sent), cookie.clone());
            tokio::spawn(async move {
                let mut ok = 0;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= EVENTS {
                        return ok;
                    }
                    let status = if n % 2 == 0 { "maintenance" } else { "online" };
                    let form = format!("station_id=1&status={status}&message=load-{n}");
                    let _ = sent[n].set(Instant::now());
                    let (code, _, body) =
                        post(addr, "set_station_status", &form, Some(&cookie)).await;
                    if code == 200 {
                        ok += 1;
                    } else {
                        eprintln!("set_station_status {n}: {code} {body}");
                    }
                }
            })
        })
        .collect();
    let mut ok = 0;
    for caller in callers {
        ok += caller.await.expect("caller");
    }
    ok
}

pub async fn run(srv: &Server) {
    println!(
        "\n== fan-out: {EVENTS} station changes via POST /api/set_station_status ({CALLERS} in flight) to {SUBSCRIBERS} subscribers of /ws/stations/1/ =="
    );
    let subs = client::subscribe_many(srv.addr, "/ws/stations/1/", SUBSCRIBERS, 100).await;
    let delivered = Arc::new(AtomicUsize::new(0));
    let finish = CancellationToken::new();
    let receivers: Vec<_> = subs
        .into_iter()
        .map(|(ws, _)| tokio::spawn(receive(ws, Arc::clone(&delivered), finish.clone())))
        .collect();
    let sent: Arc<Vec<OnceLock<Instant>>> =
        Arc::new((0..EVENTS).map(|_| OnceLock::new()).collect());
    let started = Instant::now();
    let accepted = trigger(srv.addr, Arc::clone(&sent)).await;
    let api_elapsed = started.elapsed();
    let deadline = Instant::now() + DRAIN;
    while delivered.load(Ordering::Relaxed) < accepted * SUBSCRIBERS && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    finish.cancel();
    let (mut latencies, mut last, mut kicked, mut sample) = (Vec::new(), started, 0, None);
    for receiver in receivers {
        let seen = receiver.await.expect("receiver");
        kicked += usize::from(seen.closed.is_some());
        for (n, at) in seen.arrivals {
            latencies.push(at.duration_since(*sent[n].get().expect("sent")));
            last = last.max(at);
        }
        sample = sample.or(seen.sample);
    }
    let elapsed = last.duration_since(started);
    let lost = accepted * SUBSCRIBERS - latencies.len();
    let ws_rate = per_second(latencies.len(), elapsed);
    println!(
        "API: {accepted} of {EVENTS} changes accepted, {:.0}/s; subscribers closed by the server: {kicked}",
        per_second(accepted, api_elapsed)
    );
    println!(
        "{:.0} deliveries/s ({} in {}); lost {lost}; latency from the API call p50 {}, p99 {}, max {}",
        ws_rate,
        latencies.len(),
        ms(elapsed),
        ms(percentile(&mut latencies, 50.0)),
        ms(percentile(&mut latencies, 99.0)),
        ms(percentile(&mut latencies, 100.0)),
    );
    let frame = ws_frame(sample.expect("at least one delivery").as_bytes());
    let (raw_count, raw_elapsed) = raw_limit(&frame, EVENTS).await;
    let raw_rate = per_second(raw_count, raw_elapsed);
    println!(
        "raw TCP limit, same {}-byte frames to {SUBSCRIBERS} sockets: {raw_rate:.0} deliveries/s ({raw_count} in {}); fan-out = {:.0}% of raw",
        frame.len(),
        ms(raw_elapsed),
        100.0 * ws_rate / raw_rate
    );
}

/// `text` as the server sends it: one unmasked WebSocket text frame.
fn ws_frame(text: &[u8]) -> Vec<u8> {
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

/// Writes `frame` `events` times to each of `SUBSCRIBERS` plain TCP connections (a task per
/// connection, one write per frame) and waits until every client has read all of it.
async fn raw_limit(frame: &[u8], events: usize) -> (usize, Duration) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind raw");
    let addr = listener.local_addr().expect("addr");
    let go = CancellationToken::new();
    let frame = Arc::new(frame.to_vec());
    let (server_go, server_frame) = (go.clone(), Arc::clone(&frame));
    let acceptor = tokio::spawn(async move {
        let mut writers = Vec::with_capacity(SUBSCRIBERS);
        for _ in 0..SUBSCRIBERS {
            let (mut stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            let (go, frame) = (server_go.clone(), Arc::clone(&server_frame));
            writers.push(tokio::spawn(async move {
                go.cancelled().await;
                for _ in 0..events {
                    stream.write_all(&frame).await.expect("raw write");
                }
            }));
        }
        writers
    });
    let (len, total) = (frame.len(), frame.len() * events);
    let mut readers = Vec::with_capacity(SUBSCRIBERS);
    for _ in 0..SUBSCRIBERS {
        let mut stream = client::tcp(addr).await;
        readers.push(tokio::spawn(async move {
            let (mut buf, mut got) = (vec![0u8; 4096], 0);
            while got < total {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got += n,
                }
            }
            (got / len, Instant::now())
        }));
    }
    let writers = acceptor.await.expect("acceptor");
    let started = Instant::now();
    go.cancel();
    let (mut count, mut last) = (0, started);
    for reader in readers {
        let (n, at) = tokio::time::timeout(crate::WAIT, reader)
            .await
            .expect("raw readers finish in time")
            .expect("reader");
        count += n;
        last = last.max(at);
    }
    for writer in writers {
        let _ = writer.await;
    }
    (count, last.duration_since(started))
}
