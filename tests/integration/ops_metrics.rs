//! `/metrics` (issue #14): Prometheus text on its own address only, moving with the service.
//! The server runs as its own process: the metrics recorder is one per process.
use battery_swap::demo::DEMO_PASSWORD;
use std::net::SocketAddr;

use crate::support::*;

/// The sum of the samples of `name` whose labels include every pair of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            let (metric, rest) = key.split_once('{').unwrap_or((key, ""));
            let wanted = metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            wanted.then(|| value.parse::<f64>().expect("a number"))
        })
        .sum()
}

async fn scrape(at: SocketAddr) -> String {
    let res = reqwest::get(format!("http://{at}/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    let kind = header(&res, "content-type").unwrap();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    res.text().await.unwrap()
}

/// Scrapes until `done` holds (for what happens after a response: the sweeper, a close).
async fn scrape_until(at: SocketAddr, done: impl Fn(&str) -> bool) -> String {
    tokio::time::timeout(WAIT, async {
        loop {
            let text = scrape(at).await;
            if done(&text) {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("metrics in time")
}

#[tokio::test]
async fn a_booking_moves_the_counters_on_the_private_address_only() {
    let url = fresh_database_url().await;
    let flags = ["--demo", "--metrics-addr", "127.0.0.1:0"];
    let server = Process::spawn_with(&url, &flags).await;
    let metrics = server.metrics.expect("metrics address logged");
    assert_ne!(metrics.port(), server.addr.port());

    // The public address has no /metrics: the page router's 404, not the numbers.
    let public = reqwest::get(server.url("/metrics")).await.unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("battery_swap_"));
    // And the metrics address serves nothing else.
    let other = reqwest::get(format!("http://{metrics}/")).await.unwrap();
    assert_eq!(other.status(), 404);

    let before = scrape_until(metrics, |t| {
        sample(t, "battery_swap_sweeper_runs_total", &[("result", "ok")]) >= 1.0
    })
    .await;
    for name in [
        "battery_swap_build_info",
        "battery_swap_db_pool_max_connections",
        "battery_swap_password_hash_concurrency",
    ] {
        assert!(sample(&before, name, &[]) >= 1.0, "{name} in:\n{before}");
    }
    let has = |prefix: &str| before.lines().any(|line| line.starts_with(prefix));
    assert!(
        has("battery_swap_db_pool_connections{state=\"in_use\"} "),
        "{before}"
    );
    assert!(has("battery_swap_password_hashes_queued "), "{before}");
    assert!(has("battery_swap_password_hashes_in_flight "), "{before}");
    assert!(before.contains("# TYPE battery_swap_sweeper_last_run_timestamp_seconds gauge"));

    // A watcher of station 1, and a socket refused for its origin.
    let mut watcher = connect_url(&server.ws("/ws/stations/1/"), &[]).await;
    assert_eq!(
        next_json(&mut watcher).await["type"],
        "connection_established"
    );
    let foreign = [("origin", "https://evil.example")];
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        server.ws("/ws/stations/1/"),
    )
    .unwrap();
    req.headers_mut()
        .insert("origin", foreign[0].1.parse().unwrap());
    let refused = tokio_tungstenite::connect_async(req).await.unwrap_err();
    assert_eq!(refused_status(refused), 403);

    let rider = browser();
    let login = rider
        .post(server.url("/api/login"))
        .form(&[("email", "rider@example.com"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let booked = rider
        .post(server.url("/api/book_battery"))
        .form(&[("station_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 200, "{}", booked.text().await.unwrap());
    let again = rider
        .post(server.url("/api/book_battery"))
        .form(&[("station_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    while next_json(&mut watcher).await["type"] != "battery_booked" {}

    let after = scrape(metrics).await;
    let moved = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };
    let outcome = |o| [("outcome", o)];
    assert_eq!(
        moved("battery_swap_bookings_total", &outcome("booked")),
        1.0
    );
    assert_eq!(
        moved(
            "battery_swap_bookings_total",
            &outcome("active_booking_exists")
        ),
        1.0
    );
    let latency = "battery_swap_booking_duration_seconds_count";
    assert_eq!(moved(latency, &outcome("booked")), 1.0);
    let book = [("route", "/api/book_battery"), ("method", "POST")];
    let ok = [book[0], book[1], ("status", "200")];
    assert_eq!(moved("battery_swap_http_requests_total", &ok), 1.0);
    let conflict = [book[0], ("status", "409")];
    assert_eq!(moved("battery_swap_http_requests_total", &conflict), 1.0);
    let seconds = "battery_swap_http_request_duration_seconds";
    assert_eq!(moved(&format!("{seconds}_count"), &book), 2.0);
    let le = [book[0], ("le", "30")];
    assert_eq!(moved(&format!("{seconds}_bucket"), &le), 2.0);
    let login_route = [("route", "/api/login"), ("status", "200")];
    assert_eq!(moved("battery_swap_http_requests_total", &login_route), 1.0);
    let station = [("feed", "station")];
    assert_eq!(
        sample(&after, "battery_swap_ws_sockets_open", &station),
        1.0
    );
    assert!(moved("battery_swap_ws_messages_delivered_total", &station) >= 2.0);
    let origin = [
        ("reason", "origin"),
        ("route", "/ws/stations/{station_id}/"),
    ];
    assert_eq!(moved("battery_swap_refusals_total", &origin), 1.0);
    let upgraded = [("route", "/ws/stations/{station_id}/"), ("status", "101")];
    assert_eq!(moved("battery_swap_http_requests_total", &upgraded), 1.0);
    // Route templates only: no raw path and no id reaches a label.
    assert!(!after.contains("route=\"/ws/stations/1/\""), "{after}");

    drop(watcher);
    scrape_until(metrics, |t| {
        sample(t, "battery_swap_ws_sockets_open", &station) == 0.0
            && sample(t, "battery_swap_ws_closes_total", &station) == 1.0
    })
    .await;
}

#[tokio::test]
async fn without_a_metrics_address_no_metrics_are_served() {
    let server = server().await;
    assert_eq!(server.metrics_addr, None);
    let res = reqwest::get(http(&server, "/metrics")).await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("battery_swap_"));
}

#[tokio::test]
async fn a_dropped_listener_is_counted() {
    if !on_postgres() {
        return;
    }
    use sea_orm::ConnectionTrait;
    let url = fresh_database_url().await;
    let server = Process::spawn_with(&url, &["--metrics-addr", "127.0.0.1:0"]).await;
    let metrics = server.metrics.expect("metrics address logged");
    let reconnects = "battery_swap_pg_listener_reconnects_total";
    assert_eq!(sample(&scrape(metrics).await, reconnects, &[]), 0.0);
    // What a PostgreSQL restart does to the listening connection.
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                WHERE datname = current_database() AND query ILIKE 'LISTEN%'";
    let killed = db.query_all_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        kill,
    ));
    assert_eq!(killed.await.unwrap().len(), 1);
    scrape_until(metrics, |t| sample(t, reconnects, &[]) == 1.0).await;
}

#[tokio::test]
async fn device_reports_are_counted_by_outcome() {
    let url = fresh_database_url().await;
    let flags = ["--demo", "--metrics-addr", "127.0.0.1:0"];
    let server = Process::spawn_with(&url, &flags).await;
    let metrics = server.metrics.expect("metrics address logged");
    let reports = "battery_swap_device_reports_total";
    // The demo's chargers report as devices too: wait for their first reports, then count
    // from there.
    let before = scrape_until(metrics, |t| {
        sample(t, reports, &[("outcome", "accepted")]) > 0.0
    })
    .await;
    let refused = |t: &str| sample(t, reports, &[("outcome", "unauthenticated")]);
    let validation = |t: &str| sample(t, reports, &[("outcome", "validation")]);

    let post = |token: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .post(server.url("/api/report_batteries"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let no_token = post("bsd_unknown", serde_json::json!({ "batteries": [] }))
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    let admin = browser();
    let login = admin
        .post(server.url("/api/login"))
        .form(&[("email", "admin@example.com"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let issued: serde_json::Value = admin
        .post(server.url("/api/create_device"))
        .form(&[("station_id", "1"), ("label", "Metrics cabinet")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap();
    let bad = serde_json::json!({ "batteries": [{ "serial": "NOPE-1", "charge_percent": 50 }] });
    assert_eq!(post(token, bad).await.unwrap().status(), 400);

    scrape_until(metrics, |t| {
        refused(t) == refused(&before) + 1.0 && validation(t) == validation(&before) + 1.0
    })
    .await;
}
