//! Case 8 (`load fleet`): 100,000 live subscribers on this machine. One process may open
//! 20,000 files here, so the subscribers are held by several server instances on one
//! PostgreSQL database and by as many client processes (`load hold`), each from its own
//! range of 127.0.0.0/8 source addresses. A station change made through one instance's API
//! reaches the others through PostgreSQL's NOTIFY; each client process reports when every one
//! of its sockets has it, with the arrival times, and this process reports the time from the
//! API call to each delivery and to the last.
use futures::StreamExt;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::Message;

use crate::client;
use crate::http::Conn;
use crate::marker::marker;
use crate::server::{Server, Storage, admin_cookie, fresh_postgres};
use crate::stats::{ms, percentile};

/// Changes made one at a time, each waited for at all subscribers.
const CHANGES: usize = 5;
/// How long a client process waits for a change to reach all its sockets.
const DRAIN: Duration = Duration::from_secs(30);
/// Source addresses reserved per client process (1,000 sockets each).
const ADDRESSES_PER_PROCESS: u32 = 20;

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Options of `load fleet`.
pub struct Options {
    pub subscribers: usize,
    pub instances: usize,
    pub postgres: String,
}

pub async fn run(opts: Options) {
    let per = opts.subscribers.div_ceil(opts.instances);
    println!(
        "== fleet: {} subscribers of /ws/stations/1/ across {} instances on one PostgreSQL database ({per} each), {} client processes ==",
        opts.subscribers, opts.instances, opts.instances
    );
    let url = fresh_postgres(&opts.postgres, "battery_swap_load_fleet").await;
    let storage = Storage::Postgres(url);
    // PostgreSQL allows 100 connections by default: instances × pool + a listener each.
    let pool = (90 / opts.instances).saturating_sub(1).max(2).to_string();
    let flags = ["--db-connections", pool.as_str()];
    let mut servers = vec![Server::start_on(&storage, true, &flags).await];
    for _ in 1..opts.instances {
        servers.push(Server::start_on(&storage, false, &flags).await);
    }
    let targets: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let started = std::time::Instant::now();
    let (mut holders, held) = spawn_holders(&targets, opts.subscribers, None).await;
    let rss: u64 = servers.iter().map(Server::rss_kib).sum();
    println!(
        "{held} subscribers connected in {}; servers' RSS together {} MiB ({:.1} KiB per socket, including each instance's baseline)",
        ms(started.elapsed()),
        rss / 1024,
        rss as f64 / held.max(1) as f64
    );
    let cookie = admin_cookie(servers[0].addr).await;
    let mut conn = Conn::open(servers[0].addr).await;
    let mut server_last = Vec::new();
    for n in 0..CHANGES {
        let sent = now_us();
        let status = if n.is_multiple_of(2) {
            "maintenance"
        } else {
            "online"
        };
        let form = format!("station_id=1&status={status}&message=load-{n}");
        let res = conn.post("set_station_status", &form, Some(&cookie)).await;
        assert_eq!(res.status, 200, "set_station_status: {}", res.body);
        server_last.push(collect(&mut holders, n, sent, held, "change").await);
    }
    stop(holders).await;
    drop(servers);

    // The raw limit: as many plain TCP connections, to as many child processes writing the
    // same bytes (`load raw-fanout`), read by as many client processes that only count them.
    let text = r#"{"type":"station_status","station_id":1,"station_name":"Downtown Station","status":"online","message":"load-0","timestamp":"2026-11-27T00:00:00.000000+00:00"}"#;
    let frame = crate::fanout::ws_frame(text.as_bytes());
    let mut raws = Vec::new();
    let mut raw_addrs = Vec::new();
    for j in 0..opts.instances {
        let count = per.min(opts.subscribers - j * per);
        let (child, addr) = crate::server::spawn_raw_fanout(&frame, count, false).await;
        raw_addrs.push(addr);
        raws.push(child);
    }
    let (mut holders, held) = spawn_holders(&raw_addrs, opts.subscribers, Some(frame.len())).await;
    let mut raw_last = Vec::new();
    for n in 0..CHANGES {
        let sent = now_us();
        for raw in &mut raws {
            if let Some(stdin) = raw.stdin.as_mut() {
                stdin.write_all(b"1\n").await.expect("order the raw server");
            }
        }
        raw_last.push(collect(&mut holders, n, sent, held, "raw frame").await);
    }
    stop(holders).await;
    let median = |v: &mut Vec<Duration>| percentile(v, 50.0);
    let (s, r) = (median(&mut server_last), median(&mut raw_last));
    println!(
        "to the last of {held}: server p50 {}, raw TCP p50 {}; server deliveries/s = {:.0}% of raw",
        ms(s),
        ms(r),
        100.0 * r.as_secs_f64() / s.as_secs_f64().max(1e-9)
    );
}

/// Client processes (`load hold`, or `load hold-raw` counting `frame_len`-byte frames), one per
/// target, `total` sockets in all; returns them with the sockets they hold.
async fn spawn_holders(
    targets: &[SocketAddr],
    total: usize,
    frame_len: Option<usize>,
) -> (Vec<Holder>, usize) {
    let verb = if frame_len.is_some() {
        "hold-raw"
    } else {
        "hold"
    };
    let tail: Vec<String> = frame_len.map(|n| n.to_string()).into_iter().collect();
    spawn_children(targets, total, verb, &tail).await
}

/// Client processes `load <verb> <addr> <count> <first socket number> <tail>…`, one per target,
/// `total` sockets in all, each from its own source addresses; returns them once each said
/// `ready <n>`, with the sum of those n.
pub async fn spawn_children(
    targets: &[SocketAddr],
    total: usize,
    verb: &str,
    tail: &[String],
) -> (Vec<Holder>, usize) {
    let exe = std::env::current_exe().expect("own path");
    let per = total.div_ceil(targets.len());
    let mut holders = Vec::new();
    for (j, addr) in targets.iter().enumerate() {
        let count = per.min(total - j * per);
        let mut command = Command::new(&exe);
        command
            .arg(verb)
            .args([addr.to_string(), count.to_string()])
            .arg((j as u32 * ADDRESSES_PER_PROCESS * 1000).to_string())
            .args(tail)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start a client process");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        holders.push((child, lines));
    }
    let mut held = 0;
    for (_, lines) in &mut holders {
        let line = lines
            .next_line()
            .await
            .expect("read")
            .expect("a ready line");
        held += line
            .strip_prefix("ready ")
            .and_then(|n| n.parse::<usize>().ok())
            .expect("ready <n>");
    }
    (holders, held)
}

pub type Holder = (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
);

/// Reads every holder's report of event `n`; prints and returns the time to the last delivery.
async fn collect(holders: &mut [Holder], n: usize, sent: u64, held: usize, what: &str) -> Duration {
    let mut latencies = Vec::with_capacity(held);
    for (_, lines) in holders.iter_mut() {
        let line = lines.next_line().await.expect("read").expect("a report");
        let arrivals = line.strip_prefix(&format!("event {n} ")).unwrap_or("");
        latencies.extend(
            arrivals
                .split_whitespace()
                .filter_map(|t| t.parse::<u64>().ok())
                .map(|at| Duration::from_micros(at.saturating_sub(sent))),
        );
    }
    let last = percentile(&mut latencies, 100.0);
    println!(
        "{what} {n}: delivered to {} of {held}; p50 {}, p99 {}, to the last {}",
        latencies.len(),
        ms(percentile(&mut latencies, 50.0)),
        ms(percentile(&mut latencies, 99.0)),
        ms(last),
    );
    last
}

pub async fn stop(holders: Vec<Holder>) {
    for (mut child, _) in holders {
        drop(child.stdin.take());
        let _ = child.wait().await;
    }
}

/// `load hold <addr> <count> <first socket number>`: opens `count` subscribed sockets, says
/// `ready <n>`, then for each change `load-<k>` prints `event <k> <arrival µs>...` once every
/// socket has it (or after `DRAIN`). Ends when its stdin closes.
pub async fn hold(addr: SocketAddr, count: usize, first: u32) {
    client::skip_sockets(first);
    let sockets = client::subscribe_many(addr, "/ws/stations/1/", count, 100).await;
    println!("ready {}", sockets.len());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64)>();
    let mut tasks = Vec::with_capacity(sockets.len());
    for (mut ws, _) in sockets {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Text(t) = msg
                    && let Some(k) = marker(t.as_str())
                {
                    let _ = tx.send((k, now_us()));
                }
            }
        }));
    }
    drop(tx);
    report_arrivals(rx, count).await;
    for task in tasks {
        task.abort();
    }
}

/// `load hold-raw <addr> <count> <first> <frame bytes>`: as `hold`, over plain TCP to
/// `load raw-fanout`; the kth frame a socket reads is event k.
pub async fn hold_raw(addr: SocketAddr, count: usize, first: u32, frame_len: usize) {
    client::skip_sockets(first);
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        sockets.push(client::tcp(addr).await);
    }
    println!("ready {}", sockets.len());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64)>();
    let mut tasks = Vec::with_capacity(count);
    for mut tcp in sockets {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            let (mut buf, mut bytes) = (vec![0u8; 4096], 0usize);
            while let Ok(n @ 1..) = tokio::io::AsyncReadExt::read(&mut tcp, &mut buf).await {
                let before = bytes / frame_len;
                bytes += n;
                for k in before..bytes / frame_len {
                    let _ = tx.send((k, now_us()));
                }
            }
        }));
    }
    drop(tx);
    report_arrivals(rx, count).await;
    for task in tasks {
        task.abort();
    }
}

/// For each event k, once `count` arrivals are in (or `DRAIN` passed), prints
/// `event <k> <arrival µs>...`; ends when stdin closes.
async fn report_arrivals(mut rx: tokio::sync::mpsc::UnboundedReceiver<(usize, u64)>, count: usize) {
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut next = 0;
    let mut arrivals: Vec<Vec<u64>> = Vec::new();
    loop {
        tokio::select! {
            line = stdin.next_line() => if !matches!(line, Ok(Some(_))) { break },
            got = rx.recv() => {
                let Some((k, at)) = got else { break };
                if arrivals.len() <= k {
                    arrivals.resize(k + 1, Vec::new());
                }
                arrivals[k].push(at);
                while arrivals.get(next).is_some_and(|a| a.len() >= count) {
                    report(next, &arrivals[next]);
                    next += 1;
                }
            }
            () = tokio::time::sleep(DRAIN), if arrivals.len() > next => {
                report(next, &arrivals[next]);
                next += 1;
            }
        }
    }
}

fn report(k: usize, arrivals: &[u64]) {
    let times: Vec<String> = arrivals.iter().map(u64::to_string).collect();
    println!("event {k} {}", times.join(" "));
}
