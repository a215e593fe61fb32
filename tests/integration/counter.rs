//! The counter (issue #35): the rider's code, scanned or typed, names the booking to hand over
//! among the station's active ones; the code as a QR code for its rider only; pack labels for
//! the station's staff. Over HTTP, as the console calls them.
use app::account::Role;
use app::booking::ssr as booking;
use serde_json::Value;

use crate::support::*;

fn code_of(b: &app::booking::BookingView) -> String {
    b.collection_code.clone().expect("the rider sees the code")
}

#[tokio::test]
async fn the_code_names_the_booking_to_hand_over_and_the_returned_pack_is_checked_in() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await;
    staff_of(&s, "staff@a.test", a).await;
    let first = user(&s, "first@a.test", Role::Rider).await;
    let second = user(&s, "second@a.test", Role::Rider).await;
    let waiting = booking::book(ctx(&s), &first, a).await.unwrap();
    let mine = booking::book(ctx(&s), &second, a).await.unwrap();
    let staff = logged_in(&s, "staff@a.test").await;
    let a_s = a.to_string();
    // Typed in lower case at the counter, with a new pack handed back whose label a hand-held
    // scanner typed whole.
    let code = code_of(&mine).to_lowercase();
    let form = [
        ("station_id", a_s.as_str()),
        ("code", code.as_str()),
        ("returned_serial", "BSWAP:PACK:RET-COUNTER-1"),
        ("returned_model", MODEL),
        ("returned_charge", "40"),
    ];
    let (status, body) = api(&staff, &s, "collect_at_counter", &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], mine.id);
    assert_eq!(body["status"], "collected");
    assert_eq!(
        body["collection_code"],
        Value::Null,
        "staff never see a code"
    );
    // The other rider's booking is untouched; the returned pack is at the station, charging.
    let (_, queue) = api(&staff, &s, "station_queue", &[("station_id", &a_s)]).await;
    let ids: Vec<i64> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [i64::from(waiting.id)]);
    let counts = app::station::ssr::counts(&ctx(&s).db, a).await.unwrap();
    assert_eq!((counts.booked, counts.charging, counts.total), (1, 1, 3));
    let (_, station) = api(&staff, &s, "get_station", &[("station_id", &a_s)]).await;
    assert!(
        station["batteries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["serial"] == "RET-COUNTER-1"),
        "the label's prefix is not part of the serial: {station}"
    );
    // Sent again (a second tap, a lost answer): the booking is said to be collected, not the
    // rider's code to be wrong.
    let (status, body) = api(&staff, &s, "collect_at_counter", &form[..2]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("booking_closed")),
        "{body}"
    );
    // The other rider's code as a hand-held scanner types it.
    let whole = format!("BSWAP:CODE:{}", code_of(&waiting));
    let (status, body) = api(
        &staff,
        &s,
        "collect_at_counter",
        &[("station_id", &a_s), ("code", &whole)],
    )
    .await;
    assert_eq!(
        (status, &body["id"]),
        (200, &Value::from(waiting.id)),
        "{body}"
    );
}

#[tokio::test]
async fn the_counter_refuses_others_and_codes_of_other_stations() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 1, 100).await;
    batteries(&s, b, 1, 100).await;
    staff_of(&s, "staff-a@a.test", a).await;
    staff_of(&s, "staff-b@a.test", b).await;
    let rider_u = user(&s, "rider@a.test", Role::Rider).await;
    let other_u = user(&s, "other@a.test", Role::Rider).await;
    let at_a = booking::book(ctx(&s), &rider_u, a).await.unwrap();
    let at_b = booking::book(ctx(&s), &other_u, b).await.unwrap();
    let (a_s, b_s) = (a.to_string(), b.to_string());
    let (code_a, code_b) = (code_of(&at_a), code_of(&at_b));
    let staff_a = logged_in(&s, "staff-a@a.test").await;
    let staff_b = logged_in(&s, "staff-b@a.test").await;
    let rider = logged_in(&s, "rider@a.test").await;
    let call = |client: &reqwest::Client, station: &str, code: &str| {
        let form = vec![
            ("station_id".to_string(), station.to_string()),
            ("code".to_string(), code.to_string()),
        ];
        let client = client.clone();
        let url = http(&s, "/api/collect_at_counter");
        async move {
            let res = client.post(url).form(&form).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Staff of B at A's counter: refused before the code is looked at, right or wrong.
    for code in [code_a.as_str(), "ZZZZZZ"] {
        let (status, body) = call(&staff_b, &a_s, code).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "forbidden");
    }
    // A's staff with B's rider's code: no booking of A has it.
    let (status, body) = call(&staff_a, &a_s, &code_b).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("wrong_code")));
    // Staff of A naming B: refused.
    let (status, _) = call(&staff_a, &b_s, &code_b).await;
    assert_eq!(status, 403);
    // A rider cannot hand a pack over, even their own; nobody signed out can.
    let (status, _) = call(&rider, &a_s, &code_a).await;
    assert_eq!(status, 403);
    let (status, _) = call(&browser(), &a_s, &code_a).await;
    assert_eq!(status, 401);
    // Codes that cannot be codes are refused before any query: no 500 for a NUL byte.
    for junk in ["K7MX2\0", "", "'; --", &"Q".repeat(500)] {
        let (status, body) = call(&staff_a, &a_s, junk).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("wrong_code")),
            "{junk:?}: {body}"
        );
    }
    // A returned pack the counter got wrong: a plain 400, and nothing is handed over.
    let bad = [
        ("station_id", a_s.as_str()),
        ("code", code_a.as_str()),
        ("returned_serial", "RET-2"),
        ("returned_charge", "150"),
    ];
    let (status, body) = api(&staff_a, &s, "collect_at_counter", &bad).await;
    assert_eq!(status, 400, "{body}");
    for (station, booking) in [(a, &at_a), (b, &at_b)] {
        let queue = booking::queue(&ctx(&s).db, station).await.unwrap();
        assert_eq!(queue.len(), 1, "station {station} still holds its booking");
        assert_eq!(queue[0].id, booking.id);
    }
}

#[tokio::test]
async fn the_code_is_drawn_as_a_qr_code_for_its_rider_only() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 100).await;
    staff_of(&s, "staff@a.test", a).await;
    let rider_u = user(&s, "rider@a.test", Role::Rider).await;
    let b = booking::book(ctx(&s), &rider_u, a).await.unwrap();
    let code = code_of(&b);
    let rider = logged_in(&s, "rider@a.test").await;
    let (status, list) = api(&rider, &s, "my_bookings", &[]).await;
    assert_eq!(status, 200, "{list}");
    let qr = list[0]["collection_qr"]
        .as_str()
        .expect("an active booking's QR code");
    assert!(
        qr.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{qr}"
    );
    assert!(qr.contains(&format!(
        "aria-label=\"Collection code {code} as a QR code\""
    )));
    // Staff see neither the code nor its picture.
    let staff = logged_in(&s, "staff@a.test").await;
    let (_, queue) = api(
        &staff,
        &s,
        "station_queue",
        &[("station_id", &a.to_string())],
    )
    .await;
    assert_eq!(queue[0]["collection_code"], Value::Null);
    assert!(queue[0].get("collection_qr").is_none(), "{queue}");
    // Once the booking has ended there is nothing to show at a counter.
    booking::cancel(ctx(&s), &rider_u, b.id, "").await.unwrap();
    let (_, list) = api(&rider, &s, "my_bookings", &[]).await;
    assert!(list[0].get("collection_qr").is_none(), "{list}");
}

#[tokio::test]
async fn pack_labels_are_for_the_stations_staff() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 3, 100).await;
    staff_of(&s, "staff-a@a.test", a).await;
    staff_of(&s, "staff-b@a.test", b).await;
    user(&s, "rider@a.test", Role::Rider).await;
    let a_s = a.to_string();
    let staff_a = logged_in(&s, "staff-a@a.test").await;
    let (status, labels) = api(&staff_a, &s, "pack_labels", &[("station_id", &a_s)]).await;
    assert_eq!(status, 200, "{labels}");
    let labels = labels.as_array().unwrap();
    let serials: Vec<&str> = labels
        .iter()
        .map(|l| l["serial"].as_str().unwrap())
        .collect();
    let mut sorted = serials.clone();
    sorted.sort();
    assert_eq!((serials.len(), &serials), (3, &sorted));
    for l in labels {
        assert_eq!(l["model"], MODEL);
        let svg = l["qr_svg"].as_str().unwrap();
        assert!(svg.contains(&format!(
            "aria-label=\"Pack {} as a QR code\"",
            l["serial"].as_str().unwrap()
        )));
    }
    let page = staff_a
        .get(http(&s, &format!("/console/{a}/labels")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert_eq!(html.matches(" class=\"label\"").count(), 3, "{html}");
    assert!(html.contains("/staff.css"));
    for who in ["staff-b@a.test", "rider@a.test"] {
        let client = logged_in(&s, who).await;
        let (status, _) = api(&client, &s, "pack_labels", &[("station_id", &a_s)]).await;
        assert_eq!(status, 403, "{who}");
        let page = client
            .get(http(&s, &format!("/console/{a}/labels")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403, "{who}");
    }
}
