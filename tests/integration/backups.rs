//! Backups: `battery-swap backup --to FILE` copies a live SQLite database while riders book
//! and cancel through the server; PostgreSQL's `pg_dump` / `pg_restore` (docs/deploy.md) bring
//! a database back into a fresh one. Either way a server starts on the copy with the same
//! stations, bookings and counts.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cluster::{assert_consistent, new_station, scalar, tool};
use crate::support::*;

/// The server binary with `args`: its status, stdout and stderr.
async fn run(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_battery-swap"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("run battery-swap");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).trim().to_string();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

/// Riders booking and cancelling through `base` until `stop`.
fn keep_booking(
    base: String,
    cookies: Vec<String>,
    station: i32,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut done = 0;
        while !stop.load(Ordering::Relaxed) {
            for cookie in &cookies {
                let booked = client
                    .post(format!("{base}/api/book_battery"))
                    .header("cookie", cookie)
                    .form(&[("station_id", station.to_string())])
                    .send()
                    .await
                    .unwrap();
                if booked.status() == 200 {
                    let id = booked.json::<serde_json::Value>().await.unwrap()["id"].to_string();
                    client
                        .post(format!("{base}/api/cancel_booking"))
                        .header("cookie", cookie)
                        .form(&[("booking_id", id)])
                        .send()
                        .await
                        .unwrap();
                    done += 1;
                }
            }
        }
        done
    })
}

async fn station_names(base: &str) -> Vec<(String, u64)> {
    let list: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/list_stations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut names: Vec<(String, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["counts"]["available"].as_u64().unwrap(),
            )
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_live_sqlite_database_is_copied_while_it_serves() {
    if on_postgres() {
        return; // the command copies SQLite files; PostgreSQL's test is below
    }
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let station = new_station(&setup, "Alpha", 4, 100).await;
    new_station(&setup, "Beta", 2, 100).await;
    let server = Process::spawn(&url).await;
    let stop = Arc::new(AtomicBool::new(false));
    let cookies = many_riders(&setup.db, 4).await;
    let riders = keep_booking(server.url(""), cookies, station, stop.clone());

    let copy = format!("{}.copy", url.trim_start_matches("sqlite://"));
    let (ok, out, err) = run(&["--database-url", &url, "backup", "--to", &copy]).await;
    assert!(ok, "{err}");
    assert!(out.starts_with(&format!("backed up to {copy} (")), "{out}");
    stop.store(true, Ordering::Relaxed);
    assert!(
        riders.await.unwrap() > 0,
        "riders booked while the copy was taken"
    );

    // The copy is whole and consistent as of one moment, and a server starts on it.
    let copy_url = format!("sqlite://{copy}");
    let on_copy = tool(&copy_url).await;
    assert_consistent(&on_copy.db, station).await;
    let restored = Process::spawn(&copy_url).await;
    let names = station_names(&restored.url("")).await;
    assert_eq!(
        names.iter().map(|n| n.0.as_str()).collect::<Vec<_>>(),
        ["Alpha", "Beta"]
    );

    // Taken in a quiet moment, the copy holds every booking the database does.
    let quiet = format!("{copy}.quiet");
    assert!(
        run(&["--database-url", &url, "backup", "--to", &quiet])
            .await
            .0
    );
    let on_quiet = tool(&format!("sqlite://{quiet}")).await;
    let count = "SELECT COUNT(*) FROM bookings";
    assert_eq!(
        scalar(&on_quiet.db, count).await,
        scalar(&setup.db, count).await
    );
    assert_eq!(
        station_names(&server.url("")).await,
        station_names(&Process::spawn(&format!("sqlite://{quiet}")).await.url("")).await
    );

    // Refusals, one line each: an existing file, a missing database, PostgreSQL.
    let (ok, _, err) = run(&["--database-url", &url, "backup", "--to", &copy]).await;
    assert!(!ok && err.contains("already exists"), "{err}");
    let missing = format!("{url}.missing");
    let (ok, _, err) = run(&[
        "--database-url",
        &missing,
        "backup",
        "--to",
        &format!("{copy}.2"),
    ])
    .await;
    assert!(!ok && err.starts_with("error: cannot open"), "{err}");
    assert!(
        !std::path::Path::new(missing.trim_start_matches("sqlite://")).exists(),
        "no empty database made"
    );
    let (ok, _, err) = run(&[
        "--database-url",
        "postgres://nobody@127.0.0.1/none",
        "backup",
        "--to",
        &format!("{copy}.3"),
    ])
    .await;
    assert!(!ok && err.contains("pg_dump"), "{err}");
}

/// `pg_dump --format=custom` of a serving database, `pg_restore --no-owner` into a fresh one:
/// a server on the restored database has the same stations, bookings and counts.
#[tokio::test]
async fn a_postgres_dump_restores_into_a_fresh_database() {
    if !on_postgres() {
        return;
    }
    let url = fresh_database_url().await;
    let setup = tool(&url).await;
    let station = new_station(&setup, "Alpha", 4, 100).await;
    new_station(&setup, "Beta", 2, 100).await;
    let server = Process::spawn(&url).await;
    let cookies = many_riders(&setup.db, 3).await;
    for cookie in &cookies {
        let res = reqwest::Client::new()
            .post(server.url("/api/book_battery"))
            .header("cookie", cookie)
            .form(&[("station_id", station.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let dump = std::env::temp_dir().join(format!("bs-dump-{}.pgdump", std::process::id()));
    let dump = dump.to_string_lossy().to_string();
    let status = tokio::process::Command::new("pg_dump")
        .args(["--format=custom", "--file", &dump, &url])
        .status()
        .await
        .expect("pg_dump");
    assert!(status.success());

    let fresh = fresh_database_url().await;
    let status = tokio::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &fresh, &dump])
        .status()
        .await
        .expect("pg_restore");
    assert!(status.success());
    let _ = std::fs::remove_file(&dump);

    let restored = Process::spawn(&fresh).await;
    assert_eq!(
        station_names(&restored.url("")).await,
        station_names(&server.url("")).await
    );
    let on_restored = tool(&fresh).await;
    assert_eq!(
        assert_consistent(&on_restored.db, station).await,
        3,
        "the three bookings"
    );
    let count = "SELECT COUNT(*) FROM bookings";
    assert_eq!(
        scalar(&on_restored.db, count).await,
        scalar(&setup.db, count).await
    );
}
