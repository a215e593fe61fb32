//! `/api/nearby` at network scale (#31): 10,000 stations with 20 packs each over a city-sized
//! area (written straight into the server's database: the API would take an hour to add 200,000
//! packs), then 2,000 sequential queries at random points, plain and for one pack model,
//! against `GET /healthz` measured the same way.
use sea_orm::{ActiveValue::Set, ConnectionTrait, Database, DbBackend, EntityTrait};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use app::battery::BatteryState;
use app::battery::ssr::entity as battery;
use app::station::StationStatus;
use app::station::ssr::entity::station;

use crate::http::Conn;
use crate::stats::{ms, percentile};

pub const STATIONS: usize = 10_000;
const PACKS: usize = 20;
const QUERIES: usize = 2_000;
const MODELS: [&str; 5] = ["Nearby A", "Nearby B", "Nearby C", "Nearby D", "Nearby E"];

/// Stations on a grid: `rows` of them from `south` northwards `step` apart, column after column.
pub struct Grid {
    pub stations: usize,
    pub rows: usize,
    pub south: f64,
    pub west: f64,
    /// Degrees of latitude, then of longitude, between neighbours.
    pub step: (f64, f64),
}

/// `STATIONS` stations on a 100 × 100 grid over about 45 × 40 km.
pub const GRID: Grid = Grid {
    stations: STATIONS,
    rows: 100,
    south: 52.3,
    west: 13.1,
    step: (0.004, 0.006),
};

/// Adds `grid`'s stations, each with `PACKS` packs of the five models, every third one
/// charging.
pub async fn seed(db_url: &str, grid: &Grid) {
    let started = Instant::now();
    let db = Database::connect(db_url)
        .await
        .expect("the server's database");
    let now = chrono::Utc::now();
    for chunk in (0..grid.stations).collect::<Vec<_>>().chunks(500) {
        let rows = chunk.iter().map(|&i| station::ActiveModel {
            name: Set(format!("Nearby {i:05}")),
            address: Set(format!("{i} Grid Street")),
            latitude: Set(grid.south + (i % grid.rows) as f64 * grid.step.0),
            longitude: Set(grid.west + (i / grid.rows) as f64 * grid.step.1),
            status: Set(StationStatus::Online),
            status_message: Set(String::new()),
            created_at: Set(now),
            version: Set(0),
            closed_at: Set(None),
            stock_level: Set(None),
            ..Default::default()
        });
        station::Entity::insert_many(rows)
            .exec(&db)
            .await
            .expect("stations");
    }
    let ids: Vec<i32> = station::Entity::find()
        .all(&db)
        .await
        .expect("station ids")
        .into_iter()
        .filter(|s| s.name.starts_with("Nearby "))
        .map(|s| s.id)
        .collect();
    let packs: Vec<(i32, usize)> = ids
        .iter()
        .flat_map(|&id| (0..PACKS).map(move |n| (id, n)))
        .collect();
    for chunk in packs.chunks(1000) {
        let rows = chunk.iter().map(|&(id, n)| battery::ActiveModel {
            station_id: Set(id),
            serial: Set(format!("NEAR-{id}-{n}")),
            model: Set(MODELS[(id as usize + n) % MODELS.len()].to_string()),
            charge_percent: Set(if n % 3 == 0 { 40 } else { 100 }),
            state: Set(if n % 3 == 0 {
                BatteryState::Charging
            } else {
                BatteryState::Available
            }),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        battery::Entity::insert_many(rows)
            .exec(&db)
            .await
            .expect("packs");
    }
    // The planner's statistics, as autovacuum (PostgreSQL) would soon gather them after such a
    // load: without them PostgreSQL guessed one row and read the packs' heap, twice as slow.
    let analyze = match db.get_database_backend() {
        DbBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(analyze).await.expect("analyze");
    println!(
        "data: {} stations with {PACKS} packs each added in {}",
        ids.len(),
        ms(started.elapsed())
    );
}

/// A point in the grid's area, from a simple deterministic sequence.
fn point(k: usize) -> (f64, f64) {
    let a = (k as f64 * 0.618_033_988_7).fract();
    let b = (k as f64 * 0.414_213_562_4).fract();
    (52.3 + a * 0.4, 13.1 + b * 0.6)
}

async fn timed(conn: &mut Conn, path: &str) -> Duration {
    let started = Instant::now();
    let res = conn.get(path, None).await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.body);
    started.elapsed()
}

pub async fn run(addr: SocketAddr) {
    println!(
        "\n== nearby: {QUERIES} sequential GETs on one keep-alive connection, {STATIONS} stations =="
    );
    println!("query | p50 | p99 | max | p99 / healthz p99");
    let mut conn = Conn::open(addr).await;
    let mut floor = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        floor.push(timed(&mut conn, "/healthz").await);
    }
    let floor_p99 = percentile(&mut floor, 99.0);
    println!(
        "/healthz | {} | {} | {} | 1.0",
        ms(percentile(&mut floor, 50.0)),
        ms(floor_p99),
        ms(percentile(&mut floor, 100.0))
    );
    for (what, model) in [
        ("nearest 10", ""),
        ("nearest 10 of one model", "&model=Nearby+C"),
    ] {
        let mut times = Vec::with_capacity(QUERIES);
        for k in 0..QUERIES {
            let (lat, lon) = point(k);
            let path = format!("/api/nearby?lat={lat:.5}&lon={lon:.5}&limit=10{model}");
            times.push(timed(&mut conn, &path).await);
        }
        let p99 = percentile(&mut times, 99.0);
        println!(
            "{what} | {} | {} | {} | {:.1}",
            ms(percentile(&mut times, 50.0)),
            ms(p99),
            ms(percentile(&mut times, 100.0)),
            p99.as_secs_f64() / floor_p99.as_secs_f64().max(1e-9)
        );
    }
}
