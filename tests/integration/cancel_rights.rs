//! Who may cancel a booking: its rider, the station's staff, an admin. The rule is a condition
//! of the cancelling write, so every refusal must leave the booking as it was and say why.
use app::account::{CurrentUser, Role};
use app::booking::BookingStatus;
use app::booking::ssr as booking;
use app::error::AppError;

use crate::in_process::domain;
use crate::support::*;

#[tokio::test]
async fn only_the_rider_the_stations_staff_and_admins_cancel() {
    let s = domain().await;
    let (here, there) = (station(&s, "Here").await, station(&s, "There").await);
    batteries(&s, here, 4, 100).await;
    let rider = user(&s, "mine@example.com", Role::Rider).await;
    let other_rider = user(&s, "other@example.com", Role::Rider).await;
    let staff_there = staff_of(&s, "there@example.com", there).await;
    // A rider who was staff here once: a leftover assignment grants nothing.
    let demoted = CurrentUser {
        role: Role::Rider,
        stations: vec![here],
        ..user(&s, "demoted@example.com", Role::Rider).await
    };
    let b = booking::book(ctx(&s), &rider, here).await.unwrap();
    for stranger in [&other_rider, &staff_there, &demoted] {
        assert_eq!(
            booking::cancel(ctx(&s), stranger, b.id, "")
                .await
                .unwrap_err(),
            AppError::NotYours,
            "{} may not cancel",
            stranger.email
        );
    }
    assert_eq!(
        booking::cancel(ctx(&s), &rider, b.id + 1000, "")
            .await
            .unwrap_err(),
        AppError::not_found("Booking")
    );
    let mine = booking::for_rider(&ctx(&s).db, rider.id).await.unwrap();
    assert_eq!(
        mine[0].status,
        BookingStatus::Confirmed,
        "refusals changed nothing"
    );

    let done = booking::cancel(ctx(&s), &rider, b.id, "").await.unwrap();
    assert_eq!(done.status, BookingStatus::Cancelled);
    assert_eq!(
        booking::cancel(ctx(&s), &rider, b.id, "")
            .await
            .unwrap_err(),
        AppError::BookingClosed("cancelled".into()),
        "a closed booking of one's own says so"
    );
    assert_eq!(
        booking::cancel(ctx(&s), &other_rider, b.id, "")
            .await
            .unwrap_err(),
        AppError::NotYours,
        "and a stranger learns nothing of it"
    );

    let staff_here = staff_of(&s, "here@example.com", here).await;
    let admin = user(&s, "boss@example.com", Role::Admin).await;
    for canceller in [&staff_here, &admin] {
        let b = booking::book(ctx(&s), &other_rider, here).await.unwrap();
        let done = booking::cancel(ctx(&s), canceller, b.id, "at the counter").await;
        assert_eq!(done.unwrap().status, BookingStatus::Cancelled);
    }
}
