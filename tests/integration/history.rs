//! "When to come": every committed change of a station's counts is recorded in its
//! transaction, served by `/api/station_history`, averaged by time of week, and pruned.
use app::account::Role;
use app::booking::ssr as booking;
use app::station::ssr::entity::history;
use battery_swap::Server;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};

use crate::support::*;

/// Writes a past count of `station` directly: `ago` before now, `available` of `total` packs.
async fn past(s: &Server, station: i32, ago: Duration, available: i32, total: i32) {
    history::ActiveModel {
        station_id: Set(station),
        at: Set(Utc::now() - ago),
        available: Set(available),
        total: Set(total),
        ..Default::default()
    }
    .insert(&ctx(s).db)
    .await
    .unwrap();
}

/// `/api/station_history` of `station` for the default 24 hours, which must answer 200.
async fn served(s: &Server, station: i32) -> serde_json::Value {
    let (status, h) = api(
        &browser(),
        s,
        "station_history",
        &[("station_id", &station.to_string())],
    )
    .await;
    assert_eq!(status, 200, "{h}");
    h
}

#[tokio::test]
async fn changes_are_recorded_and_served_with_what_is_usual() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await;
    let rider = user(&s, "r@a.test", Role::Rider).await;
    let booked = booking::book(ctx(&s), &rider, a).await.unwrap();
    booking::cancel(ctx(&s), &rider, booked.id, "")
        .await
        .unwrap();
    // Two weeks of an earlier pattern: one pack at this time of the week.
    for weeks in [1, 2] {
        past(&s, a, Duration::weeks(weeks) + Duration::hours(2), 1, 3).await;
    }

    let h = served(&s, a).await;
    assert_eq!(h["hours"], 24);
    let counts: Vec<u64> = h["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .collect();
    // The window starts with the last count before it (from two weeks ago: 1), then each
    // change: three packs added one by one, booked, cancelled.
    assert_eq!(counts, [1, 1, 2, 3, 2, 3]);
    assert_eq!(h["scale"], 3);
    let usually = h["usually"].as_array().unwrap();
    assert_eq!(usually.len(), 24);
    assert_eq!(usually[23], 1, "this hour, usually one pack: {usually:?}");

    for bad in ["0", "169", "x"] {
        let (status, _) = api(
            &browser(),
            &s,
            "station_history",
            &[("station_id", &a.to_string()), ("hours", bad)],
        )
        .await;
        assert_eq!(status, 400, "hours={bad}");
    }
    let (status, _) = api(&browser(), &s, "station_history", &[("station_id", "999")]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn history_past_its_retention_is_pruned() {
    let mut cfg = config().await;
    cfg.booking.sweep_seconds = 3600; // only the first sweep, at start
    let s = start(cfg).await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 100).await;
    past(&s, a, Duration::days(40), 0, 0).await;
    let db = &ctx(&s).db;
    // (The server's own sweeper prunes at start too; it may have taken the row first.)
    let pruned = app::station::ssr::history::prune(db, Duration::days(35))
        .await
        .unwrap();
    assert!(pruned <= 1);
    assert_eq!(
        history::Entity::find().count(db).await.unwrap(),
        1,
        "the 40-day-old row went, the recent one stayed"
    );
}

/// The history is read window by window (this window and the same hours of past weeks), so
/// each window must still start from the last count before it, however long before.
#[tokio::test]
async fn each_window_starts_from_the_last_count_before_it() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let week = Duration::weeks(1);
    // Between the windows of two and one weeks ago: superseded by the next row.
    past(&s, a, week + Duration::days(3), 7, 10).await;
    // Six hours before last week's window: its count all through that window.
    past(&s, a, week + Duration::hours(30), 5, 10).await;
    // Three days ago, between last week's window and this one: where this window starts.
    past(&s, a, Duration::days(3), 9, 10).await;

    let h = served(&s, a).await;
    assert_eq!(h["points"][0], serde_json::json!([24 * 3600, 9]), "{h}");
    let usually = h["usually"].as_array().unwrap();
    assert!(usually.iter().all(|u| u == 5), "{usually:?}");
}
