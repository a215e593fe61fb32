//! Every domain operation and its refusals, on a real database.
use app::account::Role;
use app::battery::ssr::NewBattery;
use app::booking::BookingStatus;
use app::booking::ssr as booking;
use app::error::AppError;
use app::station::StationStatus;
use app::station::ssr as station;
use app::station::ssr::add_battery as add;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::in_process::domain;
use crate::support::*;

/// Counts must equal the battery rows, whatever happened.
async fn assert_counts_match_rows(server: &impl HasCtx, station_id: i32) {
    use app::battery::ssr::entity::{Column, Entity};
    let db = &ctx(server).db;
    let count = |state: &'static str| {
        Entity::find()
            .filter(Column::StationId.eq(station_id))
            .filter(Column::State.eq(state))
            .count(db)
    };
    let (available, booked) = (
        count("available").await.unwrap(),
        count("booked").await.unwrap(),
    );
    let c = station::counts(db, station_id).await.unwrap();
    assert_eq!(
        (u64::from(c.available), u64::from(c.booked)),
        (available, booked)
    );
}

#[tokio::test]
async fn lists_stations_with_counts_and_detail() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 3, 100).await;
    batteries(&s, a, 2, 50).await;
    let list = station::list(&ctx(&s).db).await.unwrap();
    assert_eq!(
        list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["Alpha", "Beta"]
    );
    let alpha = &list[0].counts;
    assert_eq!(
        (alpha.available, alpha.charging, alpha.booked, alpha.total),
        (3, 2, 0, 5)
    );
    assert_eq!(list[1].counts.total, 0);
    let detail = station::detail(&ctx(&s).db, &ctx(&s).rules, a)
        .await
        .unwrap();
    assert_eq!(detail.batteries.len(), 5);
    assert!(detail.batteries[0].charge_percent >= detail.batteries[4].charge_percent);
    assert_eq!(
        station::detail(&ctx(&s).db, &ctx(&s).rules, b + 100)
            .await
            .unwrap_err(),
        AppError::not_found("Station")
    );
}

#[tokio::test]
async fn add_battery_validates_and_authorises() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let new = |serial: &str, charge| NewBattery {
        station_id: a,
        serial: serial.into(),
        model: "Pack".into(),
        charge_percent: charge,
    };
    let ok = add(ctx(&s), &staff, new("SN-1", 95)).await.unwrap();
    assert_eq!(ok.state, app::battery::BatteryState::Available);
    let low = add(ctx(&s), &staff, new("SN-2", 40)).await.unwrap();
    assert_eq!(
        low.state,
        app::battery::BatteryState::Charging,
        "below the threshold is charging"
    );
    assert_eq!(
        add(ctx(&s), &staff, new("SN-1", 95)).await.unwrap_err(),
        AppError::DuplicateSerial
    );
    assert!(matches!(
        add(ctx(&s), &staff, new("", 95)).await.unwrap_err(),
        AppError::Validation(_)
    ));
    assert!(matches!(
        add(ctx(&s), &staff, new("SN-3", 101)).await.unwrap_err(),
        AppError::Validation(_)
    ));
    assert_eq!(
        add(ctx(&s), &rider, new("SN-4", 95)).await.unwrap_err(),
        AppError::Forbidden
    );
    let other = NewBattery {
        station_id: b,
        serial: "SN-5".into(),
        model: "Pack".into(),
        charge_percent: 95,
    };
    assert_eq!(
        add(ctx(&s), &staff, other).await.unwrap_err(),
        AppError::Forbidden,
        "staff of A cannot touch B"
    );
    assert_counts_match_rows(&s, a).await;
}

#[tokio::test]
async fn booking_lifecycle_and_refusals() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 100).await;
    batteries(&s, a, 1, 60).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let other = user(&s, "other@a.test", Role::Rider).await;

    let b = booking::book(ctx(&s), &rider, a).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.collection_code.as_deref().unwrap().len(), 6);
    assert_counts_match_rows(&s, a).await;
    assert_eq!(
        booking::book(ctx(&s), &rider, a).await.unwrap_err(),
        AppError::NoneAvailable,
        "only a charged pack is bookable"
    );
    assert_eq!(
        booking::book(ctx(&s), &other, a).await.unwrap_err(),
        AppError::NoneAvailable
    );
    assert_eq!(
        booking::book(ctx(&s), &rider, a + 99).await.unwrap_err(),
        AppError::not_found("Station")
    );

    assert_eq!(
        booking::mark_ready(ctx(&s), &rider, b.id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        booking::mark_ready(ctx(&s), &staff, b.id)
            .await
            .unwrap()
            .status,
        BookingStatus::Ready
    );
    assert_eq!(
        booking::mark_ready(ctx(&s), &staff, b.id)
            .await
            .unwrap_err(),
        AppError::BookingClosed("ready".into())
    );
    assert_eq!(
        booking::collect(
            ctx(&s),
            &other,
            b.id,
            b.collection_code.as_deref().unwrap(),
            None
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        booking::cancel(ctx(&s), &other, b.id, "")
            .await
            .unwrap_err(),
        AppError::NotYours
    );
    assert_eq!(
        booking::collect(ctx(&s), &staff, b.id, "WRONG1", None)
            .await
            .unwrap_err(),
        AppError::WrongCode
    );
    let done = booking::collect(
        ctx(&s),
        &staff,
        b.id,
        &b.collection_code.as_deref().unwrap().to_lowercase(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(done.status, BookingStatus::Collected);
    assert_eq!(
        booking::cancel(ctx(&s), &rider, b.id, "")
            .await
            .unwrap_err(),
        AppError::BookingClosed("collected".into())
    );
    let c = station::counts(&ctx(&s).db, a).await.unwrap();
    assert_eq!(
        (c.available, c.booked, c.total),
        (0, 0, 1),
        "the collected pack left the station"
    );
    assert_counts_match_rows(&s, a).await;
}

#[tokio::test]
async fn one_active_booking_per_rider_and_cancel_releases() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let first = booking::book(ctx(&s), &rider, a).await.unwrap();
    assert_eq!(
        booking::book(ctx(&s), &rider, a).await.unwrap_err(),
        AppError::ActiveBookingExists
    );
    let c = station::counts(&ctx(&s).db, a).await.unwrap();
    assert_eq!(
        (c.available, c.booked),
        (2, 1),
        "the refused booking released its battery"
    );
    let cancelled = booking::cancel(ctx(&s), &rider, first.id, "changed my mind")
        .await
        .unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    let c = station::counts(&ctx(&s).db, a).await.unwrap();
    assert_eq!((c.available, c.booked), (3, 0));
    booking::book(ctx(&s), &rider, a)
        .await
        .expect("can book again after cancelling");
    assert_counts_match_rows(&s, a).await;
}

#[tokio::test]
async fn station_status_gates_booking() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 2, 100).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    assert_eq!(
        station::set_status(ctx(&s), &rider, a, StationStatus::Offline, "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        station::set_status(ctx(&s), &staff, b, StationStatus::Offline, "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let st = station::set_status(
        ctx(&s),
        &staff,
        a,
        StationStatus::Maintenance,
        "Pump repair",
    )
    .await
    .unwrap();
    assert_eq!(
        (st.status, st.status_message.as_str()),
        (StationStatus::Maintenance, "Pump repair")
    );
    assert_eq!(
        booking::book(ctx(&s), &rider, a).await.unwrap_err(),
        AppError::StationNotOnline("maintenance".into())
    );
    station::set_status(ctx(&s), &staff, a, StationStatus::Online, "")
        .await
        .unwrap();
    booking::book(ctx(&s), &rider, a)
        .await
        .expect("online again");
}

#[tokio::test]
async fn expired_bookings_release_their_battery() {
    let mut cfg = config().await;
    cfg.booking.hold_minutes = 0;
    cfg.booking.hold_reminder_minutes = 0; // a reminder may not be longer than the hold
    let s = start(cfg).await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 1, 100).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let b = booking::book(ctx(&s), &rider, a).await.unwrap();
    // The sweeper may beat us to it; either way the booking ends expired exactly once.
    let n = booking::expire_due(ctx(&s)).await.unwrap();
    assert!(n <= 1);
    let mine = booking::for_rider(&ctx(&s).db, rider.id).await.unwrap();
    assert_eq!((mine[0].id, mine[0].status), (b.id, BookingStatus::Expired));
    assert_eq!(station::counts(&ctx(&s).db, a).await.unwrap().available, 1);
    let told = app::notification::ssr::recent(&ctx(&s).db, rider.id, 5)
        .await
        .unwrap();
    assert_eq!(told[0].title, "Booking expired", "the rider is told");
    assert_eq!(told[0].level, app::notification::Level::Warning);
}

#[tokio::test]
async fn notifications_are_admin_only_and_persisted() {
    use app::notification::{Level, ssr as notification};
    let s = domain().await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    assert_eq!(
        notification::send(ctx(&s), &rider, Some(admin.id), "Hi", "There", Level::Info)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        notification::send(
            ctx(&s),
            &admin,
            Some(rider.id),
            "Hi",
            "There",
            Level::Warning
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        notification::send(ctx(&s), &admin, None, "All", "Everyone", Level::Info)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        notification::send(ctx(&s), &admin, Some(9999), "Hi", "There", Level::Info)
            .await
            .unwrap_err(),
        AppError::not_found("User")
    );
    assert!(matches!(
        notification::send(ctx(&s), &admin, None, "", "x", Level::Info)
            .await
            .unwrap_err(),
        AppError::Validation(_)
    ));
    let list = notification::recent(&ctx(&s).db, rider.id, 10)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[1].title.as_str(), list[1].level),
        ("Hi", Level::Warning)
    );
    assert_eq!(
        notification::unread_count(&ctx(&s).db, rider.id)
            .await
            .unwrap(),
        2
    );
    let left = notification::mark_read(ctx(&s), rider.id, Some(list[0].id))
        .await
        .unwrap();
    assert_eq!(left, 1, "returns how many remain unread");
    assert_eq!(
        notification::unread_count(&ctx(&s).db, rider.id)
            .await
            .unwrap(),
        1
    );
    notification::mark_read(ctx(&s), admin.id, None)
        .await
        .unwrap();
    assert_eq!(
        notification::unread_count(&ctx(&s).db, rider.id)
            .await
            .unwrap(),
        1,
        "marking is per user"
    );
}

#[tokio::test]
async fn concurrent_bookings_never_oversell() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 5, 100).await;
    let mut riders = Vec::new();
    for i in 0..40 {
        riders.push(user(&s, &format!("r{i}@a.test"), Role::Rider).await);
    }
    let mut ok = 0;
    for answer in book_at_once(&s, &riders, a).await {
        match answer {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e, AppError::NoneAvailable),
        }
    }
    assert_eq!(ok, 5);
    let c = station::counts(&ctx(&s).db, a).await.unwrap();
    assert_eq!((c.available, c.booked), (0, 5));
    assert_counts_match_rows(&s, a).await;
}

/// Riders rushing a station whose packs' charge rises with their id, round after round (each
/// round's holds cancelled): on PostgreSQL a booking first looks for the best-charged free pack
/// it can lock at once (`SKIP LOCKED`, charge order), and when every free one is locked waits
/// for one in id order. The first look also locks packs booked just before it, which it then
/// skips; held into the wait, those locks made waiting bookings deadlock ("internal" answers).
/// Every answer must be a booking or a clear refusal.
#[tokio::test]
async fn rushes_for_packs_of_every_charge_never_deadlock() {
    let s = domain().await;
    let station = station(&s, "Rush of charges").await;
    for charge in 90..100 {
        batteries(&s, station, 1, charge).await;
    }
    let mut riders = Vec::new();
    for i in 0..60 {
        riders.push(user(&s, &format!("rush{i}@example.com"), Role::Rider).await);
    }
    for round in 0..30 {
        let mut holds = Vec::new();
        for (rider, answer) in riders.iter().zip(book_at_once(&s, &riders, station).await) {
            match answer {
                Ok(b) => holds.push((rider, b.id)),
                Err(AppError::NoneAvailable) => {}
                Err(e) => panic!("round {round}: a rider got {e:?}"),
            }
        }
        assert_eq!(holds.len(), 10, "round {round}: every pack booked once");
        for (rider, booking) in holds {
            booking::cancel(ctx(&s), rider, booking, "next round")
                .await
                .expect("cancelled");
        }
    }
}
