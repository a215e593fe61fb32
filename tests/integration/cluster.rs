//! Several instances, concurrency and crashes: the issue-6 guarantees. The multi-instance
//! tests run on PostgreSQL (`BATTERY_SWAP_TEST_DB=postgres`); the oversell and crash tests run
//! on whichever database the suite runs on.
use app::account::{CurrentUser, Role};
use app::context::Ctx;
use battery_swap::config::Config;
use futures::future::join_all;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;
use std::sync::Arc;

use crate::support::*;

/// A context for setting up data directly, like an admin tool. On PostgreSQL its events are
/// NOTIFYed, so running instances hear them; on SQLite nobody is listening.
pub(crate) async fn tool(url: &str) -> Ctx {
    struct Nowhere;
    impl app::feed::ssr::EventSink for Nowhere {
        fn publish(&self, _: Vec<app::feed::ssr::DomainEvent>) {}
    }
    let db = battery_swap::db::connect(url, TEST_POOL.parse().ok())
        .await
        .expect("connect");
    battery_swap::db::migrate(&db).await.expect("migrate");
    let bus = if on_postgres() {
        app::feed::ssr::EventBus::over_postgres(Arc::new(Nowhere))
    } else {
        app::feed::ssr::EventBus::detached()
    };
    let pack_claim = app::battery::ssr::PackClaim::for_backend(db.get_database_backend());
    Ctx {
        db,
        bus,
        rules: Config::for_database(url).rules(),
        secure_cookies: false,
        proxies: Default::default(),
        device_reports: app::device::ssr::ReportLimiter::new(60),
        pack_claim,
        stream_places: None,
        gate: None,
        writer: None,
        client: None,
    }
}

fn admin() -> CurrentUser {
    CurrentUser {
        id: 0,
        email: "ops@a.test".into(),
        display_name: "ops".into(),
        role: Role::Admin,
        stations: vec![],
        pack_model: None,
    }
}

pub(crate) async fn new_station(ctx: &Ctx, name: &str, batteries: usize, charge: i16) -> i32 {
    let new = app::station::ssr::NewStation {
        name: name.into(),
        address: "x".into(),
        latitude: 0.0,
        longitude: 0.0,
    };
    let id = app::station::ssr::create(&ctx.db, new)
        .await
        .expect("station")
        .id;
    for i in 0..batteries {
        let b = app::battery::ssr::NewBattery {
            station_id: id,
            serial: format!("{name}-{i}"),
            model: "Pack".into(),
            charge_percent: charge,
        };
        app::station::ssr::add_battery(ctx, &admin(), b)
            .await
            .expect("battery");
    }
    id
}

pub(crate) async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("row");
    row.try_get_by_index::<i64>(0).expect("number")
}

/// Counts equal rows; every booked battery has exactly one active booking and vice versa.
pub(crate) async fn assert_consistent(db: &DatabaseConnection, station_id: i32) -> i64 {
    let active = scalar(db, &format!("SELECT COUNT(*) FROM bookings WHERE station_id = {station_id} AND status IN ('confirmed','ready')")).await;
    let distinct = scalar(db, &format!("SELECT COUNT(DISTINCT battery_id) FROM bookings WHERE station_id = {station_id} AND status IN ('confirmed','ready')")).await;
    let booked = scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM batteries WHERE station_id = {station_id} AND state = 'booked'"
        ),
    )
    .await;
    let orphans = scalar(db, &format!(
        "SELECT COUNT(*) FROM batteries b WHERE b.station_id = {station_id} AND b.state = 'booked' AND NOT EXISTS \
         (SELECT 1 FROM bookings k WHERE k.battery_id = b.id AND k.status IN ('confirmed','ready'))"
    ))
    .await;
    assert_eq!(active, distinct, "no battery is booked twice");
    assert_eq!(active, booked, "booked batteries and active bookings match");
    assert_eq!(orphans, 0, "no half-made booking");
    let counts = app::station::ssr::counts(db, station_id)
        .await
        .expect("counts");
    assert_eq!(i64::from(counts.booked), booked, "counts equal the rows");
    active
}

/// Fires one booking per cookie, spread over `bases`, all at once.
async fn book_all(bases: &[String], cookies: &[String], station_id: i32) -> Vec<(u16, Value)> {
    let client = reqwest::Client::new();
    let calls = cookies.iter().enumerate().map(|(i, cookie)| {
        let req = client
            .post(format!("{}/api/book_battery", bases[i % bases.len()]))
            .header("cookie", cookie)
            .form(&[("station_id", station_id.to_string())]);
        async move {
            match req.send().await {
                Ok(res) => (
                    res.status().as_u16(),
                    res.json().await.unwrap_or(Value::Null),
                ),
                Err(_) => (0, Value::Null),
            }
        }
    });
    join_all(calls).await
}

/// Reads an all-stations feed until `station_status` for the marker station; returns how many
/// `battery_booked` came before it.
async fn count_booked_until_marker(ws: &mut Ws) -> usize {
    let mut booked = 0;
    loop {
        let msg = next_json(ws).await;
        match msg["type"].as_str() {
            Some("battery_booked") => booked += 1,
            Some("station_status") => return booked,
            _ => {}
        }
    }
}

async fn marker(ctx: &Ctx, station_id: i32) {
    app::station::ssr::set_status(
        ctx,
        &admin(),
        station_id,
        app::station::StationStatus::Maintenance,
        "marker",
    )
    .await
    .expect("marker");
}

async fn server_on(url: String) -> battery_swap::Server {
    let mut cfg = test_config(url);
    cfg.sockets.connects_per_minute = 100_000;
    start(cfg).await
}

fn tally(results: &[(u16, Value)]) -> (usize, usize) {
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let none = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"] == "none_available")
        .count();
    (ok, none)
}

#[tokio::test]
async fn two_hundred_riders_ten_batteries_exactly_ten_bookings() {
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let station = new_station(&setup, "Rush", 10, 100).await;
    new_station(&setup, "Low", 5, 50).await;
    let marker_station = new_station(&setup, "Marker", 0, 100).await;
    let cookies = many_riders(&setup.db, 200).await;

    // SQLite: one in-process instance. PostgreSQL: two server processes sharing the database.
    let single;
    let processes;
    let (bases, mut watcher, marker_ctx) = if on_postgres() {
        processes = vec![Process::spawn(&url).await, Process::spawn(&url).await];
        let ws = connect_url(&processes[1].ws("/ws/stations/"), &[]).await;
        (
            processes.iter().map(|p| p.url("")).collect::<Vec<_>>(),
            ws,
            setup.clone(),
        )
    } else {
        single = server_on(url.clone()).await;
        let ws = connect(&single, "/ws/stations/", &[]).await.unwrap();
        (vec![http(&single, "")], ws, ctx(&single).clone())
    };
    assert_eq!(
        next_json(&mut watcher).await["type"],
        "connection_established"
    );

    let results = book_all(&bases, &cookies, station).await;
    let (ok, none) = tally(&results);
    assert_eq!(
        (ok, none),
        (10, 190),
        "exactly 10 bookings and 190 clear refusals: {:?}",
        results.iter().find(|(s, _)| *s != 200 && *s != 409)
    );
    assert_eq!(assert_consistent(&setup.db, station).await, 10);
    marker(&marker_ctx, marker_station).await;
    assert_eq!(
        count_booked_until_marker(&mut watcher).await,
        10,
        "exactly 10 battery_booked events"
    );
}

/// Nobody is refused while batteries remain, however many book at once.
#[tokio::test]
async fn enough_batteries_means_every_rider_gets_one() {
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let station = new_station(&setup, "Plenty", 120, 100).await;
    let cookies = many_riders(&setup.db, 120).await;
    let single;
    let processes;
    let bases = if on_postgres() {
        processes = vec![Process::spawn(&url).await, Process::spawn(&url).await];
        processes.iter().map(|p| p.url("")).collect::<Vec<_>>()
    } else {
        single = server_on(url.clone()).await;
        vec![http(&single, "")]
    };
    let results = book_all(&bases, &cookies, station).await;
    let refused: Vec<_> = results.iter().filter(|(s, _)| *s != 200).collect();
    assert!(
        refused.is_empty(),
        "refused while batteries remained: {refused:?}"
    );
    assert_eq!(assert_consistent(&setup.db, station).await, 120);
}

#[tokio::test]
async fn a_killed_instance_loses_no_confirmed_booking() {
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let station = new_station(&setup, "Crash", 150, 100).await;
    let cookies = many_riders(&setup.db, 200).await;
    let mut victim = Process::spawn(&url).await;
    let base = victim.url("");
    let client = reqwest::Client::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for cookie in cookies {
        let (req, tx) = (
            client
                .post(format!("{base}/api/book_battery"))
                .header("cookie", cookie)
                .form(&[("station_id", station.to_string())]),
            tx.clone(),
        );
        tokio::spawn(async move {
            let outcome = match req.send().await {
                Ok(res) if res.status() == 200 => res
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|b| b["id"].as_i64()),
                _ => None,
            };
            let _ = tx.send(outcome);
        });
    }
    drop(tx);
    // Kill it mid-load, as soon as some bookings have been confirmed to their riders.
    let mut confirmed = Vec::new();
    while confirmed.len() < 5 {
        confirmed.extend(rx.recv().await.expect("a response"));
    }
    victim.child.start_kill().expect("SIGKILL");
    victim.child.wait().await.expect("reaped");
    while let Some(outcome) = rx.recv().await {
        confirmed.extend(outcome);
    }
    // Restart on the same database: every confirmed booking is there, nothing is half-made.
    let revived = Process::spawn(&url).await;
    assert_eq!(
        reqwest::get(revived.url("/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    for id in &confirmed {
        let status = scalar(
            &setup.db,
            &format!("SELECT COUNT(*) FROM bookings WHERE id = {id} AND status = 'confirmed'"),
        )
        .await;
        assert_eq!(
            status, 1,
            "booking {id} was confirmed to its rider, so it must exist"
        );
    }
    let active = assert_consistent(&setup.db, station).await;
    assert!(active >= confirmed.len() as i64);
}

#[tokio::test]
async fn a_booking_on_one_instance_reaches_clients_of_another() {
    if !on_postgres() {
        return; // several instances need PostgreSQL
    }
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let a = new_station(&setup, "Alpha", 2, 100).await;
    let b = new_station(&setup, "Beta", 2, 100).await;
    let rider = app::account::ssr::register(&setup.db, "rider@a.test", "", PASSWORD, Role::Rider)
        .await
        .unwrap();
    let _ = rider;
    let (one, two) = (Process::spawn(&url).await, Process::spawn(&url).await);
    let login = browser()
        .post(one.url("/api/login"))
        .form(&[("email", "rider@a.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    let mut feeds = Vec::new();
    for p in [&one, &two] {
        feeds.push((
            connect_url(&p.ws(&format!("/ws/stations/{a}/")), &[]).await,
            connect_url(&p.ws(&format!("/ws/stations/{b}/")), &[]).await,
            connect_url(&p.ws("/ws/notifications/"), &[("cookie", &cookie)]).await,
        ));
    }
    for (fa, fb, notes) in feeds.iter_mut() {
        next_json(fa).await;
        next_json(fb).await;
        next_json(notes).await;
    }
    let res = browser()
        .post(one.url("/api/book_battery"))
        .header("cookie", &cookie)
        .form(&[("station_id", a.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for (fa, _, notes) in feeds.iter_mut() {
        assert_eq!(
            next_json(fa).await["type"],
            "battery_booked",
            "on both instances"
        );
        assert_eq!(next_json(fa).await["action"], "book");
        assert_eq!(
            next_json(notes).await["type"],
            "booking_confirmed",
            "the rider's tabs on both instances"
        );
    }
    // Station B's feeds, on both instances, see B's own event first: A's never reached them.
    marker(&setup, b).await;
    for (_, fb, _) in feeds.iter_mut() {
        let first = next_json(fb).await;
        assert_eq!(
            (first["type"].as_str(), first["station_id"].as_i64()),
            (Some("station_status"), Some(i64::from(b)))
        );
    }
    // Logging out through one instance closes the session's sockets on the other too.
    let out = browser()
        .post(two.url("/api/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    for (_, _, notes) in feeds.iter_mut() {
        assert_eq!(close_code(notes).await, Some(4401));
    }
}

#[tokio::test]
async fn a_dropped_listener_reconnects_and_refreshes_clients() {
    if !on_postgres() {
        return;
    }
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let mut feed = connect(&s, &format!("/ws/stations/{a}/"), &[])
        .await
        .unwrap();
    next_json(&mut feed).await;
    // What a PostgreSQL restart does to the listening connection.
    let db = &ctx(&s).db;
    let killed = scalar(db, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'").await;
    assert_eq!(killed, 1);
    let refresh = next_json(&mut feed).await;
    assert_eq!(
        (refresh["type"].as_str(), refresh["action"].as_str()),
        (Some("inventory_update"), Some("update"))
    );
    assert_eq!(refresh["available_batteries"], 2);
    // And events flow again.
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    app::booking::ssr::book(ctx(&s), &rider, a).await.unwrap();
    assert_eq!(next_json(&mut feed).await["type"], "battery_booked");
}

#[tokio::test]
async fn events_larger_than_a_notify_payload_arrive_whole() {
    let s = server().await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let cookie = session_cookie(&s, "rider@a.test").await;
    let mut notes = connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
        .await
        .unwrap();
    next_json(&mut notes).await;
    let long = "🔋".repeat(2000); // 8000 bytes of text alone: over PostgreSQL's NOTIFY limit
    app::notification::ssr::send(
        ctx(&s),
        &admin,
        Some(rider.id),
        "Big",
        &long,
        app::notification::Level::Info,
    )
    .await
    .unwrap();
    let got = next_json(&mut notes).await;
    assert_eq!(
        got["message"].as_str().map(|m| m.chars().count()),
        Some(2000)
    );
    assert_eq!(got["message"], long);
}
