//! `battery-swap backup --to FILE`: a copy of the live SQLite database, taken while the server
//! serves. SQLite's `VACUUM INTO` reads the database in one read transaction, so writers go on
//! (WAL) and the copy is the database as of one moment: complete, compacted, with no WAL file
//! beside it, ready to start a server on. It is written beside FILE under a temporary name and
//! renamed into place, so FILE is a whole copy or absent; an existing FILE is never
//! overwritten. PostgreSQL has its own tools (`pg_dump`; docs/deploy.md).
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement};
use std::path::Path;
use std::time::Duration;

/// Copies the SQLite database at `database_url` to `to`; returns the copy's size in bytes, or
/// the one line that says why not.
pub async fn backup(database_url: &str, to: &Path) -> Result<u64, String> {
    if !database_url.starts_with("sqlite:") {
        return Err(
            "backup copies an SQLite database; for PostgreSQL use pg_dump \
                    (docs/deploy.md)"
                .into(),
        );
    }
    if to.exists() {
        return Err(format!(
            "{} already exists; backup never overwrites a file: name a new one",
            to.display()
        ));
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = Path::new(&partial);
    let mut opts = ConnectOptions::new(database_url.to_string());
    opts.max_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            // A backup of a database that is not there is a mistake, not an empty copy.
            o.create_if_missing(false)
                .busy_timeout(Duration::from_secs(30))
        });
    let db = Database::connect(opts)
        .await
        .map_err(|e| format!("cannot open {database_url}: {e}"))?;
    let copy = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [partial.to_string_lossy().into_owned().into()],
    );
    let copied = db.execute_raw(copy).await;
    let _ = db.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(partial);
        return Err(format!("cannot copy {database_url}: {e}"));
    }
    std::fs::rename(partial, to)
        .map_err(|e| format!("cannot name the copy {}: {e}", to.display()))?;
    std::fs::metadata(to)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", to.display()))
}
