//! The bookings case's baseline: the write transactions a booking, a cancel and a refusal
//! make, without the server. The same driver (sqlx, through sea-orm), the same connection
//! settings and pool size as the server (`battery_swap::db::connect`), and transactions of
//! the same shape: a conditional `UPDATE … RETURNING` first, then `STATEMENTS - 1` more
//! (inserts, updates, reads; on PostgreSQL one of them a `pg_notify`), each worker on a row of
//! its own as bookings spread over 100 stations. No HTTP, no sessions, no JSON, no events, and
//! two small tables instead of the schema's indexed ones: the most the database and its driver
//! allow on this machine, against which the server's write transactions per second (bookings +
//! cancels + refusals) are read.
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use std::time::{Duration, Instant};

use crate::stats::per_second;

/// Statements in a booking's transaction (`book_model`: claim, booking, audit, station
/// version and counts, history, stock alert, notification), as the README counts them.
const STATEMENTS: usize = 9;

/// Runs `workers` concurrent workers for `duration` on `url` (a fresh SQLite file or an empty
/// PostgreSQL database); returns write transactions per second.
pub async fn booking_shaped(
    url: &str,
    connections: u32,
    workers: usize,
    duration: Duration,
) -> f64 {
    let db = battery_swap::db::connect(url, Some(connections))
        .await
        .expect("connect for the raw baseline");
    for sql in [
        "CREATE TABLE load_rows (id integer PRIMARY KEY, n bigint NOT NULL, v bigint NOT NULL)",
        "CREATE TABLE load_log (k integer NOT NULL, n bigint NOT NULL, note text NOT NULL)",
    ] {
        db.execute_unprepared(sql)
            .await
            .expect("raw baseline table");
    }
    for k in 0..workers {
        let sql = format!("INSERT INTO load_rows (id, n, v) VALUES ({k}, 0, 0)");
        db.execute_unprepared(&sql).await.expect("raw baseline row");
    }
    let rate = per_second_for(&db, workers, duration, |db, k| async move {
        transaction(&db, k as i32).await;
    })
    .await;
    let _ = db.execute_unprepared("DROP TABLE load_log").await;
    let _ = db.execute_unprepared("DROP TABLE load_rows").await;
    rate
}

/// Runs `workers` tasks on `db`, each doing `one(db, its number)` back to back until
/// `duration` is up; returns how many were done per second, all told.
pub async fn per_second_for<F, Fut>(
    db: &DatabaseConnection,
    workers: usize,
    duration: Duration,
    one: F,
) -> f64
where
    F: Fn(DatabaseConnection, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|k| {
            let (db, one) = (db.clone(), one.clone());
            tokio::spawn(async move {
                let mut done = 0usize;
                while Instant::now() < deadline {
                    one(db.clone(), k).await;
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut done = 0;
    for t in tasks {
        done += t.await.expect("raw baseline worker");
    }
    per_second(done, started.elapsed())
}

/// One transaction of a booking's shape: the conditional write first, then the rest.
async fn transaction(db: &DatabaseConnection, k: i32) {
    let backend = db.get_database_backend();
    let stmt = |sql: &str, values: Vec<sea_orm::Value>| {
        // `$1` placeholders for PostgreSQL, `?` for SQLite, as sea-query writes them.
        let sql = match backend {
            DbBackend::Postgres => sql.to_string(),
            _ => sql.replace("$1", "?").replace("$2", "?"),
        };
        Statement::from_sql_and_values(backend, sql, values)
    };
    let txn = db.begin().await.expect("begin");
    let claimed = txn
        .query_one_raw(stmt(
            "UPDATE load_rows SET n = n + 1 WHERE id = $1 AND n >= 0 RETURNING n",
            vec![k.into()],
        ))
        .await
        .expect("claim")
        .expect("the worker's row");
    let n: i64 = claimed.try_get("", "n").expect("n");
    let mut rest = vec![
        (
            "INSERT INTO load_log (k, n, note) VALUES ($1, $2, 'booking')",
            true,
        ),
        (
            "INSERT INTO load_log (k, n, note) VALUES ($1, $2, 'audit')",
            true,
        ),
        ("UPDATE load_rows SET v = v + 1 WHERE id = $1", false),
        ("SELECT n, v FROM load_rows WHERE id = $1", false),
        (
            "SELECT count(*) AS c FROM load_rows WHERE id = $1 AND n > v",
            false,
        ),
        (
            "INSERT INTO load_log (k, n, note) VALUES ($1, $2, 'history')",
            true,
        ),
        ("SELECT v FROM load_rows WHERE id = $1", false),
        (
            "INSERT INTO load_log (k, n, note) VALUES ($1, $2, 'notification')",
            true,
        ),
    ];
    if backend == DbBackend::Postgres {
        // A booking's events leave in one NOTIFY, in its transaction.
        rest[6] = ("SELECT pg_notify('load_raw', $1::text)", false);
    }
    debug_assert_eq!(rest.len() + 1, STATEMENTS);
    for (sql, with_n) in rest {
        let values = if with_n {
            vec![k.into(), n.into()]
        } else {
            vec![k.into()]
        };
        txn.execute_raw(stmt(sql, values)).await.expect("statement");
    }
    #[expect(
        clippy::disallowed_methods,
        reason = "the raw baseline: a bare transaction, not one of the server's changes"
    )]
    txn.commit().await.expect("commit");
}
