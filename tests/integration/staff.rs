//! The staff and admin side: battery changes, the swap, admin operations, the audit trail, and
//! authorisation of every new endpoint.
use app::account::Role;
use app::battery::BatteryState;
use app::battery::ssr as battery;
use app::booking::ssr::{self as booking, ReturnedPack};
use app::error::AppError;

use crate::support::*;

#[tokio::test]
async fn staff_change_battery_state_and_charge_within_the_rules() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 1, 50).await;
    batteries(&s, b, 1, 100).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let pack = app::battery::ssr::at_station(&ctx(&s).db, a).await.unwrap()[0].clone();
    let other = app::battery::ssr::at_station(&ctx(&s).db, b).await.unwrap()[0].clone();
    assert_eq!(pack.state, BatteryState::Charging);

    let too_low = battery::update(
        ctx(&s),
        &staff,
        pack.id,
        Some(BatteryState::Available),
        None,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(too_low, AppError::Validation(_)),
        "available needs the threshold: {too_low:?}"
    );
    let charged = battery::update(
        ctx(&s),
        &staff,
        pack.id,
        Some(BatteryState::Available),
        Some(95),
    )
    .await
    .unwrap();
    assert_eq!(
        (charged.state, charged.charge_percent),
        (BatteryState::Available, 95)
    );
    let drained = battery::update(ctx(&s), &staff, pack.id, None, Some(20))
        .await
        .unwrap();
    assert_eq!(
        drained.state,
        BatteryState::Charging,
        "an available pack drained below the threshold is charging"
    );
    assert_eq!(
        battery::update(
            ctx(&s),
            &staff,
            pack.id,
            Some(BatteryState::Maintenance),
            None
        )
        .await
        .unwrap()
        .state,
        BatteryState::Maintenance
    );
    assert!(matches!(
        battery::update(ctx(&s), &staff, pack.id, Some(BatteryState::Booked), None).await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(
        battery::update(ctx(&s), &rider, pack.id, Some(BatteryState::Retired), None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        battery::update(ctx(&s), &staff, other.id, Some(BatteryState::Retired), None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        battery::update(ctx(&s), &staff, 9999, None, Some(1))
            .await
            .unwrap_err(),
        AppError::not_found("Battery")
    );
    // A booked battery belongs to its booking.
    battery::update(
        ctx(&s),
        &staff,
        pack.id,
        Some(BatteryState::Available),
        Some(100),
    )
    .await
    .unwrap();
    booking::book(ctx(&s), &rider, a).await.unwrap();
    assert!(matches!(
        battery::update(ctx(&s), &staff, pack.id, Some(BatteryState::Retired), None).await,
        Err(AppError::Validation(_))
    ));
}

#[tokio::test]
async fn a_swap_checks_the_returned_pack_in() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 2, 100).await;
    batteries(&s, b, 1, 100).await;
    let staff_a = staff_of(&s, "a@a.test", a).await;
    let staff_b = staff_of(&s, "b@a.test", b).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    // The rider takes a pack from A...
    let first = booking::book(ctx(&s), &rider, a).await.unwrap();
    booking::collect(ctx(&s), &staff_a, first.id, &first.collection_code, None)
        .await
        .unwrap();
    let taken = app::battery::ssr::entity::Entity::find_by_id(first.battery_id);
    use sea_orm::EntityTrait;
    let taken = taken.one(&ctx(&s).db).await.unwrap().unwrap();
    // ...and swaps it at B for a fresh one.
    let second = booking::book(ctx(&s), &rider, b).await.unwrap();
    let back = ReturnedPack {
        serial: taken.serial.clone(),
        model: String::new(),
        charge_percent: 12,
    };
    booking::collect(
        ctx(&s),
        &staff_b,
        second.id,
        &second.collection_code,
        Some(back),
    )
    .await
    .unwrap();
    let returned = app::battery::ssr::entity::Entity::find_by_id(taken.id)
        .one(&ctx(&s).db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            returned.station_id,
            returned.state.as_str(),
            returned.charge_percent
        ),
        (b, "charging", 12)
    );
    let counts = app::station::ssr::counts(&ctx(&s).db, b).await.unwrap();
    assert_eq!((counts.available, counts.charging, counts.total), (0, 1, 1));
    // A pack that is not out with a rider cannot be "returned"; an unknown one is a new pack.
    batteries(&s, b, 1, 100).await;
    let third = booking::book(ctx(&s), &rider, b).await.unwrap();
    let bogus = ReturnedPack {
        serial: taken.serial.clone(),
        model: String::new(),
        charge_percent: 50,
    };
    assert!(matches!(
        booking::collect(
            ctx(&s),
            &staff_b,
            third.id,
            &third.collection_code,
            Some(bogus)
        )
        .await,
        Err(AppError::Validation(_))
    ));
    let foreign = ReturnedPack {
        serial: "THEIRS-1".into(),
        model: "Other brand pack".into(),
        charge_percent: 95,
    };
    booking::collect(
        ctx(&s),
        &staff_b,
        third.id,
        &third.collection_code,
        Some(foreign),
    )
    .await
    .unwrap();
    assert_eq!(
        app::station::ssr::counts(&ctx(&s).db, b)
            .await
            .unwrap()
            .available,
        1,
        "a charged returned pack is available"
    );
}

#[tokio::test]
async fn every_change_is_audited_and_history_is_scoped() {
    let s = server().await;
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
    battery::add(ctx(&s), &staff, new("AU-1")).await.unwrap();
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
            .any(|e| e.action == "station_status" && e.station_id == Some(b))
    );
    let filtered = app::audit::ssr::recent(&ctx(&s).db, &admin, None, Some("booking_ready"), 50)
        .await
        .unwrap();
    assert_eq!(filtered.len(), 1);
    // The sweeper is an actor too.
    let mut cfg = config().await;
    cfg.hold_minutes = 0;
    let s2 = start(cfg).await;
    let a2 = station(&s2, "Gamma").await;
    batteries(&s2, a2, 1, 100).await;
    let r2 = user(&s2, "r2@a.test", Role::Rider).await;
    let admin2 = user(&s2, "admin2@a.test", Role::Admin).await;
    booking::book(ctx(&s2), &r2, a2).await.unwrap();
    booking::expire_due(ctx(&s2)).await.unwrap();
    let expired = app::audit::ssr::recent(&ctx(&s2).db, &admin2, None, Some("booking_expired"), 5)
        .await
        .unwrap();
    assert_eq!(expired[0].actor, "system");
}

#[tokio::test]
async fn admin_operations_and_their_refusals() {
    use app::station::ssr::{NewStation, admin_assign, admin_create, admin_update};
    let s = server().await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let staff = user(&s, "staff@a.test", Role::Staff).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let new = |name: &str| NewStation {
        name: name.into(),
        address: "1 Road".into(),
        latitude: 1.0,
        longitude: 2.0,
    };
    assert_eq!(
        admin_create(ctx(&s), &staff, new("X")).await.unwrap_err(),
        AppError::Forbidden
    );
    let created = admin_create(ctx(&s), &admin, new("Gamma")).await.unwrap();
    assert!(
        matches!(
            admin_create(ctx(&s), &admin, new("Gamma")).await,
            Err(AppError::Validation(_))
        ),
        "names are unique"
    );
    let moved = admin_update(
        ctx(&s),
        &admin,
        created.id,
        NewStation {
            latitude: 45.0,
            ..new("Gamma Plaza")
        },
    )
    .await
    .unwrap();
    assert_eq!((moved.name.as_str(), moved.latitude), ("Gamma Plaza", 45.0));
    assert!(matches!(
        admin_update(
            ctx(&s),
            &admin,
            created.id,
            NewStation {
                latitude: 91.0,
                ..new("G")
            }
        )
        .await,
        Err(AppError::Validation(_))
    ));
    assert!(
        matches!(
            admin_assign(ctx(&s), &admin, created.id, rider.id, true).await,
            Err(AppError::Validation(_))
        ),
        "riders are made staff first"
    );
    admin_assign(ctx(&s), &admin, created.id, staff.id, true)
        .await
        .unwrap();
    admin_assign(ctx(&s), &admin, created.id, staff.id, true)
        .await
        .expect("assigning twice is harmless");
    let reloaded = app::account::ssr::load(&ctx(&s).db, staff.id)
        .await
        .unwrap()
        .unwrap();
    assert!(reloaded.can_manage(created.id));
    admin_assign(ctx(&s), &admin, created.id, staff.id, false)
        .await
        .unwrap();
    assert!(
        !app::account::ssr::load(&ctx(&s).db, staff.id)
            .await
            .unwrap()
            .unwrap()
            .can_manage(created.id)
    );

    use app::account::ssr::{list_users, set_role};
    assert_eq!(
        set_role(ctx(&s), &staff, rider.id, Role::Admin)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        set_role(ctx(&s), &admin, rider.id, Role::Staff)
            .await
            .unwrap()
            .role,
        Role::Staff
    );
    assert!(
        matches!(
            set_role(ctx(&s), &admin, admin.id, Role::Rider).await,
            Err(AppError::Validation(_))
        ),
        "no self-demotion"
    );
    assert_eq!(
        set_role(ctx(&s), &admin, 9999, Role::Staff)
            .await
            .unwrap_err(),
        AppError::not_found("User")
    );
    assert_eq!(list_users(ctx(&s), &admin).await.unwrap().len(), 3);
    assert_eq!(
        list_users(ctx(&s), &rider).await.unwrap_err(),
        AppError::Forbidden
    );
}

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
            vec![("booking_id", &bk_s), ("code", &bk.collection_code)],
        ),
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
        // The rider owns that booking: cancelling it is theirs to do, and then it is closed.
        let expected = match *name {
            "cancel_booking" => 200,
            "collect_booking" => 409,
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
