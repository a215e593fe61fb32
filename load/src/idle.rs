//! Case 1: what an idle socket costs. Server RSS growth per open subscribed socket (after its
//! greeting), against a raw TCP server's growth per held socket.
use futures::StreamExt;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

use crate::client::{self, Held};
use crate::server::{RawHold, Server};

/// Time for the server to settle (tasks parked, greetings flushed) before RSS is read.
const SETTLE: Duration = Duration::from_secs(2);

/// The soft limit of open files of this process.
fn open_file_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

/// Opens sockets up to each of `targets` (100 at a time), each held by a task until the end,
/// reading the process's RSS (KiB) after each step. Returns (sockets, RSS growth) per step.
async fn grow<F, Fut>(targets: &[usize], rss: impl Fn() -> u64, open: F) -> Vec<(usize, i64)>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Held>,
{
    // Warm the code paths (and the allocator) with a few sockets first.
    let warm: Vec<_> = futures::stream::iter(0..10)
        .then(|_| open())
        .collect()
        .await;
    client::stop_all(warm).await;
    tokio::time::sleep(SETTLE).await;
    let base = rss();
    let mut held = Vec::new();
    let mut figures = Vec::new();
    for &target in targets {
        let more: Vec<_> = futures::stream::iter(held.len()..target)
            .map(|_| open())
            .buffer_unordered(100)
            .collect()
            .await;
        held.extend(more);
        tokio::time::sleep(SETTLE).await;
        figures.push((target, rss() as i64 - base as i64));
    }
    client::stop_all(held).await;
    figures
}

/// A subscribed WebSocket held by a task that keeps reading (so heartbeats are answered)
/// until `stop`.
async fn hold_ws(addr: SocketAddr) -> Held {
    let (mut ws, _) = client::subscribe(addr, "/ws/stations/1/").await;
    let stop = CancellationToken::new();
    let cancelled = stop.clone().cancelled_owned();
    let task = tokio::spawn(async move {
        tokio::select! {
            _ = cancelled => {}
            _ = async { while let Some(Ok(_)) = ws.next().await {} } => {}
        }
    });
    Held { stop, task }
}

/// A plain TCP socket held the same way.
async fn hold_raw(addr: SocketAddr) -> Held {
    let mut stream = client::tcp(addr).await;
    let stop = CancellationToken::new();
    let cancelled = stop.clone().cancelled_owned();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 64];
        tokio::select! {
            _ = cancelled => {}
            _ = async { while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {} } => {}
        }
    });
    Held { stop, task }
}

pub async fn run(srv: &Server, max_idle: usize) {
    let limit = open_file_limit();
    let targets: Vec<usize> = [1000, 5000, 15_000]
        .into_iter()
        .filter(|&n| n <= max_idle && n + 500 <= limit)
        .collect();
    println!("\n== idle subscribed sockets (/ws/stations/1/ after the greeting) ==");
    let ws = grow(&targets, || srv.rss_kib(), || hold_ws(srv.addr)).await;
    let raw_server = RawHold::start().await;
    let raw = grow(
        &targets,
        || raw_server.rss_kib(),
        || hold_raw(raw_server.addr),
    )
    .await;
    drop(raw_server);
    println!("sockets | server RSS growth | per socket | raw TCP server per socket | ratio");
    for ((n, grew), (_, raw_grew)) in ws.into_iter().zip(raw) {
        let per = grew as f64 / n as f64;
        let raw_per = raw_grew as f64 / n as f64;
        println!(
            "{n:>7} | {grew:>10} KiB | {per:>6.2} KiB | {raw_per:>6.2} KiB | {:.1}x",
            per / raw_per.max(0.01)
        );
    }
}
