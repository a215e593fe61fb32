//! Prints how fast the feed path is; asserts nothing. `cargo bench --bench feed_fanout`.
//!
//! 1. hub fan-out in process: events dispatched to N subscribers per second;
//! 2. end to end over real sockets: booking commit → message at every station-feed client;
//! 3. booking throughput: concurrent bookings committed per second (SQLite, or PostgreSQL when
//!    `BENCH_DATABASE_URL=postgres://…` names an empty database).
#![expect(
    clippy::expect_used,
    reason = "a benchmark tool: a failure aborts the run with its message"
)]
use app::account::{CurrentUser, Role};
use app::feed::ssr::DomainEvent;
use app::feed::{FeedMessage, InventoryAction};
use battery_swap::config::Config;
use battery_swap::hub::{Hub, Topic, Viewer};
use futures::StreamExt;
use std::time::{Duration, Instant};

fn event(n: u32) -> DomainEvent {
    DomainEvent::station(
        1,
        FeedMessage::InventoryUpdate {
            station_id: 1,
            station_name: "Downtown Station".into(),
            available_batteries: n,
            booked_batteries: 3,
            total_batteries: 18,
            timestamp: "2026-11-25T20:00:00.000Z".into(),
            action: InventoryAction::Update,
            available_by_model: None,
        },
    )
}

fn hub_fanout(subscribers: usize, events: u32) {
    let hub = Hub::new(events as usize + 1);
    let subs: Vec<_> = (0..subscribers)
        .map(|_| hub.subscribe(Topic::AllStations, Viewer::default(), None))
        .collect();
    let start = Instant::now();
    for n in 0..events {
        hub.dispatch(&event(n));
    }
    let took = start.elapsed();
    let deliveries = subscribers as f64 * f64::from(events);
    println!(
        "hub fan-out: {subscribers} subscribers x {events} events in {:.1} ms = {:.0} events/s, {:.2} M deliveries/s",
        took.as_secs_f64() * 1e3,
        f64::from(events) / took.as_secs_f64(),
        deliveries / took.as_secs_f64() / 1e6
    );
    drop(subs);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn server(url: String) -> battery_swap::Server {
    let mut config = Config::for_database(url);
    config.sockets.connects_per_minute = 100_000;
    battery_swap::start(config).await.expect("server")
}

fn admin() -> CurrentUser {
    CurrentUser {
        id: 0,
        email: "bench@example.com".into(),
        display_name: "b".into(),
        role: Role::Admin,
        stations: vec![],
        pack_model: None,
    }
}

async fn setup(server: &battery_swap::Server, batteries: usize) -> i32 {
    use app::station::ssr::{NewStation, create};
    let ctx = &server.state.ctx;
    let s = create(
        &ctx.db,
        NewStation {
            name: format!("Bench {}", rand_suffix()),
            address: "x".into(),
            latitude: 0.0,
            longitude: 0.0,
        },
    )
    .await
    .expect("station");
    for i in 0..batteries {
        let new = app::battery::ssr::NewBattery {
            station_id: s.id,
            serial: format!("B{}-{i}", s.id),
            model: "Pack".into(),
            charge_percent: 100,
        };
        app::station::ssr::add_battery(ctx, &admin(), new)
            .await
            .expect("battery");
    }
    s.id
}

/// `n` freshly registered riders.
async fn riders_of(server: &battery_swap::Server, n: usize) -> Vec<CurrentUser> {
    let mut riders = Vec::with_capacity(n);
    for i in 0..n {
        let email = format!("bench{i}-{}@example.com", rand_suffix());
        let rider = app::account::ssr::register(
            &server.state.ctx.db,
            &email,
            "",
            "benchmark-password",
            Role::Rider,
        )
        .await;
        riders.push(rider.expect("rider"));
    }
    riders
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Commit-to-delivery latency over real sockets, for `clients` listeners of one station feed.
async fn end_to_end(url: String, clients: usize, bookings: usize) {
    let s = server(url).await;
    let station = setup(&s, bookings).await;
    let mut sockets = Vec::new();
    for _ in 0..clients {
        let (mut ws, _) =
            tokio_tungstenite::connect_async(format!("ws://{}/ws/stations/{station}/", s.addr))
                .await
                .expect("connect");
        ws.next().await.expect("hello").expect("frame");
        sockets.push(ws);
    }
    let riders = riders_of(&s, bookings).await;
    let mut latencies = Vec::with_capacity(bookings * clients);
    for rider in &riders {
        let t0 = Instant::now();
        app::booking::ssr::book(&s.state.ctx, rider, station)
            .await
            .expect("book");
        let committed = t0.elapsed();
        for ws in sockets.iter_mut() {
            // battery_booked, then inventory_update: the latter closes this booking's fan-out.
            ws.next().await.expect("booked").expect("frame");
            ws.next().await.expect("inventory").expect("frame");
            latencies.push(t0.elapsed().saturating_sub(committed));
        }
    }
    latencies.sort();
    println!(
        "end to end: {bookings} bookings to {clients} socket clients: delivery after commit p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    drop(sockets);
    s.shutdown().await.expect("shutdown");
}

/// `riders` concurrent bookings against `batteries` batteries.
async fn booking_throughput(url: String, label: &str, riders: usize, batteries: usize) {
    let s = server(url).await;
    let station = setup(&s, batteries).await;
    let users = riders_of(&s, riders).await;
    let start = Instant::now();
    let tasks: Vec<_> = users
        .into_iter()
        .map(|u| {
            let ctx = s.state.ctx.clone();
            tokio::spawn(async move { app::booking::ssr::book(&ctx, &u, station).await.is_ok() })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap_or(false) {
            ok += 1;
        }
    }
    let took = start.elapsed();
    println!(
        "bookings ({label}): {riders} concurrent riders, {batteries} batteries: {ok} booked in {:.0} ms = {:.0} bookings/s",
        took.as_secs_f64() * 1e3,
        riders as f64 / took.as_secs_f64()
    );
    s.shutdown().await.expect("shutdown");
}

fn sqlite_url(name: &str) -> String {
    let dir = std::env::temp_dir().join("battery-swap-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    format!("sqlite://{}", dir.join(format!("{name}.db")).display())
}

fn main() {
    hub_fanout(1_000, 1_000);
    hub_fanout(10_000, 100);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        end_to_end(sqlite_url("e2e"), 100, 50).await;
        booking_throughput(sqlite_url("tp"), "SQLite", 200, 200).await;
        if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
            booking_throughput(url, "PostgreSQL", 200, 200).await;
        }
    });
}
