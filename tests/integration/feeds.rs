//! The spec's station and notification feeds, over real sockets.
use app::account::Role;
use app::feed::{FeedMessage, InventoryAction};
use app::station::StationStatus;
use serde_json::json;

use crate::support::*;

/// The spec's Python client, step by step: connect, receive, ping, pong, listen for updates.
#[tokio::test]
async fn the_spec_python_client_flow() {
    let s = server().await;
    let a = station(&s, "Downtown Station").await;
    batteries(&s, a, 2, 100).await;
    let mut ws = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "connection_established");
    assert_eq!(hello["message"], "Connected to all_stations");
    assert_eq!(hello["station_id"], serde_json::Value::Null);
    assert_eq!(
        hello["stations"][0]["available_batteries"], 2,
        "the snapshot is current"
    );
    send_text(
        &mut ws,
        r#"{"type": "ping", "timestamp": "2024-02-27T10:30:00"}"#,
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"type": "pong", "timestamp": "2024-02-27T10:30:00"})
    );
    batteries(&s, a, 1, 95).await;
    let update = next_json(&mut ws).await;
    assert_eq!(update["type"], "battery_added");
    assert_eq!(update["available_batteries"], 3);
}

#[tokio::test]
async fn station_feed_greets_with_its_counts_and_accepts_both_paths() {
    let s = server().await;
    let a = station(&s, "Downtown Station").await;
    batteries(&s, a, 3, 100).await;
    for path in [format!("/ws/stations/{a}/"), format!("/ws/stations/{a}")] {
        let mut ws = connect(&s, &path, &[]).await.unwrap();
        let hello = next_json(&mut ws).await;
        assert_eq!(hello["message"], format!("Connected to station_{a}"));
        assert_eq!(hello["station_id"], a);
        assert_eq!(hello["stations"][0]["total_batteries"], 3);
    }
    assert!(connect(&s, "/ws/stations", &[]).await.is_ok());
    assert!(
        connect(&s, "/ws/notifications", &[]).await.is_err(),
        "exists, but needs credentials"
    );
}

#[tokio::test]
async fn unknown_or_malformed_station_is_404() {
    let s = server().await;
    assert_eq!(
        refused_status(connect(&s, "/ws/stations/999/", &[]).await.unwrap_err()),
        404
    );
    assert_eq!(
        refused_status(connect(&s, "/ws/stations/abc/", &[]).await.unwrap_err()),
        404
    );
}

/// A booking reaches the all-stations feed and its station's feed, not another station's; the
/// rider's notifications, not another user's.
#[tokio::test]
async fn a_booking_fans_out_to_exactly_its_audiences() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 2, 100).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    user(&s, "rider@a.test", Role::Rider).await;
    let other = user(&s, "other@a.test", Role::Rider).await;
    let _ = staff;
    let rider_cookie = session_cookie(&s, "rider@a.test").await;
    let other_cookie = session_cookie(&s, "other@a.test").await;
    let staff_cookie = session_cookie(&s, "staff@a.test").await;

    let mut all = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let mut feed_a = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    let mut feed_a_staff = connect(
        &s,
        &format!("/ws/stations/{a}/"),
        &[("cookie", &staff_cookie)],
    )
    .await
    .unwrap();
    let mut feed_b = connect(&s, &format!("/ws/stations/{b}/"), &[])
        .await
        .unwrap();
    let mut mine = connect(&s, "/ws/notifications/", &[("cookie", &rider_cookie)])
        .await
        .unwrap();
    let mut mine_tab2 = connect(&s, "/ws/notifications/", &[("cookie", &rider_cookie)])
        .await
        .unwrap();
    let mut theirs = connect(&s, "/ws/notifications/", &[("cookie", &other_cookie)])
        .await
        .unwrap();
    for ws in [
        &mut all,
        &mut feed_a,
        &mut feed_a_staff,
        &mut feed_b,
        &mut mine,
        &mut mine_tab2,
        &mut theirs,
    ] {
        assert_eq!(next_json(ws).await["type"], "connection_established");
    }

    let rider = logged_in(&s, "rider@a.test").await;
    let (status, booking) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", &a.to_string())],
    )
    .await;
    assert_eq!(status, 200);

    for ws in [&mut all, &mut feed_a] {
        let booked = next_json(ws).await;
        assert_eq!(booked["type"], "battery_booked");
        assert_eq!(
            booked["user"], "r***@a.test",
            "riders' emails are masked for the public"
        );
        assert_eq!(
            (
                booked["available_batteries"].as_u64(),
                booked["booked_batteries"].as_u64()
            ),
            (Some(1), Some(1))
        );
        assert_eq!(booked["battery_id"], booking["battery_id"]);
        let inv = next_msg(ws).await;
        assert!(
            matches!(
                inv,
                FeedMessage::InventoryUpdate {
                    action: InventoryAction::Book,
                    available_batteries: 1,
                    booked_batteries: 1,
                    total_batteries: 2,
                    ..
                }
            ),
            "{inv:?}"
        );
    }
    assert_eq!(
        next_json(&mut feed_a_staff).await["user"],
        "rider@a.test",
        "the station's staff see the email"
    );
    for ws in [&mut mine, &mut mine_tab2] {
        let confirmed = next_json(ws).await;
        assert_eq!(confirmed["type"], "booking_confirmed");
        assert_eq!(confirmed["booking_id"], booking["id"]);
        assert_eq!(confirmed["station_name"], "Alpha");
        assert_eq!(confirmed["battery_info"], "Tesla Battery - Model 3");
        assert_eq!(confirmed["message"], "Battery booked successfully at Alpha");
        assert_eq!(confirmed["collection_code"], booking["collection_code"]);
    }

    // The next thing station B's feed and the other user's feed see is their own event, so
    // the booking never reached them.
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    app::station::ssr::set_status(ctx(&s), &admin, b, StationStatus::Maintenance, "")
        .await
        .unwrap();
    let first_b = next_json(&mut feed_b).await;
    assert_eq!(
        (first_b["type"].as_str(), first_b["station_id"].as_i64()),
        (Some("station_status"), Some(i64::from(b)))
    );
    assert_eq!(first_b["status"], "maintenance");
    app::notification::ssr::send(
        ctx(&s),
        &admin,
        Some(other.id),
        "Hello",
        "Just you",
        app::notification::Level::Info,
    )
    .await
    .unwrap();
    let first_theirs = next_json(&mut theirs).await;
    assert_eq!(
        (
            first_theirs["type"].as_str(),
            first_theirs["title"].as_str()
        ),
        (Some("notification"), Some("Hello"))
    );
    assert_eq!(first_theirs["level"], "info");
    assert_eq!(
        next_json(&mut all).await["type"],
        "station_status",
        "all-stations sees every station"
    );
}

/// Every lifecycle step emits the spec's messages with committed counts.
#[tokio::test]
async fn lifecycle_events_carry_committed_counts() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let cookie = session_cookie(&s, "rider@a.test").await;
    let mut feed = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    let mut notes = connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
        .await
        .unwrap();
    next_json(&mut feed).await;
    assert_eq!(next_json(&mut notes).await["unread_count"], 0);

    let b = app::booking::ssr::book(ctx(&s), &rider, a).await.unwrap();
    assert_eq!(next_json(&mut feed).await["type"], "battery_booked");
    assert_eq!(next_json(&mut feed).await["action"], "book");
    assert_eq!(next_json(&mut notes).await["type"], "booking_confirmed");

    app::booking::ssr::mark_ready(ctx(&s), &staff, b.id)
        .await
        .unwrap();
    let ready = next_json(&mut notes).await;
    assert_eq!(ready["type"], "booking_ready");
    assert_eq!(
        ready["message"],
        "Your battery is ready for collection at Alpha"
    );

    app::booking::ssr::collect(
        ctx(&s),
        &staff,
        b.id,
        b.collection_code.as_deref().unwrap(),
        None,
    )
    .await
    .unwrap();
    let collected = next_json(&mut feed).await;
    assert_eq!(collected["type"], "battery_collected");
    assert_eq!(
        (
            collected["available_batteries"].as_u64(),
            collected["booked_batteries"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let inv = next_json(&mut feed).await;
    assert_eq!(
        (inv["action"].as_str(), inv["total_batteries"].as_u64()),
        (Some("collect"), Some(1))
    );
    assert_eq!(next_json(&mut notes).await["title"], "Battery collected");

    let b2 = app::booking::ssr::book(ctx(&s), &rider, a).await.unwrap();
    next_json(&mut feed).await;
    next_json(&mut feed).await;
    next_json(&mut notes).await;
    app::booking::ssr::cancel(ctx(&s), &rider, b2.id, "")
        .await
        .unwrap();
    let inv = next_json(&mut feed).await;
    assert_eq!(
        (
            inv["type"].as_str(),
            inv["action"].as_str(),
            inv["available_batteries"].as_u64()
        ),
        (Some("inventory_update"), Some("update"), Some(1))
    );
    assert_eq!(next_json(&mut notes).await["level"], "warning");

    batteries(&s, a, 1, 100).await;
    let added = next_json(&mut feed).await;
    assert_eq!(
        (
            added["type"].as_str(),
            added["available_batteries"].as_u64(),
            added["total_batteries"].as_u64()
        ),
        (Some("battery_added"), Some(2), Some(2))
    );
    assert_eq!(next_json(&mut feed).await["action"], "add");

    app::station::ssr::set_status(ctx(&s), &staff, a, StationStatus::Offline, "Power cut")
        .await
        .unwrap();
    let status = next_json(&mut feed).await;
    assert_eq!(
        status,
        json!({"type": "station_status", "station_id": a, "station_name": "Alpha", "status": "offline",
        "message": "Power cut", "timestamp": status["timestamp"].clone()})
    );
    let ts = status["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(ts).is_ok(),
        "ISO 8601 timestamps: {ts}"
    );
}

/// A refused change publishes nothing: the next event is the one after it.
#[tokio::test]
async fn refusals_publish_nothing() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 100).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let mut feed = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    next_json(&mut feed).await;
    app::booking::ssr::book(ctx(&s), &rider, a).await.unwrap();
    assert_eq!(next_json(&mut feed).await["type"], "battery_booked");
    assert_eq!(next_json(&mut feed).await["type"], "inventory_update");
    assert!(app::booking::ssr::book(ctx(&s), &rider, a).await.is_err());
    batteries(&s, a, 1, 100).await;
    assert_eq!(next_json(&mut feed).await["type"], "battery_added");
}

/// An event older than a client's snapshot (a NOTIFY arriving late, two commits published out
/// of order) is never sent to it; a newer one is.
#[tokio::test]
async fn late_events_older_than_the_snapshot_are_never_sent() {
    use app::feed::ssr::DomainEvent;
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await; // three changes: version 3
    let mut ws = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut ws).await["stations"][0]["available_batteries"],
        3
    );
    let stale = |available: u32, version: i64| DomainEvent::Station {
        station_id: a,
        seq: Some(version * 16),
        message: FeedMessage::InventoryUpdate {
            station_id: a,
            station_name: "Alpha".into(),
            available_batteries: available,
            booked_batteries: 0,
            total_batteries: available,
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            action: InventoryAction::Add,
            available_by_model: None,
        },
        privileged: None,
    };
    ctx(&s)
        .bus
        .publish(vec![stale(1, 1), stale(2, 2), stale(3, 3)]);
    batteries(&s, a, 1, 100).await; // version 4
    let next = next_json(&mut ws).await;
    assert_eq!(
        (next["type"].as_str(), next["available_batteries"].as_u64()),
        (Some("battery_added"), Some(4))
    );
}
