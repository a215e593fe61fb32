//! Stored enums are typed: a value the code does not know is an error, never a guess.
//! (Before, an unknown booking status read as `cancelled` and an unknown battery state as
//! `maintenance`, so a bad row silently changed what riders and staff saw.)
use crate::support::*;
use app::account::Role;
use app::booking::ssr as booking;
use app::error::AppError;
use app::station::ssr as station;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn an_unknown_stored_value_is_an_error_not_a_guess() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let rider = user(&s, "r@a.test", Role::Rider).await;
    let made = booking::book(ctx(&s), &rider, a).await.unwrap();
    let db = &ctx(&s).db;

    let bad_booking = format!(
        "UPDATE bookings SET status = 'misplaced' WHERE id = {}",
        made.id
    );
    db.execute_unprepared(&bad_booking).await.unwrap();
    assert_eq!(
        booking::for_rider(db, rider.id).await.unwrap_err(),
        AppError::Internal
    );

    db.execute_unprepared("UPDATE batteries SET state = 'lost' WHERE state = 'available'")
        .await
        .unwrap();
    assert_eq!(
        station::detail(db, &ctx(&s).rules, a).await.unwrap_err(),
        AppError::Internal
    );
    assert_eq!(station::list(db).await.unwrap_err(), AppError::Internal);

    // Over HTTP the page's data call fails plainly (500), instead of showing a guessed state.
    let res = browser()
        .post(http(&s, "/api/get_station"))
        .form(&[("station_id", a.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
}
