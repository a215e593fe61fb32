//! After PostgreSQL drops the listening connection, an instance refreshes its station feeds
//! from the pool; the pool may still be failing then (its connections died with the same
//! restart). The refresh must be tried again until it succeeds, not given up after one try.
use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};

use crate::cluster::{new_station, scalar, tool};
use crate::support::*;

async fn run(db: &impl ConnectionTrait, sql: &str) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql);
}

#[tokio::test]
async fn the_refresh_after_a_reconnect_is_retried_until_it_succeeds() {
    if !on_postgres() {
        return;
    }
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let station = new_station(&setup, "Alpha", 2, 100).await;
    let mut server = Process::spawn_logging(&url, &[], "info").await;
    let mut log = server.log.take().unwrap();
    let mut feed = connect_url(&server.ws(&format!("/ws/stations/{station}/")), &[]).await;
    next_json(&mut feed).await;

    // The pool's reads fail (here: the stations are not where it looks), and meanwhile the
    // listening connection is killed, as a PostgreSQL restart would.
    run(&setup.db, "ALTER TABLE stations RENAME TO stations_away").await;
    let killed = scalar(&setup.db, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'").await;
    assert_eq!(killed, 1);
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = log.recv().await {
            if line.contains("could not refresh station snapshots") {
                return;
            }
        }
        panic!("the log ended");
    })
    .await
    .expect("the first refresh fails");

    run(&setup.db, "ALTER TABLE stations_away RENAME TO stations").await;
    let refresh = next_json(&mut feed).await;
    assert_eq!(
        (refresh["type"].as_str(), refresh["action"].as_str()),
        (Some("inventory_update"), Some("update")),
        "refreshed once the pool reads again"
    );
    assert_eq!(refresh["available_batteries"], 2);
}
