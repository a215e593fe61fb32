//! Low-stock alerts (issue #14): a station's staff are told once when its available packs drop
//! to the threshold and once when they recover, live on their notifications and on the
//! station's staff feeds; never riders, never once per booking, never twice for one crossing.
use app::account::{CurrentUser, Role};
use app::booking::ssr as booking;
use app::feed::FeedMessage;
use app::notification::Level;
use app::notification::ssr::entity as note;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::support::*;

/// How many notifications `user_id` has, with `title` if given.
async fn notes(s: &battery_swap::Server, user_id: i32, title: Option<&str>) -> u64 {
    let mut q = note::Entity::find().filter(note::Column::UserId.eq(user_id));
    if let Some(title) = title {
        q = q.filter(note::Column::Title.eq(title));
    }
    q.count(&ctx(s).db).await.unwrap()
}

/// A feed that has read its greeting.
async fn greeted(s: &battery_swap::Server, path: &str, cookie: Option<&str>) -> Ws {
    let headers: Vec<(&str, &str)> = cookie.map(|c| ("cookie", c)).into_iter().collect();
    let mut ws = connect(s, path, &headers).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connection_established");
    ws
}

/// Every `stock_alert` a station feed gets before the next `battery_added` (the marker).
async fn alerts_until_marker(ws: &mut Ws) -> Vec<Value> {
    let mut alerts = Vec::new();
    loop {
        let msg = next_json(ws).await;
        match msg["type"].as_str() {
            Some("battery_added") => return alerts,
            Some("stock_alert") => alerts.push(msg),
            _ => {}
        }
    }
}

/// The next message on a notifications feed, as (title, message, level).
async fn next_note(ws: &mut Ws) -> (String, String, Level) {
    match next_msg(ws).await {
        FeedMessage::Notification {
            title,
            message,
            level,
            ..
        } => (title, message, level),
        other => panic!("expected a notification, got {other:?}"),
    }
}

async fn low_stock_shown(s: &battery_swap::Server, station_id: i32) -> bool {
    let c = ctx(s);
    app::station::ssr::detail(&c.db, &c.rules, station_id)
        .await
        .unwrap()
        .low_stock
}

#[tokio::test]
async fn draining_to_the_threshold_tells_each_staff_member_once_and_recovery_once() {
    let s = server().await; // threshold 2
    let a = station(&s, "Alpha").await;
    let one = staff_of(&s, "one@a.test", a).await;
    let two = staff_of(&s, "two@a.test", a).await;
    // Assigned once, a rider now: an assignment left behind grants nothing.
    let former = user(&s, "former@a.test", Role::Rider).await;
    app::account::ssr::assign_staff(&ctx(&s).db, a, former.id)
        .await
        .unwrap();
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    user(&s, "rider@a.test", Role::Rider).await;
    // Filling a new station passes the threshold upwards: no drop, nobody told.
    batteries(&s, a, 4, 100).await;
    assert_eq!(
        notes(&s, one.id, None).await,
        0,
        "filling is not restocking"
    );
    assert!(!low_stock_shown(&s, a).await);

    let one_cookie = session_cookie(&s, "one@a.test").await;
    let two_cookie = session_cookie(&s, "two@a.test").await;
    let admin_cookie = session_cookie(&s, "admin@a.test").await;
    let rider_cookie = session_cookie(&s, "rider@a.test").await;
    let station_path = format!("/ws/stations/{a}/");
    let mut one_notes = greeted(&s, "/ws/notifications/", Some(&one_cookie)).await;
    let mut two_notes = greeted(&s, "/ws/notifications/", Some(&two_cookie)).await;
    let mut console = greeted(&s, &station_path, Some(&one_cookie)).await;
    let mut admin_all = greeted(&s, "/ws/stations/", Some(&admin_cookie)).await;
    let mut public = greeted(&s, &station_path, None).await;
    let mut rider_all = greeted(&s, "/ws/stations/", Some(&rider_cookie)).await;
    let mut rider_one = greeted(&s, &station_path, Some(&rider_cookie)).await;

    let mut riders = Vec::new();
    for i in 0..3 {
        riders.push(user(&s, &format!("r{i}@a.test"), Role::Rider).await);
    }
    let mut bookings = Vec::new();
    for r in &riders {
        // 4 → 3, 3 → 2 (the crossing), 2 → 1 (still low: no second alert).
        bookings.push(booking::book(ctx(&s), r, a).await.unwrap());
    }
    let low = (
        "Low stock".to_string(),
        "Low stock at Alpha: 2 packs left".to_string(),
        Level::Warning,
    );
    assert_eq!(next_note(&mut one_notes).await, low);
    assert_eq!(next_note(&mut two_notes).await, low);
    assert!(
        low_stock_shown(&s, a).await,
        "a console opened now starts low"
    );

    // 1 → 2 (still low), then 2 → 3: restocked, once.
    booking::cancel(ctx(&s), &riders[2], bookings[2].id, "")
        .await
        .unwrap();
    booking::cancel(ctx(&s), &riders[1], bookings[1].id, "")
        .await
        .unwrap();
    let restocked = (
        "Restocked".to_string(),
        "Alpha restocked: 3 packs available".to_string(),
        Level::Info,
    );
    // The next notification after the low one: nothing came in between.
    assert_eq!(next_note(&mut one_notes).await, restocked);
    assert_eq!(next_note(&mut two_notes).await, restocked);
    assert!(!low_stock_shown(&s, a).await);

    batteries(&s, a, 1, 100).await; // the marker: 3 → 4
    for (who, ws) in [("console", &mut console), ("admin", &mut admin_all)] {
        let alerts = alerts_until_marker(ws).await;
        let seen: Vec<_> = alerts
            .iter()
            .map(|m| {
                (
                    m["station_id"].as_i64(),
                    m["station_name"].as_str(),
                    m["available_batteries"].as_u64(),
                    m["threshold"].as_u64(),
                    m["low"].as_bool(),
                )
            })
            .collect();
        let id = Some(i64::from(a));
        assert_eq!(
            seen,
            [
                (id, Some("Alpha"), Some(2), Some(2), Some(true)),
                (id, Some("Alpha"), Some(3), Some(2), Some(false)),
            ],
            "{who}: one alert per crossing"
        );
    }
    for (who, ws) in [
        ("public", &mut public),
        ("rider, all stations", &mut rider_all),
        ("rider, the station", &mut rider_one),
    ] {
        assert!(
            alerts_until_marker(ws).await.is_empty(),
            "{who}: alerts are for staff"
        );
    }
    // Only the two alerts: staff are told, admins and former staff are not.
    assert_eq!(notes(&s, one.id, None).await, 2);
    assert_eq!(notes(&s, two.id, None).await, 2);
    assert_eq!(notes(&s, former.id, None).await, 0);
    assert_eq!(notes(&s, admin.id, None).await, 0);
}

#[tokio::test]
async fn a_threshold_of_zero_turns_alerts_off() {
    let mut cfg = config().await;
    cfg.booking.low_stock_threshold = 0;
    let s = start(cfg).await;
    let a = station(&s, "Alpha").await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    batteries(&s, a, 3, 100).await;
    for i in 0..3 {
        let r = user(&s, &format!("r{i}@a.test"), Role::Rider).await;
        booking::book(ctx(&s), &r, a).await.unwrap();
    }
    assert_eq!(notes(&s, staff.id, None).await, 0);
    assert!(!low_stock_shown(&s, a).await, "no banner either");
}

/// Riders racing for a station's packs, on two instances on PostgreSQL (one on SQLite): the
/// crossing happens in exactly one of the bookings, so its staff hear of it exactly once.
#[tokio::test]
async fn concurrent_bookings_crossing_the_threshold_alert_once() {
    let url = fresh_database_url().await;
    let mut cfg = test_config(url.clone());
    cfg.sockets.connects_per_minute = 100_000;
    let s = start(cfg).await;
    let a = station(&s, "Alpha").await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    batteries(&s, a, 16, 100).await;
    let cookies = many_riders(&ctx(&s).db, 16).await;
    let other = if on_postgres() {
        Some(Process::spawn(&url).await)
    } else {
        None
    };
    let mut bases = vec![http(&s, "")];
    bases.extend(other.iter().map(|p| p.url("")));
    // The staff member listens on the instance that did not necessarily book.
    let cookie = session_cookie(&s, "staff@a.test").await;
    let mut staff_notes = match &other {
        Some(p) => connect_url(&p.ws("/ws/notifications/"), &[("cookie", &cookie)]).await,
        None => connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
            .await
            .unwrap(),
    };
    assert_eq!(
        next_json(&mut staff_notes).await["type"],
        "connection_established"
    );

    let client = reqwest::Client::new();
    let calls = cookies.iter().enumerate().map(|(i, cookie)| {
        let req = client
            .post(format!("{}/api/book_battery", bases[i % bases.len()]))
            .header("cookie", cookie)
            .form(&[("station_id", a.to_string())]);
        async move { req.send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
    });
    let statuses = futures::future::join_all(calls).await;
    assert!(statuses.iter().all(|&st| st == 200), "{statuses:?}");

    let (title, message, _) = next_note(&mut staff_notes).await;
    assert_eq!(
        (title.as_str(), message.as_str()),
        ("Low stock", "Low stock at Alpha: 2 packs left")
    );
    // A marker notification next: no second alert came before it.
    let admin = CurrentUser {
        role: Role::Admin,
        stations: vec![],
        ..staff.clone()
    };
    app::notification::ssr::send(ctx(&s), &admin, Some(staff.id), "Marker", "m", Level::Info)
        .await
        .unwrap();
    assert_eq!(next_note(&mut staff_notes).await.0, "Marker");
    assert_eq!(notes(&s, staff.id, Some("Low stock")).await, 1);
    assert!(low_stock_shown(&s, a).await);
}
