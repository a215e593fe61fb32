//! Open-socket caps (per client, per instance) and who "a client" is behind trusted proxies:
//! nothing one client does with WebSockets can exhaust the instance for everyone else.
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::support::*;

/// An open, greeted socket, or the refusal's HTTP status and JSON body.
async fn open(s: &battery_swap::Server, headers: &[(&str, &str)]) -> Result<Ws, (u16, String)> {
    match connect(s, "/ws/stations/", headers).await {
        Ok(mut ws) => {
            assert_eq!(next_json(&mut ws).await["type"], "connection_established");
            Ok(ws)
        }
        Err(WsError::Http(res)) => {
            let body = res.body().clone().unwrap_or_default();
            let retry = res.headers().get("retry-after").cloned();
            let status = res.status().as_u16();
            assert!(status != 503 || retry.is_some(), "503 says when to retry");
            Err((status, String::from_utf8(body).unwrap()))
        }
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
    }
}

fn forwarded(ip: &str) -> [(&str, &str); 1] {
    [("x-forwarded-for", ip)]
}

#[tokio::test]
async fn a_client_at_its_socket_cap_gets_429_until_one_of_its_sockets_closes() {
    let mut cfg = config().await;
    cfg.sockets.max_sockets_per_client = 3;
    let s = start(cfg).await;
    let slots = s.state.sockets.clone();
    let mut open_now = Vec::new();
    for _ in 0..3 {
        open_now.push(open(&s, &[]).await.unwrap());
    }
    let (status, body) = open(&s, &[]).await.unwrap_err();
    assert_eq!(status, 429);
    assert!(body.contains("rate_limited"), "a plain JSON error: {body}");

    // A clean close frees the place.
    let mut first = open_now.remove(0);
    first.close(None).await.unwrap();
    while let Some(Ok(_)) = tokio::time::timeout(WAIT, first.next()).await.unwrap() {}
    until(|| slots.open() == 2).await;
    open_now.push(open(&s, &[]).await.expect("a freed place is taken again"));
    assert!(open(&s, &[]).await.is_err(), "and the cap holds again");

    // So does a client that vanishes without closing (TCP dropped), and a socket the server
    // closes itself (here: a message over the size limit, 1009).
    drop(open_now.remove(0));
    until(|| slots.open() == 2).await;
    let mut big = open_now.remove(0);
    let _ = big
        .send(tokio_tungstenite::tungstenite::Message::text(
            "x".repeat(128 * 1024),
        ))
        .await;
    assert_eq!(close_code(&mut big).await, Some(1009));
    until(|| slots.open() == 1).await;
    let again = [open(&s, &[]).await, open(&s, &[]).await];
    assert!(
        again.iter().all(Result::is_ok),
        "both places are free again"
    );
}

#[tokio::test]
async fn a_full_instance_refuses_new_sockets_with_503() {
    let mut cfg = config().await;
    cfg.sockets.max_sockets = 2;
    let s = start(cfg).await;
    let _a = open(&s, &[]).await.unwrap();
    let _b = open(&s, &[]).await.unwrap();
    let (status, body) = open(&s, &[]).await.unwrap_err();
    assert_eq!(status, 503);
    assert!(body.contains("busy"), "a plain JSON error: {body}");
    // The notifications feed counts too, and is refused before its credentials are looked at.
    let refused = connect(&s, "/ws/notifications/", &[]).await.unwrap_err();
    assert_eq!(refused_status(refused), 503);
}

/// Behind a trusted proxy each forwarded client has its own cap; IPv6 clients are counted by
/// their /64, since one subscriber usually holds a whole /64.
#[tokio::test]
async fn behind_a_trusted_proxy_the_cap_is_per_forwarded_client_and_ipv6_per_64() {
    let mut cfg = config().await;
    cfg.http.trusted_proxies = vec!["127.0.0.1".into()];
    cfg.sockets.max_sockets_per_client = 1;
    let s = start(cfg).await;
    let _a = open(&s, &forwarded("203.0.113.1")).await.unwrap();
    assert_eq!(
        open(&s, &forwarded("203.0.113.1")).await.unwrap_err().0,
        429
    );
    let _b = open(&s, &forwarded("203.0.113.2")).await.unwrap();
    let _v6 = open(&s, &forwarded("2001:db8:1:2::1")).await.unwrap();
    assert_eq!(
        open(&s, &forwarded("2001:db8:1:2:ffff::9"))
            .await
            .unwrap_err()
            .0,
        429,
        "the same /64"
    );
    let _other_64 = open(&s, &forwarded("2001:db8:1:3::1")).await.unwrap();
}

/// `--trusted-proxies`: two clients behind the proxy have separate connect-rate buckets.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_connect_rate() {
    let mut cfg = config().await;
    cfg.http.trusted_proxies = vec!["127.0.0.1".into()];
    cfg.sockets.connects_per_minute = 2;
    let s = start(cfg).await;
    for _ in 0..2 {
        open(&s, &forwarded("198.51.100.1")).await.unwrap();
    }
    assert_eq!(
        open(&s, &forwarded("198.51.100.1")).await.unwrap_err().0,
        429
    );
    open(&s, &forwarded("198.51.100.2"))
        .await
        .expect("another client behind the same proxy is not limited by the first");
}

/// Without `--trusted-proxies` the TCP peer is the client: a forged `X-Forwarded-For` (or
/// `Forwarded`) does not buy a fresh bucket.
#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_limit() {
    let mut cfg = config().await;
    cfg.sockets.connects_per_minute = 2;
    let s = start(cfg).await;
    open(&s, &forwarded("198.51.100.1")).await.unwrap();
    open(&s, &forwarded("198.51.100.2")).await.unwrap();
    assert_eq!(
        open(&s, &forwarded("198.51.100.3")).await.unwrap_err().0,
        429
    );
    assert_eq!(
        open(&s, &[("forwarded", "for=198.51.100.4")])
            .await
            .unwrap_err()
            .0,
        429
    );
}

/// The smaller buffers still carry a message of the full allowed size, both ways.
#[tokio::test]
async fn a_message_of_the_largest_allowed_size_is_echoed() {
    let s = server().await;
    let mut ws = open(&s, &[]).await.unwrap();
    let envelope = r#"{"type":"ping","timestamp":""}"#.len();
    let stamp = "x".repeat(s.state.ws.max_message_bytes - envelope);
    send_text(
        &mut ws,
        &format!(r#"{{"type":"ping","timestamp":"{stamp}"}}"#),
    )
    .await;
    let pong = next_json(&mut ws).await;
    assert_eq!(pong["type"], "pong");
    assert_eq!(pong["timestamp"].as_str().map(str::len), Some(stamp.len()));
}
