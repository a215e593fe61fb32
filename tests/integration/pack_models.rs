//! Pack models: a rider books a pack of their vehicle's model (same atomic claim, no
//! oversell), saves that model in their account, and the feeds count packs per model.
use app::account::Role;
use app::booking::ssr as booking;
use app::error::AppError;
use app::feed::FeedMessage;
use app::station::ssr as station;

use crate::support::*;

const GOGORO: &str = "Gogoro Smartscooter Pack";
const NIU: &str = "NIU Li-ion 60V 35Ah";

#[tokio::test]
async fn concurrent_riders_of_one_model_never_get_another_or_oversell() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    packs(&s, a, GOGORO, 3, 100).await;
    packs(&s, a, NIU, 6, 100).await;
    let mut riders = Vec::new();
    for i in 0..12 {
        riders.push(user(&s, &format!("g{i}@a.test"), Role::Rider).await);
    }
    let tasks: Vec<_> = riders
        .into_iter()
        .map(|r| {
            let ctx = ctx(&s).clone();
            tokio::spawn(async move { booking::book_model(&ctx, &r, a, GOGORO, None).await })
        })
        .collect();
    let mut got = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(b) => got.push(b),
            Err(e) => assert_eq!(e, AppError::NoneOfModel(GOGORO.into())),
        }
    }
    assert_eq!(got.len(), 3, "exactly the Gogoro packs there were");
    assert!(got.iter().all(|b| b.battery_info == GOGORO), "{got:?}");
    let mut ids: Vec<_> = got.iter().map(|b| b.battery_id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each pack once");

    let after = station::summary_of(&ctx(&s).db, a).await.unwrap();
    assert_eq!(after.counts.available, 6);
    assert_eq!(after.available_by_model.get(GOGORO), None, "none left");
    assert_eq!(after.available_by_model.get(NIU), Some(&6));

    // Without a model: today's behaviour, any pack.
    let other = user(&s, "any@a.test", Role::Rider).await;
    let any = booking::book(ctx(&s), &other, a).await.unwrap();
    assert_eq!(any.battery_info, NIU);
    let unknown = user(&s, "typo@a.test", Role::Rider).await;
    assert_eq!(
        booking::book_model(ctx(&s), &unknown, a, "Gogoro Smartscoter", None)
            .await
            .unwrap_err(),
        AppError::NoneOfModel("Gogoro Smartscoter".into())
    );
}

#[tokio::test]
async fn feeds_count_packs_per_model() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    packs(&s, a, GOGORO, 2, 100).await;
    packs(&s, a, NIU, 1, 100).await;
    packs(&s, a, NIU, 1, 20).await; // charging: not available
    let rider = user(&s, "r@a.test", Role::Rider).await;
    let mut all = connect(&s, "/ws/stations/", &[]).await.unwrap();
    let greeting = next_json(&mut all).await;
    assert_eq!(
        greeting["stations"][0]["available_by_model"],
        serde_json::json!({ GOGORO: 2, NIU: 1 })
    );
    booking::book_model(ctx(&s), &rider, a, NIU, None)
        .await
        .unwrap();
    match next_msg(&mut all).await {
        FeedMessage::BatteryBooked {
            available_batteries,
            available_by_model,
            ..
        } => {
            assert_eq!(available_batteries, 2);
            let by_model = available_by_model.expect("per-model counts");
            assert_eq!(by_model.get(GOGORO), Some(&2));
            assert_eq!(by_model.get(NIU), None);
        }
        other => panic!("expected battery_booked, got {other:?}"),
    }
    match next_msg(&mut all).await {
        FeedMessage::InventoryUpdate {
            available_by_model, ..
        } => assert_eq!(available_by_model.unwrap().get(GOGORO), Some(&2)),
        other => panic!("expected inventory_update, got {other:?}"),
    }
}

#[tokio::test]
async fn riders_save_a_model_the_network_holds() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    packs(&s, a, GOGORO, 1, 100).await;
    user(&s, "r@a.test", Role::Rider).await;
    let rider = logged_in(&s, "r@a.test").await;
    let (status, body) = api(&rider, &s, "set_pack_model", &[("model", "Gogoro")]).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = api(&rider, &s, "set_pack_model", &[("model", GOGORO)]).await;
    assert_eq!((status, body), (200, serde_json::json!(GOGORO)));
    let (_, me) = api(&rider, &s, "me", &[]).await;
    assert_eq!(me["pack_model"], GOGORO);
    let (status, _) = api(&rider, &s, "set_pack_model", &[("model", "")]).await;
    assert_eq!(status, 200);
    let (_, me) = api(&rider, &s, "me", &[]).await;
    assert_eq!(me["pack_model"], serde_json::Value::Null);
    let (status, _) = api(&browser(), &s, "set_pack_model", &[("model", GOGORO)]).await;
    assert_eq!(status, 401);
    let (status, models) = api(&browser(), &s, "pack_models", &[]).await;
    assert_eq!((status, models), (200, serde_json::json!([GOGORO])));

    // Booking over HTTP with a model takes that model.
    let (status, booked) = api(
        &rider,
        &s,
        "book_battery",
        &[("station_id", &a.to_string()), ("model", GOGORO)],
    )
    .await;
    assert_eq!(
        (status, booked["battery_info"].as_str()),
        (200, Some(GOGORO))
    );
}
