//! The audit trail: every change is recorded with its actor, and who may read which history.
use app::account::Role;
use app::audit::AuditAction;
use app::booking::ssr as booking;
use app::error::AppError;

use crate::in_process::domain;
use crate::support::*;

#[tokio::test]
async fn every_change_is_audited_and_history_is_scoped() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let new = |serial: &str| app::battery::ssr::NewBattery {
        station_id: a,
        serial: serial.into(),
        model: "Pack".into(),
        charge_percent: 100,
    };
    app::station::ssr::add_battery(ctx(&s), &staff, new("AU-1"))
        .await
        .unwrap();
    app::station::ssr::set_status(ctx(&s), &admin, b, app::station::StationStatus::Offline, "")
        .await
        .unwrap();
    let bk = booking::book(ctx(&s), &rider, a).await.unwrap();
    booking::mark_ready(ctx(&s), &staff, bk.id).await.unwrap();
    booking::cancel(ctx(&s), &staff, bk.id, "rider asked")
        .await
        .unwrap();

    let mine = app::audit::ssr::recent(&ctx(&s).db, &staff, Some(a), None, 50)
        .await
        .unwrap();
    let actions: Vec<_> = mine.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "booking_cancelled",
            "booking_ready",
            "booking_created",
            "battery_added"
        ]
    );
    assert_eq!(mine[0].actor, "staff@a.test");
    assert!(mine[0].detail.contains("rider asked"));
    assert_eq!(mine[2].actor, "rider@a.test");
    let scoped = app::audit::ssr::recent(&ctx(&s).db, &staff, None, None, 50)
        .await
        .unwrap();
    assert!(
        scoped.iter().all(|e| e.station_id == Some(a)),
        "staff see only their stations"
    );
    assert_eq!(
        app::audit::ssr::recent(&ctx(&s).db, &staff, Some(b), None, 50)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        app::audit::ssr::recent(&ctx(&s).db, &rider, None, None, 50)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let all = app::audit::ssr::recent(&ctx(&s).db, &admin, None, None, 50)
        .await
        .unwrap();
    assert!(
        all.iter()
            .any(|e| e.action == AuditAction::StationStatus && e.station_id == Some(b))
    );
    let filtered = app::audit::ssr::recent(
        &ctx(&s).db,
        &admin,
        None,
        Some(AuditAction::BookingReady),
        50,
    )
    .await
    .unwrap();
    assert_eq!(filtered.len(), 1);
    // The sweeper is an actor too.
    let mut cfg = config().await;
    cfg.booking.hold_minutes = 0;
    cfg.booking.hold_reminder_minutes = 0; // a reminder may not be longer than the hold
    let s2 = start(cfg).await;
    let a2 = station(&s2, "Gamma").await;
    batteries(&s2, a2, 1, 100).await;
    let r2 = user(&s2, "r2@a.test", Role::Rider).await;
    let admin2 = user(&s2, "admin2@a.test", Role::Admin).await;
    booking::book(ctx(&s2), &r2, a2).await.unwrap();
    booking::expire_due(ctx(&s2)).await.unwrap();
    let expired = app::audit::ssr::recent(
        &ctx(&s2).db,
        &admin2,
        None,
        Some(AuditAction::BookingExpired),
        5,
    )
    .await
    .unwrap();
    assert_eq!(expired[0].actor, "system");
}

/// A change's audit line records where its request came from: behind a trusted proxy, the
/// address the proxy forwarded; otherwise the peer, whatever the request claims. Admins see
/// it; station staff do not (riders' addresses are no business of theirs).
#[tokio::test]
async fn the_trail_records_the_clients_address_for_admins_only() {
    for behind_proxy in [true, false] {
        let mut cfg = config().await;
        if behind_proxy {
            cfg.http.trusted_proxies = vec!["127.0.0.1".into()];
        }
        let s = start(cfg).await;
        let a = station(&s, "Alpha").await;
        batteries(&s, a, 2, 100).await;
        user(&s, "rider@a.test", Role::Rider).await;
        user(&s, "admin@a.test", Role::Admin).await;
        staff_of(&s, "staff@a.test", a).await;
        let rider = logged_in(&s, "rider@a.test").await;
        let res = rider
            .post(http(&s, "/api/book_battery"))
            .header("x-forwarded-for", "203.0.113.7")
            .form(&[("station_id", a.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let expected = if behind_proxy {
            "203.0.113.7"
        } else {
            "127.0.0.1"
        };
        let booked = |entries: &serde_json::Value| {
            entries
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["action"] == "booking_created")
                .cloned()
                .unwrap()
        };
        let admin = logged_in(&s, "admin@a.test").await;
        let (_, entries) = api(&admin, &s, "list_audit", &[]).await;
        assert_eq!(
            booked(&entries)["address"],
            expected,
            "behind a proxy: {behind_proxy}"
        );
        let staff = logged_in(&s, "staff@a.test").await;
        let (_, entries) = api(&staff, &s, "list_audit", &[("station_id", &a.to_string())]).await;
        assert_eq!(booked(&entries)["address"], serde_json::Value::Null);
    }
}
