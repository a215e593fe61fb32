//! The HTTP surface: `/api/*` as curl calls it, status codes, `/healthz`, the home page.
use app::account::Role;

use crate::support::*;

#[tokio::test]
async fn healthz_and_server_rendered_home() {
    let s = server().await;
    station(&s, "Downtown Station").await;
    let health = reqwest::get(http(&s, "/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let home = reqwest::get(http(&s, "/")).await.unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("Downtown Station"),
        "the list is rendered on the server"
    );
    assert!(
        html.contains("/pkg/battery-swap.js") || html.contains("battery-swap"),
        "hydration scripts are linked"
    );
    let missing = reqwest::get(http(&s, "/no/such/page")).await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn roles_and_statuses_over_http() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 1, 100).await;
    staff_of(&s, "staff@a.test", a).await;
    user(&s, "rider@a.test", Role::Rider).await;
    user(&s, "rider2@a.test", Role::Rider).await;
    let (a_s, b_s) = (a.to_string(), b.to_string());

    let anon = browser();
    let (status, body) = api(&anon, &s, "book_battery", &[("station_id", &a_s)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthenticated"))
    );

    let rider = logged_in(&s, "rider@a.test").await;
    let add = [
        ("station_id", a_s.as_str()),
        ("serial", "NEW-1"),
        ("model", "Pack"),
        ("charge_percent", "99"),
    ];
    assert_eq!(
        api(&rider, &s, "add_battery", &add).await.0,
        403,
        "riders cannot add batteries"
    );
    let (status, booking) = api(&rider, &s, "book_battery", &[("station_id", &a_s)]).await;
    assert_eq!(status, 200, "{booking}");
    assert_eq!(booking["status"], "confirmed");

    let rider2 = logged_in(&s, "rider2@a.test").await;
    let (status, body) = api(&rider2, &s, "book_battery", &[("station_id", &a_s)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("none_available"))
    );
    let id = booking["id"].to_string();
    let (status, body) = api(&rider2, &s, "cancel_booking", &[("booking_id", &id)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("not_yours")),
        "nobody cancels someone else's booking"
    );
    let (status, _) = api(
        &rider2,
        &s,
        "collect_booking",
        &[
            ("booking_id", &id),
            ("code", booking["collection_code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 403, "nor collects it, even with the code");

    let staff = logged_in(&s, "staff@a.test").await;
    assert_eq!(api(&staff, &s, "add_battery", &add).await.0, 200);
    let (status, body) = api(&staff, &s, "add_battery", &add).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("duplicate_serial"))
    );
    let other = [
        ("station_id", b_s.as_str()),
        ("serial", "NEW-2"),
        ("model", "Pack"),
        ("charge_percent", "99"),
    ];
    assert_eq!(
        api(&staff, &s, "add_battery", &other).await.0,
        403,
        "staff of A cannot touch B"
    );
    assert_eq!(
        api(
            &staff,
            &s,
            "set_station_status",
            &[("station_id", &b_s), ("status", "offline")]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        api(&staff, &s, "mark_ready", &[("booking_id", &id)])
            .await
            .0,
        200
    );
    let (status, body) = api(
        &staff,
        &s,
        "collect_booking",
        &[("booking_id", &id), ("code", "NOPE00")],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("wrong_code")));
    let (status, body) = api(
        &staff,
        &s,
        "collect_booking",
        &[
            ("booking_id", &id),
            ("code", booking["collection_code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("collected")));

    let (status, body) = api(
        &rider,
        &s,
        "set_station_status",
        &[("station_id", &a_s), ("status", "sideways")],
    )
    .await;
    assert_eq!(status, 400, "bad enum values are input errors: {body}");
    let (status, _) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", "not-a-number")],
    )
    .await;
    assert_eq!(status, 400);
    let (status, list) = api(&anon, &s, "list_stations", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (status, mine) = api(&rider, &s, "my_bookings", &[]).await;
    assert_eq!(
        (status, mine[0]["status"].as_str()),
        (200, Some("collected"))
    );
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let s = server().await;
    let huge = "x".repeat(200 * 1024);
    let res = browser()
        .post(http(&s, "/api/login"))
        .form(&[("email", huge.as_str()), ("password", "p")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}
