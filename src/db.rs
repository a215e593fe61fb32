//! Connecting to SQLite or PostgreSQL, and migrating.
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// How long a PostgreSQL connection may sit idle in the pool before it is tested (a round
/// trip) on its way out: a busy pool never tests, and a connection a database restart or a
/// firewall cut while it sat idle is replaced before a request uses it. (One cut while in use
/// fails that request once, and is dropped.)
const TEST_AFTER_IDLE: Duration = Duration::from_secs(30);

/// A PostgreSQL pool's connections unless `--db-connections` says otherwise.
pub const POSTGRES_CONNECTIONS: u32 = 32;

/// Connects with settings that make concurrent writers wait rather than fail: on SQLite WAL
/// mode, a busy timeout and foreign keys; the file is created when missing.
/// `connections`: the pool's size, or the default for the database.
///
/// A connection is not tested each time it leaves the pool (sqlx's default): that is a round
/// trip per checkout, two per request (its session, then its change), and on SQLite each is a
/// hand-off to the connection's thread and back while a writer may hold the one write lock.
/// A SQLite file cannot go stale; a PostgreSQL connection is tested after `TEST_AFTER_IDLE`.
pub async fn connect(url: &str, connections: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        opts.max_connections(connections.unwrap_or(8))
            .test_before_acquire(false)
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
    } else {
        opts.max_connections(connections.unwrap_or(POSTGRES_CONNECTIONS))
            .test_before_acquire_if_idle_for(TEST_AFTER_IDLE);
    }
    Database::connect(opts).await
}

/// The SQLite writer's pool: one connection, so its changes queue in order on the writer
/// thread instead of sleeping in SQLite's busy handler (a change must not open a second
/// connection while it holds its transaction).
const WRITER_CONNECTIONS: u32 = 1;

/// SQLite's writer thread (`app::writer`), where bookings and cancels run their transactions;
/// `None` for PostgreSQL, and for an in-memory SQLite database (one per connection: the
/// writer's would be another, empty one).
pub async fn writer(url: &str) -> Result<Option<app::writer::Writer>, DbErr> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !url.starts_with("sqlite:") || in_memory {
        return Ok(None);
    }
    let url = url.to_string();
    let connect = move || async move { connect(&url, Some(WRITER_CONNECTIONS)).await };
    let writer = app::writer::Writer::start(connect, app::writer::MAX_WAITING).await?;
    Ok(Some(writer))
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
