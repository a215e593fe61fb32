//! The data the booking and page cases run on, made through the HTTP API as the demo admin
//! and as riders registering, the way the service gets its data: the demo's stations topped
//! up to `STATIONS` stations and `BATTERIES` packs, `AVAILABLE` of each new station's packs
//! charged, and `RIDERS` registered riders with their session cookies.
use futures::StreamExt;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Instant;

use crate::http::Conn;
use crate::server::admin_cookie;
use crate::stats::ms;

pub const STATIONS: usize = 100;
pub const BATTERIES: usize = 2000;
/// Charged packs per new station: fewer than the riders who will want one there.
pub const AVAILABLE: usize = 5;
pub const RIDERS: usize = 1000;
const PASSWORD: &str = "load-rider-password";

/// Every station's id and available packs, from `/api/list_stations`.
pub async fn stations(conn: &mut Conn, cookie: &str) -> Vec<(i32, i64, i64)> {
    let res = conn.post("list_stations", "", Some(cookie)).await;
    assert_eq!(res.status, 200, "list_stations: {}", res.body);
    let list: Vec<Value> = serde_json::from_str(&res.body).expect("station list");
    list.iter()
        .map(|s| {
            let counts = &s["counts"];
            (
                s["id"].as_i64().expect("id") as i32,
                counts["available"].as_i64().unwrap_or(0),
                counts["total"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

/// Tops the demo data up to `STATIONS` stations and `BATTERIES` packs; returns the admin's
/// session cookie.
pub async fn stations_and_packs(addr: SocketAddr) -> String {
    let started = Instant::now();
    let cookie = admin_cookie(addr).await;
    let mut conn = Conn::open(addr).await;
    let existing = stations(&mut conn, &cookie).await;
    let packs: i64 = existing.iter().map(|s| s.2).sum();
    let new = STATIONS.saturating_sub(existing.len());
    let per_station = (BATTERIES.saturating_sub(packs as usize)).div_ceil(new.max(1));
    let mut left = BATTERIES.saturating_sub(packs as usize);
    for i in 0..new {
        let form = format!(
            "name=Load+Station+{i:03}&address=1+Load+Street&latitude={}&longitude={}",
            52.5 + i as f64 * 0.001,
            13.4 + i as f64 * 0.001
        );
        let res = conn.post("create_station", &form, Some(&cookie)).await;
        assert_eq!(res.status, 200, "create_station: {}", res.body);
        let station: Value = serde_json::from_str(&res.body).expect("station");
        let id = station["id"].as_i64().expect("id");
        for j in 0..per_station.min(left) {
            let charge = if j < AVAILABLE { 95 } else { 40 };
            let form = format!(
                "station_id={id}&serial=LOAD-{id}-{j}&model=Load+Pack+{}&charge_percent={charge}",
                j % 3
            );
            let res = conn.post("add_battery", &form, Some(&cookie)).await;
            assert_eq!(res.status, 200, "add_battery: {}", res.body);
            left -= 1;
        }
    }
    let now = stations(&mut conn, &cookie).await;
    println!(
        "data: {} stations, {} packs ({} available) in {}",
        now.len(),
        now.iter().map(|s| s.2).sum::<i64>(),
        now.iter().map(|s| s.1).sum::<i64>(),
        ms(started.elapsed())
    );
    cookie
}

/// Registers `RIDERS` riders (each a password hash on the server), a few at a time; returns
/// their session cookies.
pub async fn riders(addr: SocketAddr, tag: &str) -> Vec<String> {
    let started = Instant::now();
    let cookies = register(addr, tag, RIDERS).await;
    println!(
        "riders: {} registered in {} (one password hash each)",
        cookies.len(),
        ms(started.elapsed())
    );
    cookies
}

/// Registers `count` riders tagged `tag`; returns their session cookies.
pub async fn register(addr: SocketAddr, tag: &str, count: usize) -> Vec<String> {
    futures::stream::iter(0..count)
        .map(|i| async move {
            let mut conn = Conn::open(addr).await;
            let form = format!("email=rider{i}-{tag}%40load.test&password={PASSWORD}");
            let res = conn.post("register", &form, None).await;
            assert_eq!(res.status, 200, "register: {}", res.body);
            res.cookies
                .into_iter()
                .find(|c| c.starts_with("bs_session="))
                .expect("session cookie")
        })
        .buffer_unordered(8)
        .collect()
        .await
}
