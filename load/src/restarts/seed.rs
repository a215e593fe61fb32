//! The run's riders (registered through nginx), the stations they book at, and the feeds the
//! subscribers watch.
use futures::StreamExt;
use serde_json::Value;

use super::tls::Front;
use crate::http::Conn;

const PASSWORD: &str = "restarts-rider-password";

/// Registers `count` riders named `<tag>-<n>@load.test`; returns their session cookies.
pub async fn riders(front: &Front, tag: &str, count: usize) -> Vec<String> {
    futures::stream::iter(0..count)
        .map(|n| async move {
            let stream = front.connect().await.expect("connect to nginx");
            let mut conn = Conn::over(stream, front.host.clone());
            let form = format!("email={tag}-{n}%40load.test&password={PASSWORD}");
            let res = conn.post("register", &form, None).await;
            assert_eq!(res.status, 200, "register: {}", res.body);
            // `__Host-bs_session` behind https.
            res.cookies
                .into_iter()
                .find(|c| c.contains("bs_session="))
                .expect("a session cookie")
        })
        .buffered(4)
        .collect()
        .await
}

/// The ids of the stations taking bookings.
pub async fn online_stations(front: &Front, cookie: &str) -> Vec<i32> {
    let stream = front.connect().await.expect("connect to nginx");
    let mut conn = Conn::over(stream, front.host.clone());
    let res = conn.post("list_stations", "", Some(cookie)).await;
    assert_eq!(res.status, 200, "list_stations: {}", res.body);
    let list: Vec<Value> = serde_json::from_str(&res.body).expect("a station list");
    let online: Vec<i32> = list
        .iter()
        .filter(|s| s["status"] == "online")
        .filter_map(|s| s["id"].as_i64())
        .map(|id| id as i32)
        .collect();
    assert!(!online.is_empty(), "a station online");
    online
}

/// `count` feeds: a tenth on the all-stations feed, the rest spread over the stations' own.
pub fn feeds(stations: &[i32], count: usize) -> Vec<String> {
    (0..count)
        .map(|n| match n % 10 {
            0 => "/ws/stations/".to_string(),
            _ => format!("/ws/stations/{}/", stations[n % stations.len()]),
        })
        .collect()
}
