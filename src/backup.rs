//! `battery-swap backup --to FILE`: a copy of the live SQLite database, taken while the server
//! serves. SQLite's `VACUUM INTO` reads the database in one read transaction, so writers go on
//! (WAL) and the copy is the database as of one moment: complete, compacted, with no WAL file
//! beside it, ready to start a server on. It is written beside FILE under a temporary name and
//! then linked to FILE, so FILE is a whole copy or absent, and an existing FILE is never
//! overwritten (not even one another backup made meanwhile). PostgreSQL has its own tools
//! (`pg_dump`; docs/deploy.md).
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
    let exists = || {
        format!(
            "{} already exists; backup never overwrites a file: name a new one",
            to.display()
        )
    };
    if to.exists() {
        return Err(exists());
    }
    let Some(to_text) = to.to_str() else {
        return Err(format!("{}: name the copy in UTF-8", to.display()));
    };
    let partial = format!("{to_text}.partial-{}", std::process::id());
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
        [partial.clone().into()],
    );
    let copied = db.execute_raw(copy).await;
    let _ = db.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("cannot copy {database_url}: {e}"));
    }
    // A link, not a rename: it fails where FILE appeared meanwhile (another backup), instead
    // of replacing it.
    let linked = std::fs::hard_link(&partial, to);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
        Err(e) => return Err(format!("cannot name the copy {}: {e}", to.display())),
    }
    std::fs::metadata(to)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", to.display()))
}
