//! Retrying a booking or a cancel under an idempotency key (`Idempotency-Key` header, or the
//! browser's `idempotency_key` field): the retry gets the first answer, never a second change
//! and never a refusal of its own change; a key is its user's, and names one request only.
use app::account::Role;
use battery_swap::Server;
use serde_json::Value;

use crate::support::*;

/// A POST to `/api/<name>` with an `Idempotency-Key` header.
async fn keyed(
    client: &reqwest::Client,
    s: &Server,
    name: &str,
    key: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let res = client
        .post(http(s, &format!("/api/{name}")))
        .header("idempotency-key", key)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn active_bookings(s: &Server) -> i64 {
    let sql = "SELECT COUNT(*) AS n FROM bookings WHERE status IN ('confirmed', 'ready')";
    let db = &ctx(s).db;
    use sea_orm::ConnectionTrait;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_booking_sent_again_gets_its_first_answer() {
    let s = server().await;
    let (a, b) = (station(&s, "Alpha").await, station(&s, "Beta").await);
    batteries(&s, a, 3, 100).await;
    batteries(&s, b, 3, 100).await;
    user(&s, "rider@example.com", Role::Rider).await;
    let rider = logged_in(&s, "rider@example.com").await;
    let at_a = a.to_string();
    let form = [("station_id", at_a.as_str())];

    let (status, first) = keyed(&rider, &s, "book_battery", "key-1", &form).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = keyed(&rider, &s, "book_battery", "key-1", &form).await;
    assert_eq!(
        (status, &again),
        (200, &first),
        "the first answer, not active_booking_exists"
    );
    assert_eq!(active_bookings(&s).await, 1);

    // The same key for another request is refused, not answered with the first.
    let at_b = b.to_string();
    let (status, body) = keyed(
        &rider,
        &s,
        "book_battery",
        "key-1",
        &[("station_id", at_b.as_str())],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (422, Some("key_reused")));

    // Without a key, a second booking is refused as ever.
    let (status, body) = api(&rider, &s, "book_battery", &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("active_booking_exists"))
    );

    // Cancelled meanwhile (by staff, say), the booking's retry still gets its first answer
    // and books nothing new.
    let id = first["id"].as_i64().unwrap().to_string();
    let (status, cancelled) = keyed(
        &rider,
        &s,
        "cancel_booking",
        "key-2",
        &[("booking_id", &id)],
    )
    .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
    let (status, again) = keyed(
        &rider,
        &s,
        "cancel_booking",
        "key-2",
        &[("booking_id", &id)],
    )
    .await;
    assert_eq!((status, &again), (200, &cancelled), "not booking_closed");
    let (status, again) = keyed(&rider, &s, "book_battery", "key-1", &form).await;
    assert_eq!((status, &again), (200, &first));
    assert_eq!(active_bookings(&s).await, 0, "no second booking");

    // The browser's forms send the key as a field.
    let (status, by_form) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", &at_b), ("idempotency_key", "form-1")],
    )
    .await;
    assert_eq!(status, 200, "{by_form}");
    let (status, again) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", &at_b), ("idempotency_key", "form-1")],
    )
    .await;
    assert_eq!((status, &again), (200, &by_form));
    assert_eq!(active_bookings(&s).await, 1);
}

#[tokio::test]
async fn a_key_is_its_users_own_and_well_formed() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await;
    for email in ["one@example.com", "two@example.com"] {
        user(&s, email, Role::Rider).await;
    }
    let (one, two) = (
        logged_in(&s, "one@example.com").await,
        logged_in(&s, "two@example.com").await,
    );
    let at_a = a.to_string();
    let form = [("station_id", at_a.as_str())];
    let (_, mine) = keyed(&one, &s, "book_battery", "shared", &form).await;
    let (status, theirs) = keyed(&two, &s, "book_battery", "shared", &form).await;
    assert_eq!(status, 200);
    assert_ne!(
        theirs["id"], mine["id"],
        "another user's key is another key"
    );
    assert_eq!(theirs["rider_id"], two_id(&s).await);
    assert_eq!(active_bookings(&s).await, 2);

    for bad in ["x".repeat(101), "with space".to_string(), "é".to_string()] {
        let (status, body) = api(
            &one,
            &s,
            "book_battery",
            &[("station_id", &at_a), ("idempotency_key", &bad)],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("validation")),
            "{bad:?}"
        );
    }
}

async fn two_id(s: &Server) -> Value {
    let user = app::account::ssr::find_by_email(&ctx(s).db, "two@example.com")
        .await
        .unwrap()
        .unwrap();
    Value::from(user.id)
}

/// The same keyed booking sent twice at once (a client that gave up waiting and sent again):
/// one booking, and both answers are it.
#[tokio::test]
async fn the_same_key_at_once_makes_one_booking() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 5, 100).await;
    user(&s, "rider@example.com", Role::Rider).await;
    let rider = logged_in(&s, "rider@example.com").await;
    let at_a = a.to_string();
    for round in 0..5 {
        let key = format!("at-once-{round}");
        let form = [("station_id", at_a.as_str())];
        let (x, y) = tokio::join!(
            keyed(&rider, &s, "book_battery", &key, &form),
            keyed(&rider, &s, "book_battery", &key, &form)
        );
        assert_eq!((x.0, y.0), (200, 200), "{} {}", x.1, y.1);
        assert_eq!(x.1["id"], y.1["id"]);
        assert_eq!(active_bookings(&s).await, 1);
        let id = x.1["id"].as_i64().unwrap().to_string();
        let cancel = format!("cancel-{round}");
        let form = [("booking_id", id.as_str())];
        let (x, y) = tokio::join!(
            keyed(&rider, &s, "cancel_booking", &cancel, &form),
            keyed(&rider, &s, "cancel_booking", &cancel, &form)
        );
        assert_eq!((x.0, y.0), (200, 200), "{} {}", x.1, y.1);
        assert_eq!(active_bookings(&s).await, 0);
    }
}
