//! Cases 2 and 3: connect rate to `connection_established`, and spec ping round trips.
use futures::SinkExt;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

use crate::client;
use crate::server::Server;
use crate::stats::{ms, per_second, percentile};

const CONNECTS: usize = 1000;
const IN_FLIGHT: usize = 100;
const PING_SOCKETS: usize = 100;
const PINGS: usize = 100;

/// Rounds of the connect case: its figures vary from run to run, so each round is printed.
const CONNECT_ROUNDS: usize = 3;

pub async fn connect(srv: &Server) {
    println!(
        "\n== connect rate: {CONNECTS} sockets to connection_established, {IN_FLIGHT} in flight, {CONNECT_ROUNDS} rounds =="
    );
    for _ in 0..CONNECT_ROUNDS {
        // Let the previous round's closes finish first.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let started = Instant::now();
        let opened = client::subscribe_many(srv.addr, "/ws/stations/1/", CONNECTS, IN_FLIGHT).await;
        let elapsed = started.elapsed();
        let mut times: Vec<Duration> = opened.iter().map(|(_, t)| *t).collect();
        println!(
            "{:.0} sockets/s ({} in {}); time to connection_established p50 {}, p99 {}",
            per_second(opened.len(), elapsed),
            opened.len(),
            ms(elapsed),
            ms(percentile(&mut times, 50.0)),
            ms(percentile(&mut times, 99.0)),
        );
    }
}

/// One socket's `PINGS` sequential round trips.
async fn pings(mut ws: client::Ws) -> Vec<Duration> {
    let ping = r#"{"type":"ping","timestamp":"t"}"#;
    let mut times = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let sent = Instant::now();
        ws.send(Message::text(ping)).await.expect("send ping");
        let reply = client::next_text(&mut ws).await;
        assert!(reply.contains("\"pong\""), "reply: {reply}");
        times.push(sent.elapsed());
    }
    let _ = ws.close(None).await;
    times
}

pub async fn ping(srv: &Server) {
    println!("\n== ping round trips: {PING_SOCKETS} sockets x {PINGS} sequential spec pings ==");
    let sockets =
        client::subscribe_many(srv.addr, "/ws/stations/1/", PING_SOCKETS, IN_FLIGHT).await;
    let started = Instant::now();
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|(ws, _)| tokio::spawn(pings(ws)))
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.expect("ping task"));
    }
    let elapsed = started.elapsed();
    println!(
        "{:.0} round trips/s ({} in {}); p50 {}, p99 {}",
        per_second(times.len(), elapsed),
        times.len(),
        ms(elapsed),
        ms(percentile(&mut times, 50.0)),
        ms(percentile(&mut times, 99.0)),
    );
}
