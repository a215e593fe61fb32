//! Other writes while bookings run: a few riders marking their notifications read, each on
//! its own connection, one request every `EVERY`. On SQLite these do not run on the writer
//! thread: they meet its connection in SQLite's busy handler, which sleeps between tries, so
//! their latency shows whether a stream of bookings starves the server's other writes.
//! Measured alone first (the baseline), then beside the throughput phase.
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::http::Conn;
use crate::stats::{ms, percentile};

/// How many riders write beside the bookings.
pub const RIDERS: usize = 10;
/// How often each of them writes: 100 requests/s in all, a few per cent of the bookings'.
const EVERY: Duration = Duration::from_millis(100);

/// What the bystanders saw.
#[derive(Default)]
pub struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

/// Starts the bystanders (their session cookies), writing until `until`.
pub fn start(
    addr: SocketAddr,
    cookies: &[String],
    until: Instant,
) -> tokio::task::JoinHandle<Tally> {
    let tasks: Vec<_> = cookies
        .iter()
        .cloned()
        .map(|cookie| {
            tokio::spawn(async move {
                let mut conn = Conn::open(addr).await;
                let mut tally = Tally::default();
                let mut tick = tokio::time::interval(EVERY);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                while Instant::now() < until {
                    tick.tick().await;
                    let sent = Instant::now();
                    let res = conn
                        .post("mark_notifications_read", "", Some(&cookie))
                        .await;
                    match res.status {
                        200 => tally.latencies.push(sent.elapsed()),
                        _ => tally.errors += 1,
                    }
                }
                tally
            })
        })
        .collect();
    tokio::spawn(async move {
        let mut all = Tally::default();
        for task in tasks {
            let t = task.await.expect("bystander");
            all.latencies.extend(t.latencies);
            all.errors += t.errors;
        }
        all
    })
}

/// One line: the bystanders' latency `when` (alone, or beside the bookings). Returns how many
/// requests they made.
pub fn print(when: &str, mut tally: Tally) -> usize {
    let max = tally.latencies.iter().max().copied().unwrap_or_default();
    println!(
        "other writes {when} ({RIDERS} riders marking their notifications read, each every {} ms): {} done, p50 {}, p99 {}, max {}, {} errors",
        EVERY.as_millis(),
        tally.latencies.len(),
        ms(percentile(&mut tally.latencies, 50.0)),
        ms(percentile(&mut tally.latencies, 99.0)),
        ms(max),
        tally.errors,
    );
    tally.latencies.len() + tally.errors
}
