//! The capacity load tool (issue #12): prints figures, asserts nothing.
//!
//! ```sh
//! cargo build --release --bin battery-swap --bin load && target/release/load
//! ```
//!
//! It starts `battery-swap` (next to this binary) on a fresh SQLite demo database on an
//! ephemeral port, with its connect and socket limits raised so the load is not refused, and
//! measures, each against a plain-TCP baseline run in the same session:
//!
//! 1. idle subscribed sockets: server RSS growth per socket (and a raw TCP server's);
//! 2. connect rate to `connection_established`, 100 handshakes in flight;
//! 3. spec ping round trips, 100 sockets × 100 sequential pings;
//! 4. fan-out: station changes made through the HTTP API to 1k subscribers, against the raw
//!    limit of writing the same bytes to 1k plain TCP connections.
//!
//! Client and server share the machine's cores, so every figure is a lower bound of what the
//! server does alone. Only 127.0.0.0/8 addresses are used; every loop is bounded in count and
//! time. `load raw-hold` is the raw baseline server of case 1, run as a child process so that
//! its RSS is its own.
#![expect(
    clippy::expect_used,
    reason = "a measuring tool: a failure aborts the run with its message"
)]

// The modules live in `load/` (a binary's root resolves modules next to itself).
#[path = "load/client.rs"]
mod client;
#[path = "load/fanout.rs"]
mod fanout;
#[path = "load/idle.rs"]
mod idle;
#[path = "load/rates.rs"]
mod rates;
#[path = "load/server.rs"]
mod server;
#[path = "load/stats.rs"]
mod stats;

use std::time::Duration;

/// Upper bound of any single wait; a case that takes longer aborts the run.
pub const WAIT: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("raw-hold") {
        server::raw_hold().await;
        return;
    }
    let max_idle = args
        .windows(2)
        .find(|w| w[0] == "--max-idle")
        .map(|w| w[1].parse::<usize>().expect("--max-idle N"))
        .unwrap_or(15_000);
    println!(
        "battery-swap load: {} cores shared by client and server",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    let srv = server::Server::start().await;
    println!("server pid {} on {}", srv.pid(), srv.addr);
    idle::run(&srv, max_idle).await;
    rates::connect(&srv).await;
    rates::ping(&srv).await;
    fanout::run(&srv).await;
    drop(srv);
}
