//! Staff at the station: changing a battery's state and charge within the rules, and the swap
//! that checks a rider's returned pack in.
use app::account::Role;
use app::battery::BatteryState;
use app::booking::ssr::{self as booking, ReturnedPack};
use app::error::AppError;
use app::station::ssr::edit_battery;

use crate::in_process::domain;
use crate::support::*;

#[tokio::test]
async fn staff_change_battery_state_and_charge_within_the_rules() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 1, 50).await;
    batteries(&s, b, 1, 100).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let pack = app::battery::ssr::at_station(&ctx(&s).db, a).await.unwrap()[0].clone();
    let other = app::battery::ssr::at_station(&ctx(&s).db, b).await.unwrap()[0].clone();
    assert_eq!(pack.state, BatteryState::Charging);

    let too_low = edit_battery(
        ctx(&s),
        &staff,
        pack.id,
        Some(BatteryState::Available),
        None,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(too_low, AppError::Validation(_)),
        "available needs the threshold: {too_low:?}"
    );
    let charged = edit_battery(
        ctx(&s),
        &staff,
        pack.id,
        Some(BatteryState::Available),
        Some(95),
    )
    .await
    .unwrap();
    assert_eq!(
        (charged.state, charged.charge_percent),
        (BatteryState::Available, 95)
    );
    let drained = edit_battery(ctx(&s), &staff, pack.id, None, Some(20))
        .await
        .unwrap();
    assert_eq!(
        drained.state,
        BatteryState::Charging,
        "an available pack drained below the threshold is charging"
    );
    assert_eq!(
        edit_battery(
            ctx(&s),
            &staff,
            pack.id,
            Some(BatteryState::Maintenance),
            None
        )
        .await
        .unwrap()
        .state,
        BatteryState::Maintenance
    );
    assert!(matches!(
        edit_battery(ctx(&s), &staff, pack.id, Some(BatteryState::Booked), None).await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(
        edit_battery(ctx(&s), &rider, pack.id, Some(BatteryState::Retired), None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        edit_battery(ctx(&s), &staff, other.id, Some(BatteryState::Retired), None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        edit_battery(ctx(&s), &staff, 9999, None, Some(1))
            .await
            .unwrap_err(),
        AppError::not_found("Battery")
    );
    // A booked battery belongs to its booking.
    edit_battery(
        ctx(&s),
        &staff,
        pack.id,
        Some(BatteryState::Available),
        Some(100),
    )
    .await
    .unwrap();
    booking::book(ctx(&s), &rider, a).await.unwrap();
    assert!(matches!(
        edit_battery(ctx(&s), &staff, pack.id, Some(BatteryState::Retired), None).await,
        Err(AppError::Validation(_))
    ));
}

#[tokio::test]
async fn a_swap_checks_the_returned_pack_in() {
    let s = domain().await;
    let a = station(&s, "Alpha").await;
    let b = station(&s, "Beta").await;
    batteries(&s, a, 2, 100).await;
    batteries(&s, b, 1, 100).await;
    let staff_a = staff_of(&s, "a@a.test", a).await;
    let staff_b = staff_of(&s, "b@a.test", b).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    // The rider takes a pack from A...
    let first = booking::book(ctx(&s), &rider, a).await.unwrap();
    booking::collect(
        ctx(&s),
        &staff_a,
        first.id,
        first.collection_code.as_deref().unwrap(),
        None,
    )
    .await
    .unwrap();
    let taken = app::battery::ssr::entity::Entity::find_by_id(first.battery_id);
    use sea_orm::EntityTrait;
    let taken = taken.one(&ctx(&s).db).await.unwrap().unwrap();
    // ...and swaps it at B for a fresh one.
    let second = booking::book(ctx(&s), &rider, b).await.unwrap();
    let back = ReturnedPack {
        serial: taken.serial.clone(),
        model: String::new(),
        charge_percent: 12,
    };
    booking::collect(
        ctx(&s),
        &staff_b,
        second.id,
        second.collection_code.as_deref().unwrap(),
        Some(back),
    )
    .await
    .unwrap();
    let returned = app::battery::ssr::entity::Entity::find_by_id(taken.id)
        .one(&ctx(&s).db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            returned.station_id,
            returned.state.as_str(),
            returned.charge_percent
        ),
        (b, "charging", 12)
    );
    let counts = app::station::ssr::counts(&ctx(&s).db, b).await.unwrap();
    assert_eq!((counts.available, counts.charging, counts.total), (0, 1, 1));
    // A pack that is not out with a rider cannot be "returned"; an unknown one is a new pack.
    batteries(&s, b, 1, 100).await;
    let third = booking::book(ctx(&s), &rider, b).await.unwrap();
    let bogus = ReturnedPack {
        serial: taken.serial.clone(),
        model: String::new(),
        charge_percent: 50,
    };
    assert!(matches!(
        booking::collect(
            ctx(&s),
            &staff_b,
            third.id,
            third.collection_code.as_deref().unwrap(),
            Some(bogus)
        )
        .await,
        Err(AppError::Validation(_))
    ));
    let foreign = ReturnedPack {
        serial: "THEIRS-1".into(),
        model: "Other brand pack".into(),
        charge_percent: 95,
    };
    booking::collect(
        ctx(&s),
        &staff_b,
        third.id,
        third.collection_code.as_deref().unwrap(),
        Some(foreign),
    )
    .await
    .unwrap();
    assert_eq!(
        app::station::ssr::counts(&ctx(&s).db, b)
            .await
            .unwrap()
            .available,
        1,
        "a charged returned pack is available"
    );
}
