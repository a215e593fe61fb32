//! `load map` (issue #31, item 9): what a city's open maps cost per booking. 100,000 map
//! subscribers spread over a city of 1,000 stations (20 × 20 km), held by several instances
//! on one PostgreSQL database and as many client processes (`load hold-map`), as in `fleet`.
//!
//! Before: every map on the all-stations feed (`/ws/stations/`), as the browser's list was;
//! 10 bookings, 1 s apart. Held by 10,000 sockets (`--before`), not 100,000: each one's
//! greeting is the whole city's snapshot (its size is printed), and 100,000 of them filled
//! this 24 GiB machine's memory before the last connected; a booking reaches every such
//! socket alike, so the figure per socket is scaled to the 100,000. After: every map on `/ws/watch/`, following the stations in a phone's
//! view (1.5 × 3 km) around a random point of the city; 200 bookings at random stations at
//! 20/s, then a rush of 10 riders booking at one station at once. Deliveries are the frames the
//! clients received after their greetings, per booking; a watch socket also counts any station
//! that reached it twice within 900 ms (pacing promises one a second).
use futures::StreamExt;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

use crate::client;
use crate::fleet::{Holder, spawn_children, stop};
use crate::http::Conn;
use crate::nearby::{self, Grid};
use crate::server::{Server, Storage, fresh_postgres};

/// The city: 1,000 stations on a 25 × 40 grid, 0.8 km by 0.5 km apart, about 20 × 20 km.
const CITY: Grid = Grid {
    stations: 1000,
    rows: 25,
    south: 52.42,
    west: 13.26,
    step: (0.0072, 0.00738),
};
/// A phone's map view, degrees of latitude by longitude: about 3 km tall, 1.5 km wide.
const VIEW: (f64, f64) = (0.027, 0.0221);
const BEFORE_BOOKINGS: usize = 10;
const AFTER_BOOKINGS: usize = 200;
/// At most the charged packs a station of the city holds (20 packs, a third charging).
const RUSH: usize = 10;

pub struct Options {
    pub subscribers: usize,
    /// Sockets on the all-stations feed for the "before" figure.
    pub before: usize,
    pub instances: usize,
    pub postgres: String,
}

pub async fn run(opts: Options) {
    println!(
        "== map: {} map subscribers over a city of {} stations, {} instances on one PostgreSQL database ==",
        opts.subscribers, CITY.stations, opts.instances
    );
    let url = fresh_postgres(&opts.postgres, "battery_swap_load_map").await;
    let storage = Storage::Postgres(url);
    let pool = (90 / opts.instances).saturating_sub(1).max(2).to_string();
    let flags = ["--db-connections", pool.as_str()];
    let first = Server::start_on(&storage, false, &flags).await;
    nearby::seed(&first.db_url, &CITY).await;
    let mut servers = vec![first];
    for _ in 1..opts.instances {
        servers.push(Server::start_on(&storage, false, &flags).await);
    }
    let targets: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let api = servers[0].addr;
    let (stations, ids) = station_file(api).await;
    let riders = crate::seed::register(api, "map", BEFORE_BOOKINGS + AFTER_BOOKINGS + RUSH).await;
    let (before, rest) = riders.split_at(BEFORE_BOOKINGS);
    let (after, rush) = rest.split_at(AFTER_BOOKINGS);

    greeting_sizes(api, &ids).await;
    let tail = |mode: &str| vec![mode.to_string(), stations.display().to_string()];
    let started = Instant::now();
    let (mut holders, held) = spawn_children(&targets, opts.before, "hold-map", &tail("all")).await;
    println!(
        "before: {held} sockets on /ws/stations/ in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The greetings, counted by the clients too.
    let (greeted, _) = settled(&mut holders).await;
    for (n, cookie) in before.iter().enumerate() {
        book(api, cookie, ids[n * 97 % ids.len()]).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let (got, _) = settled(&mut holders).await;
    let got = got - greeted;
    stop(holders).await;
    let per_socket = got as f64 / BEFORE_BOOKINGS as f64 / held.max(1) as f64;
    let per_before = per_socket * opts.subscribers as f64;
    println!(
        "before: {got} deliveries for {BEFORE_BOOKINGS} bookings to {held} sockets: {per_socket:.2} per booking and socket, {per_before:.0} per booking at {} sockets",
        opts.subscribers
    );

    let started = Instant::now();
    let (mut holders, held) =
        spawn_children(&targets, opts.subscribers, "hold-map", &tail("watch")).await;
    println!(
        "after: {held} sockets on /ws/watch/ in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (greeted, _) = settled(&mut holders).await;
    let spread = Instant::now();
    let mut every = tokio::time::interval(Duration::from_millis(50));
    let mut tasks = Vec::new();
    for (n, cookie) in after.iter().enumerate() {
        every.tick().await;
        let (cookie, station) = (cookie.clone(), ids[(n * 7919 + 13) % ids.len()]);
        tasks.push(tokio::spawn(
            async move { book(api, &cookie, station).await },
        ));
    }
    for t in tasks {
        t.await.expect("a booking");
    }
    let took = spread.elapsed().as_secs_f64();
    let (got, soon) = settled(&mut holders).await;
    let got = got - greeted;
    let per_after = got as f64 / AFTER_BOOKINGS as f64;
    println!(
        "after: {got} deliveries for {AFTER_BOOKINGS} bookings at {:.0}/s over the city: {per_after:.1} per booking ({:.0} times fewer); a station twice within 900 ms at one socket: {soon}",
        AFTER_BOOKINGS as f64 / took,
        per_before / per_after.max(1e-9),
    );
    let busy = ids[ids.len() / 2 + CITY.rows / 2];
    let tasks: Vec<_> = rush
        .iter()
        .cloned()
        .map(|cookie| tokio::spawn(async move { book(api, &cookie, busy).await }))
        .collect();
    for t in tasks {
        t.await.expect("a booking");
    }
    let (rushed, soon_all) = settled(&mut holders).await;
    let (rushed, soon) = (rushed - greeted, soon_all - soon);
    println!(
        "rush: {RUSH} bookings at one station at once: {} deliveries ({:.1} per booking); twice within 900 ms: {soon}",
        rushed - got,
        (rushed - got) as f64 / RUSH as f64
    );
    stop(holders).await;
    println!(
        "at 120 bookings/s: {:.1} M deliveries/s before, {:.3} M/s after",
        per_before * 120.0 / 1e6,
        per_after * 120.0 / 1e6
    );
    let _ = std::fs::remove_file(&stations);
}

/// Prints the greeting of an all-stations socket and of a watch of a phone's view (the
/// stations 0.8 km apart around one point): what each socket costs to open.
async fn greeting_sizes(api: SocketAddr, ids: &[i32]) {
    let mut all = client::connect(api, "/ws/stations/").await;
    let whole = client::next_text(&mut all).await.len();
    let view: Vec<String> = ids.iter().take(12).map(i32::to_string).collect();
    let mut watch = client::connect(api, &format!("/ws/watch/?stations={}", view.join(","))).await;
    let few = client::next_text(&mut watch).await.len();
    println!(
        "greetings: {whole} bytes on /ws/stations/ ({} stations), {few} on /ws/watch/ ({} stations)",
        ids.len(),
        view.len()
    );
}

async fn book(api: SocketAddr, cookie: &str, station: i32) {
    let mut conn = Conn::open(api).await;
    let res = conn
        .post(
            "book_battery",
            &format!("station_id={station}"),
            Some(cookie),
        )
        .await;
    assert_eq!(res.status, 200, "book_battery at {station}: {}", res.body);
}

/// Every station's id and position, one per line, in a temporary file for the client processes;
/// and the ids.
async fn station_file(api: SocketAddr) -> (std::path::PathBuf, Vec<i32>) {
    let mut conn = Conn::open(api).await;
    let res = conn.post("list_stations", "", None).await;
    assert_eq!(res.status, 200, "list_stations: {}", res.body);
    let list: Vec<serde_json::Value> = serde_json::from_str(&res.body).expect("station list");
    let path = std::env::temp_dir().join(format!("battery-swap-map-{}.txt", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("station file");
    let mut ids = Vec::with_capacity(list.len());
    for s in &list {
        writeln!(file, "{} {} {}", s["id"], s["latitude"], s["longitude"]).expect("write");
        ids.extend(s["id"].as_i64().map(|id| id as i32));
    }
    (path, ids)
}

/// Asks every client process for its count until two rounds a second apart agree (the
/// deliveries and paced flushes are over); returns the total and the too-soon count.
async fn settled(holders: &mut [Holder]) -> (u64, u64) {
    let mut last = None;
    for _ in 0..120 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let mut now = (0, 0);
        for (child, lines) in holders.iter_mut() {
            let stdin = child.stdin.as_mut().expect("stdin");
            stdin.write_all(b"count\n").await.expect("ask");
            let line = lines.next_line().await.expect("read").expect("a count");
            let mut n = line
                .split_whitespace()
                .skip(1)
                .map(|v| v.parse::<u64>().unwrap_or(0));
            now.0 += n.next().unwrap_or(0);
            now.1 += n.next().unwrap_or(0);
        }
        if last == Some(now) {
            return now;
        }
        last = Some(now);
    }
    last.unwrap_or_default()
}

/// A subscription to `path`, tried again with backoff (up to 30 times) when the server was too
/// busy to take it, as the browser's feed tries again; `again` counts the retries.
async fn subscribe_again(addr: SocketAddr, path: &str, again: &AtomicU64) -> client::Ws {
    let mut wait = Duration::from_millis(100);
    for _ in 0..30 {
        if let Some(ws) = client::try_subscribe(addr, path).await {
            return ws;
        }
        again.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(5));
    }
    panic!("no subscription to {addr}{path} after 30 tries");
}

/// `load hold-map <addr> <count> <first> <all|watch> <station file>`: `count` sockets, each on
/// `/ws/stations/` or on `/ws/watch/` following the stations in a view around its own point
/// of the city; says `ready <n>`, then answers each `count` line with `count <frames> <too
/// soon>`; ends when stdin closes.
pub async fn hold(addr: SocketAddr, count: usize, first: u32, mode: &str, stations: &str) {
    client::skip_sockets(first);
    let all: Vec<(i32, f64, f64)> = std::fs::read_to_string(stations)
        .expect("station file")
        .lines()
        .filter_map(|l| {
            let mut v = l.split_whitespace();
            Some((
                v.next()?.parse().ok()?,
                v.next()?.parse().ok()?,
                v.next()?.parse().ok()?,
            ))
        })
        .collect();
    let watch = mode == "watch";
    let paths: Vec<String> = (0..count)
        .map(|i| {
            if !watch {
                return "/ws/stations/".to_string();
            }
            let k = first as usize + i;
            let lat =
                CITY.south + (k as f64 * 0.618_033_988_7).fract() * CITY.rows as f64 * CITY.step.0;
            let columns = CITY.stations.div_ceil(CITY.rows) as f64;
            let lon = CITY.west + (k as f64 * 0.414_213_562_4).fract() * columns * CITY.step.1;
            let inside: Vec<String> = all
                .iter()
                .filter(|(_, a, o)| {
                    (a - lat).abs() <= VIEW.0 / 2.0 && (o - lon).abs() <= VIEW.1 / 2.0
                })
                .map(|(id, _, _)| id.to_string())
                .collect();
            format!("/ws/watch/?stations={}", inside.join(","))
        })
        .collect();
    let again = Arc::new(AtomicU64::new(0));
    let sockets: Vec<client::Ws> = futures::stream::iter(paths)
        .map(|path| {
            let again = Arc::clone(&again);
            tokio::spawn(async move { subscribe_again(addr, &path, &again).await })
        })
        .buffer_unordered(50)
        .map(|r| r.expect("handshake task"))
        .collect()
        .await;
    let again = again.load(Ordering::Relaxed);
    if again > 0 {
        eprintln!("hold-map: {again} handshakes tried again (the server closed or was slow)");
    }
    println!("ready {}", sockets.len());
    let (frames, soon) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::with_capacity(sockets.len());
    for mut ws in sockets {
        let (frames, soon) = (Arc::clone(&frames), Arc::clone(&soon));
        tasks.push(tokio::spawn(async move {
            let mut last: Vec<(i64, Instant)> = Vec::new();
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(t) = msg else { continue };
                frames.fetch_add(1, Ordering::Relaxed);
                if !watch {
                    continue;
                }
                let station = serde_json::from_str::<serde_json::Value>(t.as_str())
                    .ok()
                    .and_then(|v| v["station_id"].as_i64());
                let Some(station) = station else { continue };
                let now = Instant::now();
                match last.iter_mut().find(|(s, _)| *s == station) {
                    Some((_, at)) => {
                        if now - *at < Duration::from_millis(900) {
                            soon.fetch_add(1, Ordering::Relaxed);
                        }
                        *at = now;
                    }
                    None => last.push((station, now)),
                }
            }
        }));
    }
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(_)) = stdin.next_line().await {
        println!(
            "count {} {}",
            frames.load(Ordering::Relaxed),
            soon.load(Ordering::Relaxed)
        );
    }
    for task in tasks {
        task.abort();
    }
}
