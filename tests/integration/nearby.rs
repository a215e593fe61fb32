//! Near me (#31): `/api/nearby` orders the open stations by distance from a point, with an
//! estimated riding time; with a model, only the online stations holding a charged pack of it
//! now; bad points and limits are refused. The directory sorts by `?near=` without JavaScript.
use app::account::Role;
use app::booking::ssr as booking;
use app::station::StationStatus;
use app::station::ssr as station;

use battery_swap::Server;

use crate::support::*;

const GOGORO: &str = "Gogoro Smartscooter Pack";
const NIU: &str = "NIU Li-ion 60V 35Ah";

/// A station at `(lat, lon)`.
async fn station_at(s: &Server, name: &str, lat: f64, lon: f64) -> i32 {
    let new = station::NewStation {
        name: name.into(),
        address: format!("{name} Street 1"),
        latitude: lat,
        longitude: lon,
    };
    station::create(&ctx(s).db, new).await.expect("station").id
}

async fn nearby(s: &Server, query: &str) -> (u16, serde_json::Value) {
    let res = browser()
        .get(http(s, &format!("/api/nearby?{query}")))
        .send()
        .await
        .expect("nearby");
    let status = res.status().as_u16();
    (status, res.json().await.expect("JSON"))
}

fn names(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|s| s["station"]["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test]
async fn stations_come_nearest_first_with_distance_and_ride_time() {
    let s = server().await;
    // Along a meridian from (52.5, 13.4): 0.01° of latitude is 1.11 km.
    let far = station_at(&s, "Far", 52.55, 13.4).await;
    let near = station_at(&s, "Near", 52.501, 13.4).await;
    let mid = station_at(&s, "Mid", 52.48, 13.4).await;
    packs(&s, far, GOGORO, 1, 100).await;
    packs(&s, mid, NIU, 1, 100).await;
    packs(&s, near, NIU, 1, 100).await;

    let (status, list) = nearby(&s, "lat=52.5&lon=13.4").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(names(&list), ["Near", "Mid", "Far"]);
    assert_eq!(list[0]["distance_m"], 111);
    assert_eq!(list[0]["ride_minutes"], 1);
    assert_eq!(list[2]["distance_m"], 5560);
    assert_eq!(list[2]["ride_minutes"], 19, "5.56 km at 18 km/h");
    assert_eq!(
        list[1]["station"]["counts"]["available"], 1,
        "live counts come along"
    );

    let (_, two) = nearby(&s, "lat=52.5&lon=13.4&limit=2").await;
    assert_eq!(names(&two), ["Near", "Mid"]);

    // Only the stations with a charged pack of the model now, nearest first.
    let (_, gogoro) = nearby(
        &s,
        &format!("lat=52.5&lon=13.4&model={}", urlencode(GOGORO)),
    )
    .await;
    assert_eq!(names(&gogoro), ["Far"]);
    let (_, niu) = nearby(&s, &format!("lat=52.5&lon=13.4&model={}", urlencode(NIU))).await;
    assert_eq!(names(&niu), ["Near", "Mid"]);

    // The last NIU pack at Near is booked: Near leaves the model's answer at once.
    let rider = user(&s, "r@near.test", Role::Rider).await;
    booking::book_model(ctx(&s), &rider, near, NIU, None)
        .await
        .expect("booked");
    let (_, niu) = nearby(&s, &format!("lat=52.5&lon=13.4&model={}", urlencode(NIU))).await;
    assert_eq!(names(&niu), ["Mid"]);

    // Offline stations take no bookings: not in a model's answer, still in the plain one.
    let admin = user(&s, "admin@near.test", Role::Admin).await;
    station::set_status(ctx(&s), &admin, mid, StationStatus::Offline, "")
        .await
        .expect("offline");
    let (_, niu) = nearby(&s, &format!("lat=52.5&lon=13.4&model={}", urlencode(NIU))).await;
    assert!(names(&niu).is_empty(), "{niu}");
    // A closed station is in neither.
    station::admin_close(ctx(&s), &admin, mid)
        .await
        .expect("closed");
    let (_, all) = nearby(&s, "lat=52.5&lon=13.4").await;
    assert_eq!(names(&all), ["Near", "Far"]);
}

#[tokio::test]
async fn bad_points_and_limits_are_refused_clearly() {
    let s = server().await;
    station_at(&s, "Only", 52.5, 13.4).await;
    for query in [
        "lat=91&lon=0",
        "lat=0&lon=-181",
        "lat=NaN&lon=0",
        "lat=1&lon=2&limit=0",
        "lat=1&lon=2&limit=51",
    ] {
        let (status, body) = nearby(&s, query).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &"validation".into()),
            "{query}: {body}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
    let (status, _) = nearby(&s, "lat=north&lon=2").await;
    assert_eq!(status, 400);
    let (status, _) = nearby(&s, "lon=2").await;
    assert_eq!(status, 400, "lat is required");
    let long = "x".repeat(121);
    let (status, _) = nearby(&s, &format!("lat=1&lon=2&model={long}")).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_directory_sorts_by_a_place_without_javascript() {
    let s = server().await;
    station_at(&s, "Alpha", 52.55, 13.4).await;
    station_at(&s, "Bravo", 52.501, 13.4).await;
    station_at(&s, "Charlie", 52.6, 13.4).await;
    let page = |q: &str| {
        let url = http(&s, &format!("/?{q}"));
        async move {
            browser()
                .get(url)
                .send()
                .await
                .expect("page")
                .text()
                .await
                .expect("html")
        }
    };
    let order = |html: &str| -> Vec<String> {
        ["Alpha", "Bravo", "Charlie"]
            .iter()
            .map(|n| (html.find(&format!(">{n}</a>")).expect(n), n.to_string()))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect()
    };
    assert_eq!(
        order(&page("").await),
        ["Alpha", "Bravo", "Charlie"],
        "name order"
    );
    let by_point = page("near=52.5%2C+13.4").await;
    assert_eq!(order(&by_point), ["Bravo", "Alpha", "Charlie"]);
    assert!(by_point.contains("110 m"), "distances are shown");
    // A place riders know by its station: Charlie's street.
    let by_place = page("near=charlie+street").await;
    assert_eq!(order(&by_place), ["Charlie", "Alpha", "Bravo"]);
    assert!(by_place.contains("Nearest first from Charlie"));
    let unknown = page("near=Atlantis").await;
    assert_eq!(order(&unknown), ["Alpha", "Bravo", "Charlie"]);
    assert!(unknown.contains("No station or street matches that place"));
}

fn urlencode(s: &str) -> String {
    s.replace(' ', "+")
}

#[tokio::test]
async fn a_station_that_cannot_serve_the_rider_offers_the_nearest_that_can() {
    let s = server().await;
    let here = station_at(&s, "Here", 52.5, 13.4).await;
    let near = station_at(&s, "Near", 52.51, 13.4).await;
    let far = station_at(&s, "Far", 52.6, 13.4).await;
    packs(&s, here, NIU, 1, 100).await;
    packs(&s, near, NIU, 1, 100).await;
    packs(&s, far, NIU, 1, 100).await;
    user(&s, "r@alt.test", Role::Rider).await;
    let rider = logged_in(&s, "r@alt.test").await;
    let (status, _) = api(&rider, &s, "set_pack_model", &[("model", NIU)]).await;
    assert_eq!(status, 200);
    let page = |id: i32| {
        let (rider, url) = (rider.clone(), http(&s, &format!("/stations/{id}")));
        async move {
            rider
                .get(url)
                .send()
                .await
                .expect("page")
                .text()
                .await
                .expect("html")
        }
    };
    let heading = format!("Nearest with a charged {NIU}");
    assert!(
        !page(here).await.contains(&heading),
        "it serves: nothing offered"
    );

    // Offline, it still holds the pack but takes no booking: the nearest that can, nearest first.
    let admin = user(&s, "admin@alt.test", Role::Admin).await;
    station::set_status(ctx(&s), &admin, here, StationStatus::Offline, "")
        .await
        .expect("offline");
    let html = page(here).await;
    assert!(html.contains(&heading), "offered when offline");
    let (n, f) = (
        html.find(">Near</a>").expect("Near"),
        html.find(">Far</a>").expect("Far"),
    );
    assert!(n < f, "nearest first");
}
