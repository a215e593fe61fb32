//! Demo data for `--demo`: loaded into an empty database only, through the domain functions.
use app::account::{Role, ssr as account};
use app::battery::ssr::NewBattery;
use app::context::Ctx;
use app::error::AppResult;
use app::station::ssr::{self as station, NewStation};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "battery-swap-demo";

const STATIONS: &[(&str, &str, f64, f64)] = &[
    ("Downtown Station", "1 Market Street", 52.5200, 13.4050),
    ("Riverside Hub", "88 Quay Road", 52.5110, 13.3900),
    ("University Campus", "5 College Lane", 52.5300, 13.3800),
    ("Airport Express", "Terminal 2, Level 0", 52.5600, 13.2900),
    ("Harbour Point", "12 Pier Avenue", 52.4950, 13.4400),
];

const MODELS: &[&str] = &[
    "Tesla Battery - Model 3",
    "Gogoro Smartscooter Pack",
    "NIU Li-ion 60V 35Ah",
    "Bosch PowerPack 750",
    "Segway SwapPack 1.5kWh",
];

/// Loads the demo unless the database already holds users or stations. Returns whether it did.
pub async fn load_if_empty(ctx: &Ctx) -> AppResult<bool> {
    let has_users = !account::all_ids(&ctx.db).await?.is_empty();
    let has_stations = !station::list(&ctx.db).await?.is_empty();
    if has_users || has_stations {
        return Ok(false);
    }
    let admin = account::register(
        &ctx.db,
        "admin@example.com",
        "Ada Admin",
        DEMO_PASSWORD,
        Role::Admin,
    )
    .await?;
    let staff = account::register(
        &ctx.db,
        "staff@example.com",
        "Sam Staff",
        DEMO_PASSWORD,
        Role::Staff,
    )
    .await?;
    account::register(
        &ctx.db,
        "rider@example.com",
        "Riley Rider",
        DEMO_PASSWORD,
        Role::Rider,
    )
    .await?;
    account::register(
        &ctx.db,
        "rider2@example.com",
        "Robin Rider",
        DEMO_PASSWORD,
        Role::Rider,
    )
    .await?;
    for (i, (name, address, lat, lng)) in STATIONS.iter().enumerate() {
        let s = station::create(
            &ctx.db,
            NewStation {
                name: (*name).into(),
                address: (*address).into(),
                latitude: *lat,
                longitude: *lng,
            },
        )
        .await?;
        if i == 0 {
            account::assign_staff(&ctx.db, s.id, staff.id).await?;
        }
        // A realistic mix: mostly charged packs, a few still charging (one nearly done, so
        // the demo chargers make a pack available within a minute of the start).
        for n in 0..(8 + i * 2) {
            let charge = [100, 98, 95, 86, 100, 97, 64, 41, 99, 93, 75, 100][n % 12];
            let new = NewBattery {
                station_id: s.id,
                serial: format!("BS-{:02}-{:03}", s.id, n + 1),
                model: MODELS[(n + i) % MODELS.len()].into(),
                charge_percent: charge,
            };
            station::add_battery(ctx, &admin, new).await?;
        }
        let total = 8 + i as u32 * 2;
        station::history::backfill(&ctx.db, s.id, &past_weeks(total, i as u32)).await?;
    }
    Ok(true)
}

/// Four weeks of plausible history every 30 minutes, so the demo's station pages show a
/// "usually" line: packs run low in the morning and evening rush hours (UTC), a little
/// differently at each station.
fn past_weeks(total: u32, station: u32) -> Vec<(chrono::DateTime<chrono::Utc>, u32, u32)> {
    use chrono::{Duration, Timelike, Utc};
    let now = Utc::now();
    let start = now - Duration::weeks(4);
    (0..4 * 7 * 48)
        .map(|half_hours| {
            let at = start + Duration::minutes(30 * half_hours);
            let hour = (at.hour() + station) % 24;
            let rush = match hour {
                7..=9 | 17..=19 => 3,
                10..=16 => 1,
                _ => 0,
            };
            let available = total.saturating_sub(2 + rush * total / 5 + (half_hours as u32 % 3));
            (at, available, total)
        })
        .collect()
}
