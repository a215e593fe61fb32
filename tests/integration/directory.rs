//! The live directory: stations created, edited, closed and reopened reach open lists as
//! `station_listed` / `station_closed`, and a closed station is gone everywhere a rider looks.
use app::account::Role;
use app::error::AppError;
use app::feed::FeedMessage;
use app::station::StationStatus;
use app::station::ssr::{self as station, NewStation};

use crate::support::*;

fn new(name: &str) -> NewStation {
    NewStation {
        name: name.into(),
        address: "2 Lock Street".into(),
        latitude: 52.5,
        longitude: 13.25,
    }
}

#[tokio::test]
async fn created_and_edited_stations_reach_open_lists() {
    let s = server().await;
    let admin = user(&s, "admin@d.test", Role::Admin).await;
    let mut all = connect(&s, "/ws/stations/", &[]).await.unwrap();
    assert!(matches!(
        next_msg(&mut all).await,
        FeedMessage::ConnectionEstablished { .. }
    ));

    let created = station::admin_create(ctx(&s), &admin, new("Canal Yard"))
        .await
        .unwrap();
    assert!(matches!(
        next_msg(&mut all).await,
        FeedMessage::InventoryUpdate { .. }
    ));
    let listed = next_msg(&mut all).await;
    let FeedMessage::StationListed {
        station_id,
        station_name,
        address,
        latitude,
        status,
        ..
    } = listed
    else {
        panic!("expected station_listed, got {listed:?}");
    };
    assert_eq!(
        (
            station_id,
            station_name.as_str(),
            address.as_str(),
            latitude,
            status
        ),
        (
            created.id,
            "Canal Yard",
            "2 Lock Street",
            52.5,
            StationStatus::Online
        )
    );

    let moved = NewStation {
        longitude: 13.5,
        ..new("Canal Yard North")
    };
    station::admin_update(ctx(&s), &admin, created.id, moved)
        .await
        .unwrap();
    assert!(matches!(
        next_msg(&mut all).await,
        FeedMessage::InventoryUpdate { .. }
    ));
    match next_msg(&mut all).await {
        FeedMessage::StationListed {
            station_name,
            longitude,
            ..
        } => assert_eq!(
            (station_name.as_str(), longitude),
            ("Canal Yard North", 13.5)
        ),
        other => panic!("expected station_listed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_closed_station_leaves_the_directory_until_reopened() {
    let s = server().await;
    let admin = user(&s, "admin@d.test", Role::Admin).await;
    let rider = user(&s, "rider@d.test", Role::Rider).await;
    let staff_member = user(&s, "staff@d.test", Role::Staff).await;
    let id = station(&s, "Canal Yard").await;
    batteries(&s, id, 2, 100).await;
    let booked = app::booking::ssr::book(ctx(&s), &rider, id).await.unwrap();

    assert_eq!(
        station::admin_close(ctx(&s), &staff_member, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    match station::admin_close(ctx(&s), &admin, id).await {
        Err(AppError::Validation(m)) => assert!(m.contains("1 active booking"), "{m}"),
        other => panic!("a station with a rider on the way stays open: {other:?}"),
    }
    assert_eq!(
        station::list(&ctx(&s).db).await.unwrap().len(),
        1,
        "refusal kept it"
    );
    app::booking::ssr::cancel(ctx(&s), &rider, booked.id, "")
        .await
        .unwrap();

    let mut all = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let mut one = connect(&s, &format!("/ws/stations/{id}/"), &[])
        .await
        .unwrap();
    next_msg(&mut all).await;
    next_msg(&mut one).await;
    station::admin_close(ctx(&s), &admin, id).await.unwrap();
    for ws in [&mut all, &mut one] {
        match next_msg(ws).await {
            FeedMessage::StationStatus {
                status, message, ..
            } => assert_eq!(
                (status, message.as_str()),
                (StationStatus::Offline, "Station closed")
            ),
            other => panic!("expected station_status, got {other:?}"),
        }
        assert!(matches!(
            next_msg(ws).await,
            FeedMessage::StationClosed { station_id, .. } if station_id == id
        ));
    }

    // Gone for riders: lists, snapshots, the page, its feed, booking.
    assert!(station::list(&ctx(&s).db).await.unwrap().is_empty());
    let mut fresh = connect(&s, "/ws/stations/", &[]).await.unwrap();
    match next_msg(&mut fresh).await {
        FeedMessage::ConnectionEstablished { stations, .. } => {
            assert_eq!(stations.map(|l| l.len()), Some(0))
        }
        other => panic!("expected the greeting, got {other:?}"),
    }
    let (status, _) = api(
        &browser(),
        &s,
        "get_station",
        &[("station_id", &id.to_string())],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        refused_status(
            connect(&s, &format!("/ws/stations/{id}/"), &[])
                .await
                .unwrap_err()
        ),
        404
    );
    assert!(matches!(
        app::booking::ssr::book(ctx(&s), &rider, id).await,
        Err(AppError::StationNotOnline(_))
    ));
    // Nobody can edit it back online behind the directory's back.
    assert_eq!(
        station::set_status(ctx(&s), &admin, id, StationStatus::Online, "")
            .await
            .unwrap_err(),
        AppError::not_found("Station")
    );
    assert_eq!(
        station::admin_update(ctx(&s), &admin, id, new("Renamed"))
            .await
            .unwrap_err(),
        AppError::not_found("Station")
    );
    assert!(matches!(
        station::admin_close(ctx(&s), &admin, id).await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(
        station::admin_close(ctx(&s), &admin, id + 100)
            .await
            .unwrap_err(),
        AppError::not_found("Station")
    );
    let closed = station::list_closed(&ctx(&s).db).await.unwrap();
    assert_eq!(closed.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);

    // Reopened: listed again, offline until someone puts it online.
    assert_eq!(
        station::admin_reopen(ctx(&s), &rider, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    station::admin_reopen(ctx(&s), &admin, id).await.unwrap();
    match next_msg(&mut all).await {
        FeedMessage::StationListed {
            station_id,
            status,
            available_batteries,
            ..
        } => assert_eq!(
            (station_id, status, available_batteries),
            (id, StationStatus::Offline, 2)
        ),
        other => panic!("expected station_listed, got {other:?}"),
    }
    assert!(matches!(
        station::admin_reopen(ctx(&s), &admin, id).await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(station::list(&ctx(&s).db).await.unwrap().len(), 1);
    station::set_status(ctx(&s), &admin, id, StationStatus::Online, "")
        .await
        .unwrap();
    app::booking::ssr::book(ctx(&s), &rider, id).await.unwrap();
}

#[tokio::test]
async fn closing_is_for_admins_over_http_too() {
    let s = server().await;
    user(&s, "rider@d.test", Role::Rider).await;
    let id = station(&s, "Canal Yard").await;
    let rider = logged_in(&s, "rider@d.test").await;
    for name in ["close_station", "reopen_station"] {
        let (status, _) = api(&rider, &s, name, &[("station_id", &id.to_string())]).await;
        assert_eq!(status, 403, "{name}");
    }
    let (status, _) = api(&rider, &s, "list_closed_stations", &[]).await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &browser(),
        &s,
        "close_station",
        &[("station_id", &id.to_string())],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(station::list(&ctx(&s).db).await.unwrap().len(), 1);
}
