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
use crate::fanout::marker;
use crate::http::Conn;
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
    let exe = std::env::current_exe().expect("own path");
    let mut holders = Vec::new();
    let started = std::time::Instant::now();
    for (j, srv) in servers.iter().enumerate() {
        let count = per.min(opts.subscribers - j * per);
        let mut child = Command::new(&exe)
            .args(["hold", &srv.addr.to_string(), &count.to_string()])
            .arg((j as u32 * ADDRESSES_PER_PROCESS * 1000).to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start a client process");
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
    let rss: u64 = servers.iter().map(Server::rss_kib).sum();
    println!(
        "{held} subscribers connected in {}; servers' RSS together {} MiB ({:.1} KiB per socket, including each instance's baseline)",
        ms(started.elapsed()),
        rss / 1024,
        rss as f64 / held.max(1) as f64
    );
    let cookie = admin_cookie(servers[0].addr).await;
    let mut conn = Conn::open(servers[0].addr).await;
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
        let mut latencies = Vec::with_capacity(held);
        for (_, lines) in &mut holders {
            let line = lines.next_line().await.expect("read").expect("a report");
            let arrivals = line
                .strip_prefix(&format!("event {n}"))
                .expect("event line");
            latencies.extend(
                arrivals
                    .split_whitespace()
                    .filter_map(|t| t.parse::<u64>().ok())
                    .map(|at| Duration::from_micros(at.saturating_sub(sent))),
            );
        }
        println!(
            "change {n}: delivered to {} of {held}; from the API call p50 {}, p99 {}, to the last {}",
            latencies.len(),
            ms(percentile(&mut latencies, 50.0)),
            ms(percentile(&mut latencies, 99.0)),
            ms(percentile(&mut latencies, 100.0)),
        );
    }
    for (mut child, _) in holders {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(b"stop\n").await;
        }
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
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64)>();
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
    for task in tasks {
        task.abort();
    }
}

fn report(k: usize, arrivals: &[u64]) {
    let times: Vec<String> = arrivals.iter().map(u64::to_string).collect();
    println!("event {k} {}", times.join(" "));
}
