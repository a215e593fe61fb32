//! `/ws/watch/` (issue #31, item 9): a socket hears only the stations it follows, each at
//! most once a second with the latest counts, and every directory change; `watch` changes
//! what it follows; bad asks get a clear error and lose nothing.
use app::account::Role;
use app::feed::{FeedMessage, WATCH_MAX};
use app::station::ssr::{self as station, NewStation};
use std::time::{Duration, Instant};

use crate::support::*;

/// Reads messages until one matches `wanted`; returns all it read, that one last.
async fn until_msg(
    ws: &mut Ws,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> Vec<serde_json::Value> {
    let mut read = Vec::new();
    loop {
        let msg = next_json(ws).await;
        let done = wanted(&msg);
        read.push(msg);
        if done {
            return read;
        }
    }
}

/// Reads up to and including the next pong, returning what came before it: a socket that
/// answers a ping after the events in question has been sent all of them (one task writes
/// both, in order).
async fn before_pong(ws: &mut Ws) -> Vec<serde_json::Value> {
    send_text(ws, r#"{"type":"ping","timestamp":"mark"}"#).await;
    let mut before = Vec::new();
    loop {
        let msg = next_json(ws).await;
        if msg["type"] == "pong" && msg["timestamp"] == "mark" {
            return before;
        }
        before.push(msg);
    }
}

#[tokio::test]
async fn a_watch_feed_hears_its_stations_paced_to_the_latest_counts() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 12, 100).await;
    batteries(&s, b, 2, 100).await;
    let mut on_a = connect(&s, &format!("/ws/watch/?stations={a}"), &[])
        .await
        .unwrap();
    let hello = next_json(&mut on_a).await;
    assert_eq!(hello["type"], "connection_established");
    assert_eq!(hello["message"], "Connected to watched stations");
    assert_eq!(hello["stations"].as_array().map(Vec::len), Some(1));
    assert_eq!(hello["stations"][0]["station_id"], a);
    assert_eq!(hello["stations"][0]["available_batteries"], 12);
    let mut on_b = connect(&s, &format!("/ws/watch?stations={b}"), &[])
        .await
        .unwrap();
    assert_eq!(next_json(&mut on_b).await["stations"][0]["station_id"], b);

    // Ten riders book at Alpha at once: its watcher gets its counts, paced, ending with the
    // latest; Beta's watcher nothing.
    let mut riders = Vec::new();
    for n in 0..10 {
        riders.push(user(&s, &format!("rider{n}@w.test"), Role::Rider).await);
    }
    let answers = book_at_once(&s, &riders, a).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let mut arrivals = Vec::new();
    loop {
        let msg = next_json(&mut on_a).await;
        assert_eq!(msg["type"], "inventory_update", "counts only: {msg}");
        assert_eq!(msg["station_id"], a);
        arrivals.push(Instant::now());
        if msg["available_batteries"] == 2 {
            break;
        }
    }
    assert!(
        arrivals.len() < 10,
        "ten bookings, {} deliveries",
        arrivals.len()
    );
    for pair in arrivals.windows(2) {
        // A second apart at the server; a late first arrival may shorten the gap a little.
        assert!(
            pair[1] - pair[0] > Duration::from_millis(800),
            "{arrivals:?}"
        );
    }
    assert_eq!(
        before_pong(&mut on_b).await,
        Vec::<serde_json::Value>::new()
    );

    // Follow Beta instead (an unknown station and a repeat left out): a snapshot of it, then
    // Beta's changes and none of Alpha's.
    send_text(
        &mut on_a,
        &format!(r#"{{"type":"watch","station_ids":[{b},999999,{b}]}}"#),
    )
    .await;
    let FeedMessage::Watching {
        station_ids,
        stations,
    } = next_msg(&mut on_a).await
    else {
        panic!("expected watching");
    };
    assert_eq!(station_ids, [b]);
    assert_eq!(
        (stations[0].station_id, stations[0].available_batteries),
        (b, 2)
    );
    let at_a = user(&s, "at-a@w.test", Role::Rider).await;
    let at_b = user(&s, "at-b@w.test", Role::Rider).await;
    assert!(book_at_once(&s, &[at_a], a).await[0].is_ok());
    assert!(book_at_once(&s, &[at_b], b).await[0].is_ok());
    let heard = until_msg(&mut on_a, |m| m["available_batteries"] == 1).await;
    assert!(
        heard.iter().all(|m| m["station_id"] == b),
        "only Beta now: {heard:?}"
    );
}

#[tokio::test]
async fn directory_changes_reach_every_watch_socket() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let admin = user(&s, "admin@w.test", Role::Admin).await;
    let mut ws = connect(&s, &format!("/ws/watch/?stations={a}"), &[])
        .await
        .unwrap();
    next_json(&mut ws).await;
    let new = NewStation {
        name: "Canal Yard".into(),
        address: "2 Lock Street".into(),
        latitude: 52.5,
        longitude: 13.25,
    };
    let created = station::admin_create(ctx(&s), &admin, new).await.unwrap();
    // A station that may come into view: every map hears of it.
    until_msg(&mut ws, |m| {
        m["type"] == "station_listed" && m["station_id"] == created.id
    })
    .await;
}

#[tokio::test]
async fn bad_watches_get_an_error_and_keep_what_was_followed() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    assert_eq!(
        refused_status(
            connect(&s, "/ws/watch/?stations=1,x", &[])
                .await
                .unwrap_err()
        ),
        400
    );
    let mut ws = connect(&s, &format!("/ws/watch/?stations={a}"), &[])
        .await
        .unwrap();
    next_json(&mut ws).await;
    let too_many: Vec<String> = (1..=WATCH_MAX as i32 + 1).map(|n| n.to_string()).collect();
    send_text(
        &mut ws,
        &format!(
            r#"{{"type":"watch","station_ids":[{}]}}"#,
            too_many.join(",")
        ),
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await,
        serde_json::json!({"type": "error", "message": "Watch at most 500 stations: zoom in"})
    );
    send_text(&mut ws, r#"{"type":"watch","station_ids":"all"}"#).await;
    assert_eq!(next_json(&mut ws).await["type"], "error");
    // Still following Alpha.
    let rider = user(&s, "rider@w.test", Role::Rider).await;
    assert!(book_at_once(&s, &[rider], a).await[0].is_ok());
    let update = next_json(&mut ws).await;
    assert_eq!(
        (
            update["station_id"].clone(),
            update["available_batteries"].clone()
        ),
        (a.into(), 1.into())
    );

    // The spec's feeds do not take it.
    let mut all = connect(&s, "/ws/stations/", &[]).await.unwrap();
    next_json(&mut all).await;
    send_text(
        &mut all,
        &format!(r#"{{"type":"watch","station_ids":[{a}]}}"#),
    )
    .await;
    assert_eq!(
        next_json(&mut all).await,
        serde_json::json!({"type": "error", "message": "watch is for /ws/watch/ only"})
    );
}
