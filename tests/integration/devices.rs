//! Station devices: a token scoped to one station that may only report its packs, through the
//! same inventory rules as staff, one transaction per report, one feed message per change.
use app::account::{CurrentUser, Role};
use app::audit::AuditAction;
use app::battery::BatteryState;
use app::feed::FeedMessage;
use battery_swap::Server;
use serde_json::{Value, json};

use crate::support::*;

/// `POST /api/report_batteries` with `token` (if any) and a JSON body: status, JSON answer,
/// `Retry-After`.
async fn report(s: &Server, token: Option<&str>, body: Value) -> (u16, Value, Option<String>) {
    let mut req = reqwest::Client::new()
        .post(http(s, "/api/report_batteries"))
        .json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let retry = header(&res, "retry-after");
    let text = res.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json, retry)
}

fn readings(packs: &[(&str, i16)]) -> Value {
    let list: Vec<Value> = packs
        .iter()
        .map(|(serial, charge)| json!({ "serial": serial, "charge_percent": charge }))
        .collect();
    json!({ "batteries": list })
}

async fn admin(s: &Server) -> CurrentUser {
    user(s, "admin@dev.test", Role::Admin).await
}

async fn device(s: &Server, admin: &CurrentUser, station_id: i32) -> String {
    app::device::ssr::create(ctx(s), admin, station_id, "Cabinet A")
        .await
        .expect("device")
        .token
}

/// The serials at a station, best charged first, with their state and charge.
async fn packs_at(s: &Server, station_id: i32) -> Vec<(String, BatteryState, i16)> {
    app::battery::ssr::at_station(&ctx(s).db, station_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.serial, p.state, p.charge_percent))
        .collect()
}

async fn serials(s: &Server, station_id: i32) -> Vec<String> {
    packs_at(s, station_id)
        .await
        .into_iter()
        .map(|p| p.0)
        .collect()
}

#[tokio::test]
async fn a_report_makes_charged_packs_available_with_one_message_and_an_audit_row() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 50).await;
    let admin = admin(&s).await;
    let token = device(&s, &admin, a).await;
    let packs = serials(&s, a).await;
    let mut feed = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    assert!(matches!(
        next_msg(&mut feed).await,
        FeedMessage::ConnectionEstablished { .. }
    ));

    // Charge alone is telemetry: stored, no message.
    let (status, out, _) = report(&s, Some(&token), readings(&[(&packs[0], 70)])).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(
        (out["changed"].as_u64(), out["available_batteries"].as_u64()),
        (Some(1), Some(0))
    );
    // Two packs reach the threshold in one report: one message, both counted.
    let body = readings(&[(&packs[0], 95), (&packs[1], 100), (&packs[2], 60)]);
    let (status, out, _) = report(&s, Some(&token), body).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["changed"], 3);
    assert_eq!(out["available_batteries"], 2);
    match next_msg(&mut feed).await {
        FeedMessage::InventoryUpdate {
            available_batteries,
            total_batteries,
            ..
        } => assert_eq!(
            (available_batteries, total_batteries),
            (2, 3),
            "the first message is this change's"
        ),
        other => panic!("expected inventory_update, got {other:?}"),
    }
    let now = packs_at(&s, a).await;
    assert!(
        now.contains(&(packs[0].clone(), BatteryState::Available, 95)),
        "{now:?}"
    );
    assert!(
        now.contains(&(packs[2].clone(), BatteryState::Charging, 60)),
        "{now:?}"
    );

    // The same readings again change nothing and say so.
    let body = readings(&[(&packs[0], 95), (&packs[1], 100), (&packs[2], 60)]);
    let (_, out, _) = report(&s, Some(&token), body).await;
    assert_eq!(
        (out["changed"].as_u64(), out["unchanged"].as_u64()),
        (Some(0), Some(3))
    );

    // A fault the cabinet reports takes the pack out of service; no report brings it back
    // (only staff clear a fault).
    let fault = json!({ "batteries": [{ "serial": packs[1], "charge_percent": 100, "state": "maintenance" }] });
    assert_eq!(report(&s, Some(&token), fault).await.0, 200);
    assert_eq!(
        report(&s, Some(&token), readings(&[(&packs[1], 100)]))
            .await
            .0,
        200
    );
    let cleared = json!({ "batteries": [{ "serial": packs[1], "charge_percent": 100, "state": "available" }] });
    assert_eq!(report(&s, Some(&token), cleared).await.0, 200);
    assert!(
        packs_at(&s, a)
            .await
            .contains(&(packs[1].clone(), BatteryState::Maintenance, 100))
    );
    match next_msg(&mut feed).await {
        FeedMessage::InventoryUpdate {
            available_batteries,
            ..
        } => assert_eq!(available_batteries, 1),
        other => panic!("expected inventory_update, got {other:?}"),
    }

    let trail = app::audit::ssr::recent(
        &ctx(&s).db,
        &admin,
        Some(a),
        Some(AuditAction::PacksReported),
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        trail.len(),
        2,
        "one row per report that changed a state: {trail:?}"
    );
    assert!(
        trail
            .iter()
            .all(|e| e.actor.starts_with("device ") && e.actor.ends_with("(Cabinet A)")),
        "{trail:?}"
    );
    assert!(
        trail[1]
            .detail
            .contains(&format!("{} charging 70% -> available 95%", packs[0])),
        "{}",
        trail[1].detail
    );
}

#[tokio::test]
async fn a_report_never_changes_a_booked_collected_or_retired_pack() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let admin = admin(&s).await;
    let token = device(&s, &admin, a).await;
    let rider = user(&s, "rider@dev.test", Role::Rider).await;
    let booked = app::booking::ssr::book(ctx(&s), &rider, a).await.unwrap();
    let packs = packs_at(&s, a).await;
    let held = packs
        .iter()
        .find(|p| p.1 == BatteryState::Booked)
        .unwrap()
        .0
        .clone();
    let free = packs
        .iter()
        .find(|p| p.1 == BatteryState::Available)
        .unwrap()
        .0
        .clone();
    let (status, out, _) = report(&s, Some(&token), readings(&[(&held, 5), (&free, 5)])).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(
        out["skipped"],
        json!([{ "serial": held, "state": "booked" }])
    );
    assert_eq!(out["changed"], 1);
    let now = packs_at(&s, a).await;
    assert!(
        now.contains(&(held.clone(), BatteryState::Booked, 100)),
        "{now:?}"
    );
    assert!(
        now.contains(&(free.clone(), BatteryState::Charging, 5)),
        "{now:?}"
    );
    let mine = app::booking::ssr::for_rider(&ctx(&s).db, rider.id)
        .await
        .unwrap();
    assert_eq!(mine[0].id, booked.id);
}

#[tokio::test]
async fn reports_racing_bookings_never_touch_a_booked_pack() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 8, 100).await;
    let admin = admin(&s).await;
    let token = device(&s, &admin, a).await;
    let all = serials(&s, a).await;
    let mut riders = Vec::new();
    for i in 0..8 {
        riders.push(user(&s, &format!("r{i}@dev.test"), Role::Rider).await);
    }
    // Every pack reported as faulty while the riders book.
    let faults: Vec<Value> = all
        .iter()
        .map(|serial| json!({ "serial": serial, "charge_percent": 100, "state": "maintenance" }))
        .collect();
    let (bookings, (status, out, _)) = tokio::join!(
        book_at_once(&s, &riders, a),
        report(&s, Some(&token), json!({ "batteries": faults })),
    );
    assert_eq!(status, 200, "{out}");
    let booked = bookings.iter().filter(|b| b.is_ok()).count();
    let now = packs_at(&s, a).await;
    let in_booking = now.iter().filter(|p| p.1 == BatteryState::Booked).count();
    let in_maintenance = now
        .iter()
        .filter(|p| p.1 == BatteryState::Maintenance)
        .count();
    assert_eq!(in_booking, booked, "every booking kept its pack: {now:?}");
    assert_eq!(in_booking + in_maintenance, 8, "{now:?}");
    let skipped = out["skipped"].as_array().unwrap().len();
    assert_eq!(
        out["changed"].as_u64().unwrap() as usize + skipped,
        8,
        "{out}"
    );
    let counts = app::station::ssr::counts(&ctx(&s).db, a).await.unwrap();
    assert_eq!(
        (counts.booked as usize, counts.maintenance as usize),
        (in_booking, in_maintenance)
    );
}

#[tokio::test]
async fn bookings_never_miss_a_free_pack_while_its_cabinet_reports() {
    let mut config = config().await;
    config.devices.reports_per_minute = 1_000_000;
    let s = start(config).await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 8, 92).await;
    let admin = admin(&s).await;
    let token = device(&s, &admin, a).await;
    let all = serials(&s, a).await;
    let mut riders = Vec::new();
    for i in 0..8 {
        riders.push(user(&s, &format!("b{i}@dev.test"), Role::Rider).await);
    }
    // The cabinet reports every pack's charge changing, over and over, while 8 riders book
    // the 8 packs (and cancel, and book again): each report locks free packs for a moment,
    // and no rider may be told "none" while a pack is free.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (started, mut first_report) = tokio::sync::watch::channel(false);
    let reporting = {
        let (done, url, all) = (done.clone(), http(&s, "/api/report_batteries"), all.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut charge = 92;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                charge = if charge == 100 { 92 } else { charge + 1 };
                let batteries: Vec<Value> = all
                    .iter()
                    .map(|serial| json!({ "serial": serial, "charge_percent": charge }))
                    .collect();
                let res = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "batteries": batteries }))
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                let _ = started.send(true);
            }
        })
    };
    first_report.wait_for(|s| *s).await.unwrap();
    let mut refused = Vec::new();
    for _round in 0..6 {
        for answer in book_at_once(&s, &riders, a).await {
            match answer {
                Ok(b) => {
                    app::booking::ssr::cancel(ctx(&s), &admin, b.id, "")
                        .await
                        .unwrap();
                }
                Err(e) => refused.push(e),
            }
        }
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    reporting.await.unwrap();
    assert!(refused.is_empty(), "every rider got a pack: {refused:?}");
}

#[tokio::test]
async fn bad_reports_are_refused_whole_with_a_clear_reason() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 2, 50).await;
    batteries(&s, b, 1, 50).await;
    let admin = admin(&s).await;
    let token = device(&s, &admin, a).await;
    let ours = serials(&s, a).await;
    let theirs = serials(&s, b).await;
    let before = (packs_at(&s, a).await, packs_at(&s, b).await);
    let too_many: Vec<Value> = (0..201)
        .map(|i| json!({ "serial": format!("X-{i}"), "charge_percent": 50 }))
        .collect();
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "unknown serial",
            readings(&[(&ours[0], 95), ("NOPE-1", 95)]),
            400,
            "NOPE-1",
        ),
        (
            "another station's pack",
            readings(&[(&ours[0], 95), (&theirs[0], 95)]),
            400,
            &theirs[0],
        ),
        (
            "charge over 100",
            readings(&[(&ours[0], 101)]),
            400,
            "0 to 100",
        ),
        (
            "negative charge",
            readings(&[(&ours[0], -5)]),
            400,
            "0 to 100",
        ),
        (
            "twice",
            readings(&[(&ours[0], 95), (&ours[0], 96)]),
            400,
            "twice",
        ),
        ("bad serial", readings(&[("a b", 95)]), 400, "serial"),
        (
            "retired",
            json!({ "batteries": [{ "serial": ours[0], "charge_percent": 95, "state": "retired" }] }),
            400,
            "maintenance",
        ),
        (
            "booked",
            json!({ "batteries": [{ "serial": ours[0], "charge_percent": 95, "state": "booked" }] }),
            400,
            "maintenance",
        ),
        (
            "available below threshold",
            json!({ "batteries": [{ "serial": ours[0], "charge_percent": 50, "state": "available" }] }),
            400,
            "90%",
        ),
        (
            "unknown state",
            json!({ "batteries": [{ "serial": ours[0], "charge_percent": 95, "state": "full" }] }),
            400,
            "Invalid input",
        ),
        (
            "too many",
            json!({ "batteries": too_many }),
            400,
            "at most 200",
        ),
        ("no list", json!({ "packs": [] }), 400, "Invalid input"),
        (
            "a misspelt field",
            json!({ "batteries": [{ "serial": ours[0], "charge_percent": 95, "status": "maintenance" }] }),
            400,
            "status",
        ),
        (
            "another station named",
            json!({ "batteries": [], "station_id": b }),
            403,
            "wrong_station",
        ),
    ];
    for (what, body, want, says) in cases {
        let (status, out, _) = report(&s, Some(&token), body).await;
        assert_eq!(status, want, "{what}: {out}");
        assert!(out.to_string().contains(says), "{what}: {out}");
        assert!(out["error"].is_string(), "{what}: {out}");
    }
    // Not JSON, and too big to read.
    let raw = |body: String| {
        reqwest::Client::new()
            .post(http(&s, "/api/report_batteries"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(raw("{\"batteries\": [".into()).await.unwrap().status(), 400);
    assert_eq!(
        raw(format!(
            "{{\"batteries\": [], \"pad\": \"{}\"}}",
            "x".repeat(70_000)
        ))
        .await
        .unwrap()
        .status(),
        413
    );
    assert_eq!(
        (packs_at(&s, a).await, packs_at(&s, b).await),
        before,
        "nothing partial was stored"
    );
    // The own station named is fine; an empty report is a heartbeat.
    let (status, out, _) = report(
        &s,
        Some(&token),
        json!({ "batteries": [], "station_id": a }),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["total_batteries"], 2);
}

#[tokio::test]
async fn only_a_live_device_token_reports_and_it_does_nothing_else() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 50).await;
    let admin_user = admin(&s).await;
    let token = device(&s, &admin_user, a).await;
    let body = || readings(&[]);

    assert_eq!(report(&s, None, body()).await.0, 401);
    assert_eq!(report(&s, Some("bsd_0000"), body()).await.0, 401);
    // A user's API token and a session are not devices.
    user(&s, "rider@dev.test", Role::Rider).await;
    let rider = logged_in(&s, "rider@dev.test").await;
    let (_, issued) = api(&rider, &s, "create_token", &[("label", "script")]).await;
    let user_token = issued["token"].as_str().unwrap().to_string();
    let (status, out, _) = report(&s, Some(&user_token), body()).await;
    assert_eq!(status, 401, "{out}");
    assert!(out.to_string().contains("device token"), "{out}");
    let res = rider
        .post(http(&s, "/api/report_batteries"))
        .json(&body())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // The device token opens nothing else: not booking, not tokens, not admin.
    let device_client = |path: &str| {
        reqwest::Client::new()
            .post(http(&s, path))
            .bearer_auth(&token)
            .form(&[("station_id", a.to_string())])
            .send()
    };
    for path in [
        "/api/book_battery",
        "/api/list_tokens",
        "/api/list_devices",
        "/api/my_bookings",
        "/api/station_queue",
    ] {
        let status = device_client(path).await.unwrap().status().as_u16();
        assert_eq!(status, 401, "{path}");
    }

    // Revoked: refused from the next report on.
    assert_eq!(report(&s, Some(&token), body()).await.0, 200);
    let devices = app::device::ssr::list(ctx(&s), &admin_user).await.unwrap();
    app::device::ssr::revoke(ctx(&s), &admin_user, devices[0].id)
        .await
        .unwrap();
    let (status, out, _) = report(&s, Some(&token), body()).await;
    assert_eq!(status, 401);
    assert!(out.to_string().contains("revoked"), "{out}");
}

#[tokio::test]
async fn admins_alone_manage_devices_and_never_see_a_secret_twice() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    user(&s, "admin@dev.test", Role::Admin).await;
    staff_of(&s, "staff@dev.test", a).await;
    let admin = logged_in(&s, "admin@dev.test").await;
    let staff = logged_in(&s, "staff@dev.test").await;
    let a_ = a.to_string();

    let (status, _) = api(
        &staff,
        &s,
        "create_device",
        &[("station_id", &a_), ("label", "x")],
    )
    .await;
    assert_eq!(
        status, 403,
        "staff cannot mint device tokens, even for their station"
    );
    assert_eq!(api(&staff, &s, "list_devices", &[]).await.0, 403);
    assert_eq!(api(&browser(), &s, "list_devices", &[]).await.0, 401);

    let (status, issued) = api(
        &admin,
        &s,
        "create_device",
        &[("station_id", &a_), ("label", "Cabinet A")],
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    let token = issued["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("bsd_") && token.len() == 68, "{token}");
    let (status, list) = api(&admin, &s, "list_devices", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["label"], "Cabinet A");
    assert_eq!(list[0]["station_name"], "Alpha");
    assert!(list[0]["last_report_at"].is_null());
    assert!(
        !list.to_string().contains(&token[4..]),
        "the list never shows a secret"
    );
    assert_eq!(report(&s, Some(&token), readings(&[])).await.0, 200);
    let (_, list) = api(&admin, &s, "list_devices", &[]).await;
    assert!(list[0]["last_report_at"].is_string(), "{list}");

    let id = list[0]["id"].to_string();
    assert_eq!(
        api(&staff, &s, "revoke_device", &[("device_id", &id)])
            .await
            .0,
        403
    );
    assert_eq!(
        api(&admin, &s, "revoke_device", &[("device_id", &id)])
            .await
            .0,
        200
    );
    assert_eq!(
        api(&admin, &s, "revoke_device", &[("device_id", &id)])
            .await
            .0,
        404
    );
    let (_, list) = api(&admin, &s, "list_devices", &[]).await;
    assert!(list[0]["revoked_at"].is_string(), "{list}");

    // No device for a closed or unknown station.
    let admin_user = app::account::ssr::load(&ctx(&s).db, 1)
        .await
        .unwrap()
        .unwrap();
    app::station::ssr::admin_close(ctx(&s), &admin_user, a)
        .await
        .unwrap();
    assert_eq!(
        api(
            &admin,
            &s,
            "create_device",
            &[("station_id", &a_), ("label", "y")]
        )
        .await
        .0,
        404
    );
    assert_eq!(
        api(
            &admin,
            &s,
            "create_device",
            &[("station_id", "9999"), ("label", "y")]
        )
        .await
        .0,
        404
    );
    // And a closed station's devices cannot report.
    let (status, out, _) = report(&s, Some(&token), readings(&[])).await;
    assert_eq!(status, 401, "revoked above: {out}");
}

#[tokio::test]
async fn a_closed_station_refuses_its_devices_reports() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let admin = admin(&s).await;
    let token = device(&s, &admin, a).await;
    app::station::ssr::admin_close(ctx(&s), &admin, a)
        .await
        .unwrap();
    let (status, out, _) = report(&s, Some(&token), readings(&[])).await;
    assert_eq!(status, 404, "{out}");
}

#[tokio::test]
async fn each_device_is_rate_limited_on_its_own() {
    let mut config = config().await;
    config.devices.reports_per_minute = 3;
    let s = start(config).await;
    let a = station(&s, "Alpha").await;
    let admin = admin(&s).await;
    let first = device(&s, &admin, a).await;
    let second = device(&s, &admin, a).await;
    for _ in 0..3 {
        assert_eq!(report(&s, Some(&first), readings(&[])).await.0, 200);
    }
    let (status, out, retry) = report(&s, Some(&first), readings(&[])).await;
    assert_eq!(status, 429, "{out}");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(report(&s, Some(&second), readings(&[])).await.0, 200);
}

#[tokio::test]
async fn the_demo_chargers_report_through_the_device_path() {
    let mut config = config().await;
    config.demo.enabled = true;
    config.demo.charger_rate = 100.0;
    let s = start(config).await;
    let admin = app::account::ssr::load(&ctx(&s).db, 1)
        .await
        .unwrap()
        .unwrap();
    let first = app::station::ssr::list(&ctx(&s).db).await.unwrap()[0].id;
    let mut feed = connect(&s, &format!("/ws/stations/{first}/"), &[])
        .await
        .unwrap();
    assert!(matches!(
        next_msg(&mut feed).await,
        FeedMessage::ConnectionEstablished { .. }
    ));
    // Staff put a pack back on charge; its cabinet (8 % a report at this rate, a report
    // every 5 s) makes it available again by itself.
    let pack = app::battery::ssr::at_station(&ctx(&s).db, first)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.state == BatteryState::Available)
        .unwrap();
    app::station::ssr::edit_battery(ctx(&s), &admin, pack.id, None, Some(85))
        .await
        .unwrap();
    loop {
        if let FeedMessage::InventoryUpdate { .. } = next_msg(&mut feed).await {
            let now = app::battery::ssr::find(&ctx(&s).db, pack.id).await.unwrap();
            if now.state == BatteryState::Available {
                assert!(now.charge_percent >= 90, "{now:?}");
                break;
            }
        }
    }
    let trail = app::audit::ssr::recent(
        &ctx(&s).db,
        &admin,
        Some(first),
        Some(AuditAction::PacksReported),
        5,
    )
    .await
    .unwrap();
    assert!(trail[0].actor.ends_with("(Demo charger)"), "{trail:?}");
    assert!(trail[0].detail.contains(&pack.serial), "{trail:?}");
    let devices = app::device::ssr::list(ctx(&s), &admin).await.unwrap();
    let live = devices.iter().filter(|d| d.revoked_at.is_none()).count();
    assert_eq!(live, 5, "one charger per demo station: {devices:?}");
}

#[tokio::test]
async fn demo_chargers_run_only_on_the_demos_own_database() {
    let url = fresh_database_url().await;
    let real = start(test_config(url.clone())).await;
    let a = station(&real, "A real station").await;
    batteries(&real, a, 2, 50).await;
    let admin = admin(&real).await;

    // `--demo` left on against real stations: nothing loaded, no charger invents readings.
    let mut config = test_config(url);
    config.demo.enabled = true;
    let with_demo_flag = start(config).await;
    let devices = app::device::ssr::list(ctx(&with_demo_flag), &admin)
        .await
        .unwrap();
    assert!(devices.is_empty(), "{devices:?}");
    assert_eq!(
        packs_at(&with_demo_flag, a).await,
        packs_at(&real, a).await,
        "untouched"
    );
}

#[tokio::test]
async fn a_restarted_demo_retires_its_previous_chargers() {
    let mut config = config().await;
    config.demo.enabled = true;
    config.demo.charger_rate = 1.0;
    let url = config.operations.database_url.clone();
    let first = start(config.clone()).await;
    let admin = app::account::ssr::load(&ctx(&first).db, 1)
        .await
        .unwrap()
        .unwrap();
    drop(first);
    let again = start(config).await;
    let devices = app::device::ssr::list(ctx(&again), &admin).await.unwrap();
    let live = devices.iter().filter(|d| d.revoked_at.is_none()).count();
    assert_eq!((live, devices.len()), (5, 10), "{url}: {devices:?}");
}
