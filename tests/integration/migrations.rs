//! Migrations go up, down and up again on a real database.
use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

use crate::support::fresh_database_url;

async fn tables(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY name"
        }
        _ => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'seaql_migrations' ORDER BY tablename"
        }
    };
    db.query_all_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String>("", "name").unwrap())
    .collect()
}

#[tokio::test]
async fn migrations_up_down_up() {
    let db = battery_swap::db::connect(&fresh_database_url().await, None)
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let expected = [
        "api_tokens",
        "audit_log",
        "batteries",
        "bookings",
        "idempotency_keys",
        "login_throttles",
        "notifications",
        "push_keys",
        "push_outbox",
        "push_subscriptions",
        "sessions",
        "station_devices",
        "station_history",
        "station_staff",
        "stations",
        "users",
    ];
    assert_eq!(tables(&db).await, expected);
    Migrator::down(&db, None).await.unwrap();
    assert!(
        tables(&db).await.is_empty(),
        "every migration is reversible"
    );
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, expected);
    // Running again is a no-op: the server migrates at every start.
    Migrator::up(&db, None).await.unwrap();
}

#[tokio::test]
async fn active_booking_indexes_are_partial_and_unique() {
    let db = battery_swap::db::connect(&fresh_database_url().await, None)
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let now = "'2026-01-01T00:00:00Z'";
    let exec = |sql: String| {
        let db = db.clone();
        async move { db.execute_unprepared(&sql).await }
    };
    exec(format!("INSERT INTO users (email, display_name, password_hash, role, created_at) VALUES ('a@x.io','a','h','rider',{now})")).await.unwrap();
    exec(format!("INSERT INTO stations (name, address, latitude, longitude, status, status_message, created_at) VALUES ('S','a',0,0,'online','',{now})")).await.unwrap();
    exec(format!("INSERT INTO batteries (station_id, serial, model, charge_percent, state, created_at, updated_at) VALUES (1,'B1','m',100,'booked',{now},{now})")).await.unwrap();
    let booking = |status: &str| {
        format!(
            "INSERT INTO bookings (rider_id, battery_id, station_id, status, collection_code, cancel_reason, created_at, expires_at) VALUES (1,1,1,'{status}','C','',{now},{now})"
        )
    };
    exec(booking("cancelled")).await.unwrap();
    exec(booking("cancelled"))
        .await
        .expect("closed bookings do not collide");
    exec(booking("confirmed")).await.unwrap();
    assert!(
        exec(booking("ready")).await.is_err(),
        "a second active booking of one battery is refused by the database"
    );
}

/// (table, column) pairs the query returns, as `table.column`, sorted.
async fn pairs(db: &sea_orm::DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| {
            let table: String = r.try_get("", "tbl").unwrap();
            let column: String = r.try_get("", "col").unwrap();
            format!("{table}.{column}")
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every foreign key is the first column of an index that is not partial (issue #32): lists
/// filter on them (a rider's bookings, a user's sessions, tokens and stations), and deleting a
/// row looks up the rows that refer to it.
#[tokio::test]
async fn every_foreign_key_leads_an_index() {
    let db = battery_swap::db::connect(&fresh_database_url().await, None)
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let (keys, indexed) = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => (
            "SELECT m.name AS tbl, f.\"from\" AS col FROM sqlite_master m, \
             pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            "SELECT m.name AS tbl, ii.name AS col FROM sqlite_master m, pragma_index_list(m.name) il, \
             pragma_index_info(il.name) ii WHERE m.type = 'table' AND il.partial = 0 AND ii.seqno = 0",
        ),
        _ => (
            "SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS col FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f'",
            "SELECT i.indrelid::regclass::text AS tbl, a.attname::text AS col FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
             WHERE i.indpred IS NULL",
        ),
    };
    let keys = pairs(&db, keys).await;
    let indexed = pairs(&db, indexed).await;
    assert!(keys.len() >= 15, "the foreign keys were read: {keys:?}");
    let bare: Vec<&String> = keys.iter().filter(|k| !indexed.contains(k)).collect();
    assert!(bare.is_empty(), "foreign keys without an index: {bare:?}");
}
