//! Case 5: 10,000 protocol violations. Each connection completes its handshake, then sends
//! one of the six frames RFC 6455 forbids, and must get its close frame (1002, or 1007 for
//! text that is not UTF-8) before the server hangs up. Afterwards the server's open file
//! descriptors and its RSS must be back where they were (the tests in
//! `tests/integration/feeds_protocol.rs` pin each case's close code; this one counts leaks).
use futures::StreamExt;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::client;
use crate::server::Server;
use crate::stats::ms;

const ATTEMPTS: usize = 10_000;
const IN_FLIGHT: usize = 100;

/// A frame from the client: `first` byte (FIN, RSV, opcode), masked or not.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mask_bit = if masked { 0x80 } else { 0 };
    let mut out = vec![first];
    match payload.len() {
        n @ 0..=125 => out.push(mask_bit | n as u8),
        n => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&[0, 0, 0, 0]);
    }
    out.extend_from_slice(payload);
    out
}

/// The six violations and the close code each deserves.
fn violations() -> [(Vec<u8>, u16); 6] {
    [
        (frame(0x81, &[0xFF, 0xFE], true), 1007),
        (frame(0x81, b"{}", false), 1002),
        (frame(0xC1, b"{}", true), 1002),
        (frame(0x83, b"{}", true), 1002),
        (frame(0x89, &[b'x'; 200], true), 1002),
        (frame(0x80, b"{}", true), 1002),
    ]
}

/// The code of the first close frame the server sends, if any, before it hangs up.
async fn close_code(ws: client::Ws, bad: &[u8]) -> Option<u16> {
    let mut tcp = ws.into_inner();
    tcp.write_all(bad).await.ok()?;
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(crate::WAIT, tcp.read_to_end(&mut bytes)).await;
    // Server frames are unmasked with short payloads: opcode 8, then the code.
    let mut at = 0;
    while at + 2 <= bytes.len() {
        let (opcode, len) = (bytes[at] & 0x0F, usize::from(bytes[at + 1] & 0x7F));
        if opcode == 8 && len >= 2 && at + 4 <= bytes.len() {
            return Some(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        }
        at += 2 + len;
    }
    None
}

/// Open file descriptors of the server (its listening socket, database files and sockets).
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

pub async fn run(srv: &Server) {
    println!("\n== {ATTEMPTS} protocol violations, {IN_FLIGHT} at a time ==");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (fds_before, rss_before) = (open_fds(srv.pid()), srv.rss_kib());
    let started = Instant::now();
    let cases = violations();
    let results: Vec<(u16, Option<u16>)> = futures::stream::iter(0..ATTEMPTS)
        .map(|i| {
            let (bad, expected) = cases[i % cases.len()].clone();
            let addr = srv.addr;
            tokio::spawn(async move {
                let (ws, _) = client::subscribe(addr, "/ws/stations/1/").await;
                (expected, close_code(ws, &bad).await)
            })
        })
        .buffer_unordered(IN_FLIGHT)
        .map(|r| r.expect("violation task"))
        .collect()
        .await;
    let elapsed = started.elapsed();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for (expected, got) in &results {
        let key = match got {
            Some(code) if code == expected => format!("{code} as expected"),
            Some(code) => format!("{code} instead of {expected}"),
            None => format!("no close frame (expected {expected})"),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (fds_after, rss_after) = (open_fds(srv.pid()), srv.rss_kib());
    println!("{ATTEMPTS} attempts in {}: {outcomes:?}", ms(elapsed));
    println!(
        "server open files before {fds_before}, after {fds_after}; RSS before {rss_before} KiB, after {rss_after} KiB ({:+} KiB)",
        rss_after as i64 - rss_before as i64
    );
}
