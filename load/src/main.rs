//! The capacity load tool (issue #12): prints figures, asserts nothing.
//!
//! ```sh
//! cargo build --release -p battery-swap -p load   # the server and this tool, side by side
//! target/release/load                 # every case on one instance (SQLite, then PostgreSQL)
//! target/release/load --only fanout   # one case: idle, connect, ping, violations, fanout,
//!                                     # pages, bookings
//! target/release/load fleet           # 100,000 subscribers across 6 instances on PostgreSQL
//! target/release/load map             # deliveries per booking for 100,000 open maps of a city
//! target/release/load handoff         # one thread hand-off's round trip (run it under taskset)
//! load restarts --through URL …       # restarts and crashes behind nginx (.ci/topology runs it)
//! target/release/load --server-args "--db-connections 1"   # flags for the servers it starts
//! ```
//!
//! It starts `battery-swap` (next to this binary) on a fresh database on an ephemeral port,
//! with its connect and socket limits raised so the load is not refused, and measures, each
//! against a baseline run in the same session where one exists:
//!
//! 1. idle subscribed sockets: server RSS growth per socket (and a raw TCP server's);
//! 2. connect rate to `connection_established`, 100 handshakes in flight;
//! 3. spec ping round trips, 100 sockets × 100 sequential pings;
//! 4. fan-out at 1k and 10k subscribers: one change at a time and a stream of changes made
//!    through the HTTP API, against a child process writing the same bytes to as many plain
//!    TCP connections;
//! 5. 10,000 protocol violations: each gets its close code, and nothing leaks;
//! 6. server-rendered pages with 100 stations and 2,000 packs, against `/healthz`;
//! 7. bookings by 1,000 concurrent riders across 100 stations, on SQLite and on PostgreSQL,
//!    with the oversell checks, and one thread hand-off's round trip (each statement on
//!    SQLite makes one);
//! 8. (`--only nearby`, not in the default run) `/api/nearby` with 10,000 stations, on SQLite
//!    and on PostgreSQL, against `/healthz`.
//!
//! Client and server share the machine's cores, so every figure is a lower bound of what the
//! server does alone. Only 127.0.0.0/8 addresses are used; every loop is bounded in count and
//! time. `raw-hold`, `raw-fanout`, `hold` and `hold-map` are the child processes the cases start.
#![expect(
    clippy::expect_used,
    reason = "a measuring tool: a failure aborts the run with its message"
)]

mod bookings;
mod bystanders;
mod client;
mod cpu;
mod fanout;
mod fleet;
mod handoff;
mod http;
mod idle;
mod map;
mod marker;
mod nearby;
mod pages;
mod progress;
mod rates;
mod raw_writes;
mod raw_ws;
mod restarts;
mod seed;
mod server;
mod stats;
mod violations;

use server::{Server, Storage};
use std::time::Duration;

/// How long the bookings' raw baseline runs on each database.
const RAW_WRITES: Duration = Duration::from_secs(3);

/// Upper bound of any single wait; a case that takes longer aborts the run.
pub const WAIT: Duration = Duration::from_secs(60);

/// The value after `--name`, if given.
fn flag(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

fn number(args: &[String], name: &str, default: usize) -> usize {
    flag(args, name).map_or(default, |v| v.parse().expect("a number"))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let postgres = flag(&args, "--postgres")
        .or_else(|| std::env::var("BATTERY_SWAP_TEST_PG").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    match args.first().map(String::as_str) {
        Some("raw-hold") => return server::raw_hold().await,
        Some("raw-fanout") => {
            let sockets = arg(2).parse().expect("n");
            return server::raw_fanout(&arg(1), sockets, arg(3) == "ws").await;
        }
        Some("hold") => {
            let addr = arg(1).parse().expect("address");
            let (count, first) = (
                arg(2).parse().expect("count"),
                arg(3).parse().expect("first"),
            );
            return fleet::hold(addr, count, first).await;
        }
        Some("hold-raw") => {
            let addr = arg(1).parse().expect("address");
            let (count, first) = (
                arg(2).parse().expect("count"),
                arg(3).parse().expect("first"),
            );
            return fleet::hold_raw(addr, count, first, arg(4).parse().expect("frame bytes")).await;
        }
        Some("hold-map") => {
            let addr = arg(1).parse().expect("address");
            let (count, first) = (
                arg(2).parse().expect("count"),
                arg(3).parse().expect("first"),
            );
            return map::hold(addr, count, first, &arg(4), &arg(5)).await;
        }
        Some("map") => {
            let opts = map::Options {
                subscribers: number(&args, "--subscribers", 100_000),
                before: number(&args, "--before", 10_000),
                instances: number(&args, "--instances", 6),
                postgres,
            };
            return map::run(opts).await;
        }
        Some("handoff") => return handoff::print(),
        Some("restarts") => {
            // Everything after `--` is the server's command line.
            let (own, command) = args
                .iter()
                .position(|a| a == "--")
                .map_or((&args[..], &[][..]), |at| (&args[..at], &args[at + 1..]));
            let required =
                |name: &str| flag(own, name).unwrap_or_else(|| panic!("{name} is required"));
            let opts = restarts::Options {
                through: required("--through"),
                ca: required("--ca"),
                ports: required("--ports")
                    .split(',')
                    .map(|p| p.parse().expect("a port"))
                    .collect(),
                postgres,
                logs: required("--logs").into(),
                subscribers: number(own, "--subscribers", 1000),
                riders: number(own, "--riders", 30),
                command: command.to_vec(),
            };
            return restarts::run(opts).await;
        }
        Some("fleet") => {
            let opts = fleet::Options {
                subscribers: number(&args, "--subscribers", 100_000),
                instances: number(&args, "--instances", 6),
                postgres,
            };
            return fleet::run(opts).await;
        }
        _ => {}
    }
    let only = flag(&args, "--only");
    let case = |name: &str| only.as_deref().is_none_or(|o| o == name);
    println!(
        "battery-swap load: {} cores shared by client and server",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    // `--server-args "--db-connections 2"`: flags for every server this run starts.
    let server_args = flag(&args, "--server-args").unwrap_or_default();
    let extra: Vec<&str> = server_args.split_whitespace().collect();
    let srv = Server::start_on(&Storage::Sqlite, true, &extra).await;
    println!("server pid {} on {} (SQLite)", srv.pid(), srv.addr);
    if case("idle") {
        idle::run(&srv, number(&args, "--max-idle", 15_000)).await;
    }
    if case("connect") {
        rates::connect(&srv).await;
    }
    if case("ping") {
        rates::ping(&srv).await;
    }
    if case("violations") {
        violations::run(&srv).await;
    }
    if case("fanout") {
        fanout::run(&srv, 1000, 300).await;
        fanout::run(&srv, 10_000, 30).await;
    }
    if case("pages") || case("bookings") {
        seed::stations_and_packs(srv.addr).await;
    }
    if case("pages") {
        pages::run(srv.addr, 1).await;
    }
    if only.as_deref() == Some("nearby") {
        for storage in [
            Storage::Sqlite,
            Storage::Postgres(fresh_pg(&postgres).await),
        ] {
            let srv = Server::start_on(&storage, false, &extra).await;
            println!(
                "\nserver pid {} on {} ({})",
                srv.pid(),
                srv.addr,
                storage.name()
            );
            nearby::seed(&srv.db_url, &nearby::GRID).await;
            nearby::run(srv.addr).await;
        }
        return;
    }
    if case("bookings") {
        let riders = seed::riders(srv.addr, "sqlite").await;
        let made = bookings::run(&srv, Storage::Sqlite.name(), &riders).await;
        drop(srv);
        // The server's own settings: a pool of 8 (`battery_swap::db::connect`'s default).
        let file =
            std::env::temp_dir().join(format!("battery-swap-load-raw-{}.db", std::process::id()));
        let url = format!("sqlite://{}", file.display());
        let raw = raw_writes::booking_shaped(&url, 8, 8, RAW_WRITES).await;
        bookings::against_raw("SQLite", 8, raw, made);
        handoff::print();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        let url = fresh_pg(&postgres).await;
        let pg = Storage::Postgres(url.clone());
        let srv = Server::start_on(&pg, true, &extra).await;
        println!("\nserver pid {} on {} (PostgreSQL)", srv.pid(), srv.addr);
        seed::stations_and_packs(srv.addr).await;
        let riders = seed::riders(srv.addr, "pg").await;
        let made = bookings::run(&srv, pg.name(), &riders).await;
        let raw = raw_writes::booking_shaped(&url, 32, 32, RAW_WRITES).await;
        bookings::against_raw("PostgreSQL", 32, raw, made);
        bookings::postgres_commit_limit(&url, 32).await;
    }
}

async fn fresh_pg(base: &str) -> String {
    server::fresh_postgres(base, "battery_swap_load").await
}
