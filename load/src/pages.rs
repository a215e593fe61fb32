//! Case 6: server-rendered pages. `GET /` (every station with its counts) and one station's
//! page (its packs), one request at a time on a keep-alive connection, then 4 connections at
//! once; against `GET /healthz` (one database round trip, no rendering) measured the same way,
//! as the floor of any request on this machine.
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::http::Conn;
use crate::stats::{ms, per_second, percentile};

const REQUESTS: usize = 500;
const WARM_UP: usize = 20;
const PARALLEL: usize = 4;

/// `REQUESTS` sequential GETs after a warm-up; the latencies.
async fn sequential(addr: SocketAddr, path: &str) -> Vec<Duration> {
    let mut conn = Conn::open(addr).await;
    for _ in 0..WARM_UP {
        conn.get(path, None).await;
    }
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let res = conn.get(path, None).await;
        assert_eq!(res.status, 200, "GET {path}");
        times.push(started.elapsed());
    }
    times
}

/// `PARALLEL` connections doing `REQUESTS` GETs each; requests per second.
async fn parallel(addr: SocketAddr, path: &str) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let path = path.to_string();
            tokio::spawn(async move {
                let mut conn = Conn::open(addr).await;
                for _ in 0..REQUESTS {
                    conn.get(&path, None).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("requests");
    }
    per_second(PARALLEL * REQUESTS, started.elapsed())
}

pub async fn run(addr: SocketAddr, station: i32) {
    println!(
        "\n== pages: {REQUESTS} sequential GETs each on one keep-alive connection, then {PARALLEL} connections at once =="
    );
    println!("path | bytes | p50 | p99 | max | req/s with {PARALLEL} connections");
    let station_path = format!("/stations/{station}");
    for path in ["/healthz", "/", station_path.as_str()] {
        let bytes = Conn::open(addr).await.get(path, None).await.body.len();
        let mut times = sequential(addr, path).await;
        let rate = parallel(addr, path).await;
        println!(
            "{path} | {bytes} | {} | {} | {} | {rate:.0}",
            ms(percentile(&mut times, 50.0)),
            ms(percentile(&mut times, 99.0)),
            ms(percentile(&mut times, 100.0)),
        );
    }
}
