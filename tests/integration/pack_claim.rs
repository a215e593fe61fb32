//! Claiming a pack when the free ones are locked by other writes (PostgreSQL, where writers
//! run side by side; SQLite's are serialised, so there is nothing to wait for).
use std::time::Duration;

use app::account::Role;
use app::booking::ssr as booking;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use crate::in_process::domain;
use crate::support::*;

/// Whether some session of this test's database waits on a lock.
async fn someone_waits_on_a_lock(db: &impl ConnectionTrait) -> bool {
    let sql = "SELECT count(*) AS n FROM pg_stat_activity \
               WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() > 0
}

/// The station's only free pack is locked by a short write (a staff edit, a device's report):
/// the booking's first pick skips it, finds none, and begins again to wait for it, instead of
/// answering "none available" while a pack is free; once the write ends, the pack is booked.
#[tokio::test]
async fn a_booking_waits_for_the_free_pack_a_short_write_holds() {
    if !on_postgres() {
        return;
    }
    let s = domain().await;
    let station = station(&s, "Held").await;
    batteries(&s, station, 1, 100).await;
    let rider = user(&s, "waiting@example.com", Role::Rider).await;
    let db = ctx(&s).db.clone();
    let edit = db.begin().await.unwrap();
    let lock = format!("SELECT id FROM batteries WHERE station_id = {station} FOR UPDATE");
    let held = edit
        .query_one_raw(Statement::from_string(DbBackend::Postgres, lock))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i32>("", "id")
        .unwrap();

    let ctx = ctx(&s).clone();
    let booked = tokio::spawn(async move { booking::book(&ctx, &rider, station).await });
    tokio::time::timeout(Duration::from_secs(10), async {
        while !someone_waits_on_a_lock(&db).await {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the booking waits for the locked pack");
    assert!(!booked.is_finished(), "no answer while the pack is held");

    edit.rollback().await.unwrap();
    let booking = tokio::time::timeout(Duration::from_secs(10), booked)
        .await
        .expect("answered once the write ended")
        .unwrap()
        .expect("the held pack is booked, not refused");
    assert_eq!(booking.battery_id, held);
}
