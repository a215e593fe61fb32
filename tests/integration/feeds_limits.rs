//! Bad frames, limits, heartbeat, slow consumers and shutdown: nothing a client sends can hurt
//! the server or another client.
use app::feed::ssr::DomainEvent;
use app::feed::{FeedMessage, InventoryAction};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

#[tokio::test]
async fn bad_frames_get_errors_and_the_connection_stays_open() {
    let s = server().await;
    let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut ws).await;
    for (frame, expected) in [
        ("{not json", "Invalid JSON"),
        ("", "Invalid JSON"),
        ("[1, 2, 3]", "Expected a JSON object with a \"type\" field"),
        ("\"ping\"", "Expected a JSON object with a \"type\" field"),
        (r#"{"timestamp": 1}"#, "Missing \"type\" field"),
        (
            r#"{"type": "subscribe"}"#,
            "Unknown message type: subscribe",
        ),
        (r#"{"type": 42}"#, "Unknown message type: 42"),
    ] {
        send_text(&mut ws, frame).await;
        assert_eq!(
            next_json(&mut ws).await,
            json!({"type": "error", "message": expected}),
            "for {frame:?}"
        );
    }
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "error");
    // Still open and answering.
    send_text(&mut ws, r#"{"type": "ping"}"#).await;
    let pong = next_json(&mut ws).await;
    assert_eq!(pong["type"], "pong");
    assert!(
        pong["timestamp"].is_string(),
        "the server's time when the client sent none"
    );
    send_text(&mut ws, r#"{"type": "ping", "timestamp": {"odd": [1, 2]}}"#).await;
    assert_eq!(
        next_json(&mut ws).await["timestamp"],
        json!({"odd": [1, 2]}),
        "echoed exactly"
    );
}

#[tokio::test]
async fn oversized_message_closes_with_1009() {
    let mut cfg = config().await;
    cfg.sockets.max_message_bytes = 1024;
    let s = start(cfg).await;
    let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut ws).await;
    let big = format!(r#"{{"type":"ping","timestamp":"{}"}}"#, "x".repeat(4096));
    let _ = ws.send(Message::text(big)).await;
    assert_eq!(close_code(&mut ws).await, Some(1009));
    // The server is fine.
    let mut again = connect(&s, "/ws/stations/", &[]).await.unwrap();
    assert_eq!(
        next_json(&mut again).await["type"],
        "connection_established"
    );
}

#[tokio::test]
async fn flooding_closes_with_1008() {
    let mut cfg = config().await;
    cfg.sockets.messages_per_second = 5;
    let s = start(cfg).await;
    let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut ws).await;
    for _ in 0..50 {
        if ws.send(Message::text(r#"{"type":"ping"}"#)).await.is_err() {
            break;
        }
    }
    assert_eq!(close_code(&mut ws).await, Some(1008));
}

/// Control frames cost the server as much as any other: a ping or pong flood is closed too.
#[tokio::test]
async fn flooding_with_control_frames_closes_with_1008() {
    let mut cfg = config().await;
    cfg.sockets.messages_per_second = 5;
    let s = start(cfg).await;
    for control in [
        Message::Ping(Default::default()),
        Message::Pong(Default::default()),
    ] {
        let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
        next_json(&mut ws).await;
        for _ in 0..50 {
            if ws.send(control.clone()).await.is_err() {
                break;
            }
        }
        assert_eq!(close_code(&mut ws).await, Some(1008), "{control:?}");
    }
}

#[tokio::test]
async fn silent_clients_are_dropped_by_the_heartbeat() {
    let mut cfg = config().await;
    cfg.sockets.heartbeat_ms = 100;
    cfg.sockets.heartbeat_timeout_ms = 200;
    let s = start(cfg).await;
    // A client that never reads never answers the server's pings.
    let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let hub = s.state.hub.clone();
    until(|| hub.stats().subscribers == 1).await;
    until(|| hub.stats().subscribers == 0).await;
    // Reading now (which answers pings too late) shows why it was dropped.
    assert_eq!(close_code(&mut ws).await, Some(4408));
}

#[tokio::test]
async fn answering_pings_keeps_a_client_connected() {
    let mut cfg = config().await;
    cfg.sockets.heartbeat_ms = 50;
    cfg.sockets.heartbeat_timeout_ms = 100;
    let s = start(cfg).await;
    let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut ws).await;
    // Reading answers each ping (tungstenite replies with pong); count a few pings.
    let mut pings = 0;
    while pings < 6 {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("ping in time")
        {
            Some(Ok(Message::Ping(_))) => pings += 1,
            Some(Ok(_)) => {}
            other => panic!("connection ended: {other:?}"),
        }
    }
    assert_eq!(s.state.hub.stats().subscribers, 1);
}

fn inventory(station_id: i32, n: u32) -> DomainEvent {
    DomainEvent::station(
        station_id,
        FeedMessage::InventoryUpdate {
            station_id,
            station_name: "Alpha".into(),
            available_batteries: n,
            booked_batteries: 0,
            total_batteries: n,
            timestamp: "2024-02-27T10:30:00".into(),
            action: InventoryAction::Update,
            available_by_model: None,
        },
    )
}

/// A client that stops reading is closed with 1013 once its queue fills; a client that keeps
/// up receives every event, in order.
#[tokio::test]
async fn slow_consumer_is_dropped_while_fast_one_keeps_receiving() {
    let mut cfg = config().await;
    cfg.sockets.queue = 8;
    let s = start(cfg).await;
    let mut slow = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let mut fast = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut slow).await;
    next_json(&mut fast).await;
    let hub = s.state.hub.clone();
    let bus = ctx(&s).bus.clone();
    // Publish in lockstep with the fast client until the hub gives up on the slow one (kernel
    // buffers absorb a few thousand frames first). Bounded: failing to drop it fails the test.
    let mut n = 0u32;
    while hub.stats().kicked_slow == 0 {
        n += 1;
        assert!(n < 500_000, "the slow consumer was never dropped");
        bus.publish(vec![inventory(1, n)]);
        let got = next_json(&mut fast).await;
        assert_eq!(
            got["available_batteries"], n,
            "the fast client gets every event in order"
        );
    }
    assert_eq!(
        hub.stats().subscribers,
        1,
        "only the slow client was dropped"
    );
    bus.publish(vec![inventory(1, n + 1)]);
    assert_eq!(next_json(&mut fast).await["available_batteries"], n + 1);
    assert_eq!(close_code(&mut slow).await, Some(1013));
}

#[tokio::test]
async fn shutdown_closes_every_socket_with_1001() {
    let s = server().await;
    let mut a = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let mut b = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut a).await;
    next_json(&mut b).await;
    let done = tokio::spawn(s.shutdown());
    assert_eq!(close_code(&mut a).await, Some(1001));
    assert_eq!(close_code(&mut b).await, Some(1001));
    tokio::time::timeout(WAIT, done)
        .await
        .expect("shutdown completes")
        .unwrap()
        .unwrap();
}
