//! Who may reach the staff side: every staff and admin endpoint refuses the unauthorised over
//! HTTP, and booking updates reach only the station's staff consoles.
use app::account::Role;
use app::booking::ssr as booking;

use crate::support::*;

/// Every staff and admin endpoint refuses riders (and staff of other stations) over HTTP.
#[tokio::test]
async fn staff_and_admin_endpoints_refuse_the_unauthorised() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 1, 100).await;
    batteries(&s, b, 1, 100).await;
    staff_of(&s, "staff@a.test", a).await;
    let rider_u = user(&s, "rider@a.test", Role::Rider).await;
    let bk = app::booking::ssr::book(ctx(&s), &rider_u, b).await.unwrap();
    let b_battery = app::battery::ssr::at_station(&ctx(&s).db, b).await.unwrap()[0]
        .id
        .to_string();
    let (a_s, b_s, bk_s) = (a.to_string(), b.to_string(), bk.id.to_string());
    let rider = logged_in(&s, "rider@a.test").await;
    let staff = logged_in(&s, "staff@a.test").await;
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "update_battery",
            vec![("battery_id", &b_battery), ("state", "retired")],
        ),
        ("station_queue", vec![("station_id", &b_s)]),
        ("mark_ready", vec![("booking_id", &bk_s)]),
        ("cancel_booking", vec![("booking_id", &bk_s)]),
        (
            "collect_booking",
            vec![
                ("booking_id", &bk_s),
                ("code", bk.collection_code.as_deref().unwrap()),
            ],
        ),
        (
            "collect_at_counter",
            vec![
                ("station_id", &b_s),
                ("code", bk.collection_code.as_deref().unwrap()),
            ],
        ),
        ("pack_labels", vec![("station_id", &b_s)]),
        ("list_audit", vec![("station_id", &b_s)]),
        (
            "create_station",
            vec![
                ("name", "N"),
                ("address", "A"),
                ("latitude", "1"),
                ("longitude", "1"),
            ],
        ),
        (
            "update_station",
            vec![
                ("station_id", &a_s),
                ("name", "N"),
                ("address", "A"),
                ("latitude", "1"),
                ("longitude", "1"),
            ],
        ),
        (
            "assign_staff",
            vec![("station_id", &b_s), ("user_id", "1"), ("assign", "true")],
        ),
        ("set_user_role", vec![("user_id", "1"), ("role", "admin")]),
        ("list_users", vec![]),
        ("send_notification", vec![("title", "t"), ("message", "m")]),
        // By email: refused before the lookup, so nobody learns which emails have accounts.
        (
            "send_notification",
            vec![
                ("email", "nobody@example.com"),
                ("title", "t"),
                ("message", "m"),
            ],
        ),
        (
            "set_station_status",
            vec![("station_id", &b_s), ("status", "offline")],
        ),
    ];
    for (name, form) in &calls {
        let (status, body) = api(&staff, &s, name, form).await;
        assert_eq!(status, 403, "staff of A calling {name}: {body}");
    }
    for (name, form) in &calls {
        let (status, body) = api(&rider, &s, name, form).await;
        // The rider owns that booking: cancelling it is theirs to do. Collecting it is not:
        // only staff hand a pack over and check the returned one in.
        let expected = match *name {
            "cancel_booking" => 200,
            _ => 403,
        };
        assert_eq!(status, expected, "the rider calling {name}: {body}");
    }
}

/// Booking status changes reach the station's staff consoles, not the public feed.
#[tokio::test]
async fn booking_updates_go_to_staff_only() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 100).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let cookie = session_cookie(&s, "staff@a.test").await;
    let mut console = connect(&s, &format!("/ws/stations/{a}/"), &[("cookie", &cookie)])
        .await
        .unwrap();
    let mut public = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    next_json(&mut console).await;
    next_json(&mut public).await;
    let bk = booking::book(ctx(&s), &rider, a).await.unwrap();
    booking::mark_ready(ctx(&s), &staff, bk.id).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(next_json(&mut console).await);
    }
    let types: Vec<_> = seen
        .iter()
        .map(|m| m["type"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        types,
        [
            "battery_booked",
            "inventory_update",
            "booking_update",
            "booking_update"
        ]
    );
    assert_eq!(
        (seen[3]["status"].as_str(), seen[3]["booking_id"].as_i64()),
        (Some("ready"), Some(i64::from(bk.id)))
    );
    // The public feed saw the booking, then nothing until the next inventory event.
    assert_eq!(next_json(&mut public).await["type"], "battery_booked");
    assert_eq!(next_json(&mut public).await["type"], "inventory_update");
    batteries(&s, a, 1, 100).await;
    assert_eq!(next_json(&mut public).await["type"], "battery_added");
}
