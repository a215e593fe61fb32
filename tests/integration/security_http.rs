//! HTTP time limits: a client cannot hold a connection by sending slowly, and shutdown (the
//! real binary, SIGTERM) closes every socket with 1001 and exits within its grace period even
//! when a request is stuck.
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// Everything the server sends until it closes the connection, and how long that took.
async fn until_closed(tcp: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(WAIT, tcp.read(&mut buf))
            .await
            .expect("the server closes the connection in time")
        {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

/// Slowloris: headers trickled a byte at a time (each byte well within any idle timeout) are
/// cut off once the whole header has taken longer than `--http-header-timeout-ms`. A client
/// that connects and sends nothing is closed the same way.
#[tokio::test]
async fn slow_headers_and_silent_connections_are_cut_off() {
    let mut cfg = config().await;
    cfg.http.header_timeout_ms = 600;
    let s = start(cfg).await;

    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let (mut reader, mut writer) = slow.into_split();
    let trickle = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        // The attacker's pace, not a synchronisation: it stops when the server hangs up.
        while writer.write_all(b"a").await.is_ok() {
            tick.tick().await;
        }
    });
    let started = Instant::now();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(WAIT, reader.read_to_end(&mut got))
        .await
        .expect("the server cuts the slow client off in time");
    let took = started.elapsed();
    trickle.abort();
    let got = String::from_utf8_lossy(&got);
    assert!(
        got.is_empty() || got.starts_with("HTTP/1.1 408"),
        "no page for an unfinished request: {got}"
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_millis(600) + WAIT / 4,
        "cut off by the header timeout, not earlier or much later: {took:?}"
    );

    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    let (got, took) = until_closed(&mut silent).await;
    assert!(!got.contains("200 OK"), "{got}");
    assert!(took < Duration::from_millis(600) + WAIT / 4, "{took:?}");

    // Well-behaved clients are served as before.
    let res = browser().get(http(&s, "/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// A request whose body never finishes gets 408 (a plain JSON error) after
/// `--http-request-timeout-ms`, and the connection is closed.
#[tokio::test]
async fn a_request_body_that_never_finishes_gets_408() {
    let mut cfg = config().await;
    cfg.http.request_timeout_ms = 500;
    let s = start(cfg).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(
        b"POST /api/login HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\nemail=a",
    )
    .await
    .unwrap();
    let (got, took) = until_closed(&mut tcp).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains(r#""error":"timed_out""#), "{got}");
    assert!(took < Duration::from_millis(500) + WAIT / 4, "{took:?}");
}

/// SIGTERM to the real binary: an open socket gets its 1001 close, and the process exits within
/// `--shutdown-grace-ms` although a request is still in flight (its body never comes).
#[tokio::test]
async fn sigterm_closes_sockets_with_1001_and_exits_within_the_grace_period() {
    let url = fresh_database_url().await;
    let grace = Duration::from_millis(1500);
    let mut server = Process::spawn_with(
        &url,
        &[
            "--shutdown-grace-ms",
            &grace.as_millis().to_string(),
            "--http-request-timeout-ms",
            "600000",
        ],
    )
    .await;
    let mut ws = connect_url(&server.ws("/ws/stations/"), &[]).await;
    assert_eq!(next_json(&mut ws).await["type"], "connection_established");

    // A request the server is busy with: it asked for the body (100 Continue), which never comes.
    let mut stuck = TcpStream::connect(server.addr).await.unwrap();
    stuck
        .write_all(
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\n",
        )
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(WAIT, stuck.read(&mut buf))
        .await
        .expect("the handler asks for the body")
        .unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 100"), "{:?}", &buf[..n]);

    let pid = server.child.id().expect("running").to_string();
    let sent = Instant::now();
    let kill = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    assert_eq!(close_code(&mut ws).await, Some(1001));
    let status = tokio::time::timeout(grace + WAIT / 2, server.child.wait())
        .await
        .expect("the process exits although a request is stuck")
        .unwrap();
    let took = sent.elapsed();
    assert!(status.success(), "a clean exit: {status}");
    assert!(
        took >= grace - Duration::from_millis(100),
        "it waited for the request in flight first: {took:?}"
    );
    let (_, _) = until_closed(&mut stuck).await;
}

/// Pages tell the browser not to sniff types, frame them, leak full URLs elsewhere, or keep
/// personal pages in any cache; static files stay cacheable.
#[tokio::test]
async fn pages_carry_the_security_headers() {
    let s = server().await;
    user(&s, "r@a.test", app::account::Role::Rider).await;
    let rider = logged_in(&s, "r@a.test").await;
    let mut nonces = Vec::new();
    for (client, path) in [(browser(), "/"), (rider.clone(), "/bookings")] {
        let res = client.get(http(&s, path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let h = res.headers();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            get("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        let csp = get("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert_eq!(get("cache-control"), "no-store", "{path}");
        // Only our scripts run: the page's inline scripts carry this response's nonce.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_default()
            .to_string();
        assert!(nonce.len() >= 16, "{path}: a script nonce in {csp}");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        let html = res.text().await.unwrap();
        assert!(html.contains("<html"), "{path} is the page itself");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path} hydrates");
        for script in scripts {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}>"
            );
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is used once");
    // A refusal before any page code runs carries them too.
    let res = browser()
        .post(http(&s, "/api/login"))
        .body(vec![b'x'; 2 * battery_swap::MAX_REQUEST_BYTES])
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
