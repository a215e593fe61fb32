//! Only staff check packs in: a rider cannot close their own booking or invent inventory, and
//! staff lists do not carry the codes that prove a rider was at the counter.
use crate::support::*;
use app::account::Role;
use app::battery::BatteryState;

#[tokio::test]
async fn a_rider_cannot_collect_their_own_booking_or_invent_a_returned_pack() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    user(&s, "rider@a.test", Role::Rider).await;
    let rider = logged_in(&s, "rider@a.test").await;
    let (status, booking) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", &a.to_string())],
    )
    .await;
    assert_eq!(status, 200, "{booking}");
    let id = booking["id"].to_string();
    let code = booking["collection_code"]
        .as_str()
        .expect("the rider sees their code")
        .to_string();

    // The book → collect → fake return loop that swapped real packs for invented ones.
    let (status, body) = api(
        &rider,
        &s,
        "collect_booking",
        &[
            ("booking_id", id.as_str()),
            ("code", code.as_str()),
            ("returned_serial", "FAKE-0001"),
            ("returned_model", "Invented Pack"),
            ("returned_charge", "100"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let (status, body) = api(
        &rider,
        &s,
        "collect_booking",
        &[("booking_id", &id), ("code", &code)],
    )
    .await;
    assert_eq!(status, 403, "not even without a returned pack: {body}");

    // Nothing changed: the booking still holds its pack, no pack was invented.
    let (_, mine) = api(&rider, &s, "my_bookings", &[]).await;
    assert_eq!(mine[0]["status"], "confirmed");
    let packs = app::battery::ssr::at_station(&ctx(&s).db, a).await.unwrap();
    assert_eq!(packs.len(), 2);
    assert!(packs.iter().all(|p| p.serial != "FAKE-0001"));
    assert_eq!(
        packs
            .iter()
            .filter(|p| p.state == BatteryState::Booked)
            .count(),
        1
    );
}

#[tokio::test]
async fn staff_lists_do_not_carry_collection_codes() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    staff_of(&s, "staff@a.test", a).await;
    user(&s, "rider@a.test", Role::Rider).await;
    let rider = logged_in(&s, "rider@a.test").await;
    let (_, booking) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", &a.to_string())],
    )
    .await;
    let code = booking["collection_code"].as_str().unwrap().to_string();

    let staff = logged_in(&s, "staff@a.test").await;
    let (status, queue) = api(
        &staff,
        &s,
        "station_queue",
        &[("station_id", &a.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert!(
        !queue.to_string().contains(&code),
        "the queue leaks the code: {queue}"
    );
    let id = booking["id"].to_string();
    let (_, ready) = api(&staff, &s, "mark_ready", &[("booking_id", &id)]).await;
    assert!(
        !ready.to_string().contains(&code),
        "marking ready leaks the code: {ready}"
    );

    // The code the rider shows is what lets staff hand the pack over.
    let (status, done) = api(
        &staff,
        &s,
        "collect_booking",
        &[("booking_id", &id), ("code", &code)],
    )
    .await;
    assert_eq!((status, done["status"].as_str()), (200, Some("collected")));
}

#[tokio::test]
async fn a_refused_check_in_does_not_say_where_a_pack_is() {
    let s = server().await;
    let a = station(&s, "Alpha Secret Depot").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 1, 100).await;
    batteries(&s, b, 1, 100).await;
    let staff_b = staff_of(&s, "staff@b.test", b).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let at_a = app::battery::ssr::at_station(&ctx(&s).db, a).await.unwrap()[0]
        .serial
        .clone();
    let made = app::booking::ssr::book(ctx(&s), &rider, b).await.unwrap();
    let code = made.collection_code.clone().unwrap();
    let returned = app::booking::ssr::ReturnedPack {
        serial: at_a.clone(),
        model: String::new(),
        charge_percent: 50,
    };
    let err = app::booking::ssr::collect(ctx(&s), &staff_b, made.id, &code, Some(returned))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.status(), 400, "{text}");
    assert!(text.contains(&at_a), "names the serial it refuses: {text}");
    for leak in ["Alpha", "Depot", "station", "available"] {
        assert!(!text.contains(leak), "{text} reveals {leak:?}");
    }
}
