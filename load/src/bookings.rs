//! Case 7: bookings across stations by `RIDERS` concurrent riders, each on their own
//! keep-alive connection, through `POST /api/book_battery` and `/api/cancel_booking`.
//!
//! 1. The last packs: every rider books once, all at the same moment, ten riders per station
//!    for a handful of charged packs each. Every station must hand out exactly its charged
//!    packs, each pack once: no oversell, no pack left while a rider was refused.
//! 2. Throughput: for `DURATION` every rider cancels their hold (if any) and books again at a
//!    random station. Afterwards every station's booked count must equal the holds riders
//!    have there, each on a different pack.
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bystanders;
use crate::cpu::{cpu_time, cpu_times_of, cpu_used_since, machine_busy};
use crate::http::Conn;
use crate::seed;
use crate::server::Server;
use crate::stats::{ms, per_second, percentile};

const DURATION: Duration = Duration::from_secs(10);

/// A successful booking's (booking id, station id, battery id).
fn booked(body: &str) -> (i64, i32, i64) {
    let v: Value = serde_json::from_str(body).expect("booking");
    (
        v["id"].as_i64().expect("id"),
        v["station_id"].as_i64().expect("station") as i32,
        v["battery_id"].as_i64().expect("battery"),
    )
}

/// What one rider did in the throughput phase.
#[derive(Default)]
struct Tally {
    booked: Vec<Duration>,
    refused: usize,
    cancelled: usize,
    errors: usize,
    /// The hold the rider ends with.
    holding: Option<(i64, i32, i64)>,
}

/// Returns the throughput phase's write transactions per second (bookings, refusals and
/// cancels: each is one) and its bookings per second.
pub async fn run(srv: &Server, database: &str, riders: &[String]) -> (f64, f64) {
    let addr = srv.addr;
    println!(
        "\n== bookings on {database}: {} riders, {} stations ==",
        riders.len(),
        seed::STATIONS
    );
    let admin = crate::server::admin_cookie(addr).await;
    let mut conn = Conn::open(addr).await;
    let before = seed::stations(&mut conn, &admin).await;
    let ids: Arc<Vec<i32>> = Arc::new(before.iter().map(|s| s.0).collect());
    let others = seed::register(addr, &format!("{database}-bystander"), bystanders::RIDERS).await;
    let alone = Instant::now() + Duration::from_secs(2);
    bystanders::print(
        "alone",
        bystanders::start(addr, &others, alone)
            .await
            .expect("bystanders"),
    );
    let mut conns = Vec::with_capacity(riders.len());
    for _ in riders {
        conns.push(Conn::open(addr).await);
    }

    // 1. The last packs.
    let started = Instant::now();
    let tasks: Vec<_> = conns
        .into_iter()
        .zip(riders.iter().cloned())
        .enumerate()
        .map(|(i, (mut conn, cookie))| {
            let station = ids[i % ids.len()];
            tokio::spawn(async move {
                let res = conn
                    .post(
                        "book_battery",
                        &format!("station_id={station}"),
                        Some(&cookie),
                    )
                    .await;
                let hold = (res.status == 200).then(|| booked(&res.body));
                (conn, cookie, hold, res.status)
            })
        })
        .collect();
    let mut riders_back = Vec::with_capacity(tasks.len());
    let (mut per_station, mut packs, mut statuses) =
        (HashMap::new(), HashSet::new(), HashMap::new());
    for task in tasks {
        let (conn, cookie, hold, status) = task.await.expect("rider");
        *statuses.entry(status).or_insert(0) += 1;
        if let Some((_, station, battery)) = hold {
            *per_station.entry(station).or_insert(0i64) += 1;
            assert!(packs.insert(battery), "pack {battery} booked twice");
        }
        riders_back.push((conn, cookie, hold));
    }
    let elapsed = started.elapsed();
    let (mut oversold, mut undersold) = (0, 0);
    for (position, (station, available, _)) in before.iter().enumerate() {
        // Rider i went to station i mod n.
        let wanted =
            (riders.len() / ids.len() + usize::from(position < riders.len() % ids.len())) as i64;
        let got = per_station.get(station).copied().unwrap_or(0);
        oversold += (got - available).max(0);
        undersold += (wanted.min(*available) - got).max(0);
    }
    println!(
        "the last packs: {} riders at once in {}: {} booked ({} packs, each once), answers {statuses:?}; oversold {oversold}, refused while a pack was left {undersold}",
        riders.len(),
        ms(elapsed),
        packs.len(),
        packs.len(),
    );

    // 2. Throughput.
    let pid = srv.pid().to_string();
    let cpu_before = (cpu_time(&pid), cpu_time("self"));
    let (db_before, busy_before) = (cpu_times_of("postgres"), machine_busy().0);
    let deadline = Instant::now() + DURATION;
    let beside = bystanders::start(addr, &others, deadline);
    let started = Instant::now();
    let tasks: Vec<_> = riders_back
        .into_iter()
        .enumerate()
        .map(|(i, (mut conn, cookie, hold))| {
            let ids = Arc::clone(&ids);
            // xorshift: a different, repeatable station sequence per rider.
            let mut seed =
                0x9E37_79B9_7F4A_7C15_u64 ^ (i as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let mut random = move |n: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % n as u64) as usize
            };
            tokio::spawn(async move {
                let mut tally = Tally {
                    holding: hold,
                    ..Tally::default()
                };
                while Instant::now() < deadline {
                    if let Some((booking, _, _)) = tally.holding {
                        let form = format!("booking_id={booking}&reason=load");
                        let res = conn.post("cancel_booking", &form, Some(&cookie)).await;
                        if res.status == 200 {
                            tally.cancelled += 1;
                            tally.holding = None;
                        } else {
                            tally.errors += 1;
                            continue;
                        }
                    }
                    let station = ids[random(ids.len())];
                    let sent = Instant::now();
                    let form = format!("station_id={station}");
                    let res = conn.post("book_battery", &form, Some(&cookie)).await;
                    match res.status {
                        200 => {
                            tally.booked.push(sent.elapsed());
                            tally.holding = Some(booked(&res.body));
                        }
                        409 => tally.refused += 1,
                        _ => tally.errors += 1,
                    }
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    let mut holds = Vec::new();
    for task in tasks {
        let t = task.await.expect("rider");
        all.booked.extend(t.booked);
        all.refused += t.refused;
        all.cancelled += t.cancelled;
        all.errors += t.errors;
        holds.extend(t.holding);
    }
    let elapsed = started.elapsed();
    let bystanding = bystanders::print("beside the bookings", beside.await.expect("bystanders"));
    let (server_cpu, load_cpu) = (
        cpu_time(&pid) - cpu_before.0,
        cpu_time("self") - cpu_before.1,
    );
    let db_cpu = cpu_used_since(&db_before, &cpu_times_of("postgres"));
    let (busy, cores) = machine_busy();
    let busy = busy.saturating_sub(busy_before);
    // A fresh connection: the server closed the idle one meanwhile.
    let after = seed::stations(&mut Conn::open(addr).await, &admin).await;
    let mut held_at: HashMap<i32, i64> = HashMap::new();
    for (_, station, _) in &holds {
        *held_at.entry(*station).or_insert(0) += 1;
    }
    let distinct: HashSet<i64> = holds.iter().map(|h| h.2).collect();
    let mismatched = after
        .iter()
        .zip(&before)
        .filter(|((id, available, _), (_, was, _))| {
            let held = held_at.get(id).copied().unwrap_or(0);
            *available + held != *was
        })
        .count();
    println!(
        "throughput for {}: {:.0} bookings/s ({} booked, each later cancelled but the last), {:.0} refusals/s (no pack left), {:.0} cancels/s, {} errors; booking latency p50 {}, p99 {}",
        ms(elapsed),
        per_second(all.booked.len(), elapsed),
        all.booked.len(),
        per_second(all.refused, elapsed),
        per_second(all.cancelled, elapsed),
        all.errors,
        ms(percentile(&mut all.booked, 50.0)),
        ms(percentile(&mut all.booked, 99.0)),
    );
    // The bystanders' requests are the server's work too.
    let requests = all.booked.len() + all.refused + all.cancelled + all.errors + bystanding;
    println!(
        "CPU: the server used {:.1} s ({:.0}% of one core; {:.2} ms per request, {requests} requests with the bystanders'), this load process {:.1} s",
        server_cpu.as_secs_f64(),
        100.0 * server_cpu.as_secs_f64() / elapsed.as_secs_f64(),
        server_cpu.as_secs_f64() * 1000.0 / requests.max(1) as f64,
        load_cpu.as_secs_f64(),
    );
    // Whether the machine, not the server, is the limit: every core's busy time in the phase,
    // and who used it (PostgreSQL's backends count only on PostgreSQL).
    let share = |d: Duration| 100.0 * d.as_secs_f64() / elapsed.as_secs_f64();
    println!(
        "the machine: {:.0}% busy of {cores} cores ({:.0}% = {cores} cores fully used): server {:.0}%, PostgreSQL {:.0}%, this load process {:.0}%, everything else {:.0}%; {:.2} ms of CPU per booking all told",
        share(busy),
        100.0 * cores as f64,
        share(server_cpu),
        share(db_cpu),
        share(load_cpu),
        share(busy.saturating_sub(server_cpu + db_cpu + load_cpu)),
        busy.as_secs_f64() * 1000.0 / all.booked.len().max(1) as f64,
    );
    println!(
        "afterwards: {} holds on {} different packs; stations whose available count disagrees with the holds: {mismatched}",
        holds.len(),
        distinct.len()
    );
    let writes = all.booked.len() + all.refused + all.cancelled;
    (
        per_second(writes, elapsed),
        per_second(all.booked.len(), elapsed),
    )
}

/// Prints the server's write transactions against the raw baseline's (`raw_writes`), and the
/// bookings per second the raw rate allows at the server's mix of writes per booking.
pub fn against_raw(database: &str, connections: u32, raw: f64, (writes, bookings): (f64, f64)) {
    let per_booking = writes / bookings.max(1e-9);
    println!(
        "raw {database} (the server's driver and settings, {connections} connections, no server): {raw:.0} write transactions/s of a booking's statement count on two small tables; the server made {writes:.0}/s (bookings + refusals + cancels) = {:.0}% of raw; at its {per_booking:.2} writes per booking, raw allows at most {:.0} bookings/s",
        100.0 * writes / raw,
        raw / per_booking,
    );
}

/// The raw limit of PostgreSQL on this machine for what a booking's commit needs: `tasks`
/// connections each committing small transactions (one row update, as a booking bumps its
/// station's version) for `DURATION / 5`, without and then with a `pg_notify` in each (a
/// booking's events are one). PostgreSQL serialises the commits of notifying transactions
/// (a global lock held from pre-commit to the end of the commit), which is what this shows.
pub async fn postgres_commit_limit(url: &str, tasks: usize) {
    use sea_orm::{ConnectOptions, ConnectionTrait, Database, TransactionTrait};
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(tasks as u32).sqlx_logging(false);
    let db = Database::connect(opts).await.expect("connect");
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS load_commits (id int PRIMARY KEY, n bigint NOT NULL);
         INSERT INTO load_commits SELECT g, 0 FROM generate_series(0, 999) g ON CONFLICT DO NOTHING",
    )
    .await
    .expect("table");
    for notify in [false, true] {
        let rate =
            crate::raw_writes::per_second_for(&db, tasks, DURATION / 5, move |db, k| async move {
                let txn = db.begin().await.expect("begin");
                let sql = format!("UPDATE load_commits SET n = n + 1 WHERE id = {k}");
                txn.execute_unprepared(&sql).await.expect("update");
                if notify {
                    txn.execute_unprepared("SELECT pg_notify('load_commits', 'x')")
                        .await
                        .expect("notify");
                }
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the raw baseline: a bare transaction, not one of the server's changes"
                )]
                txn.commit().await.expect("commit");
            })
            .await;
        println!(
            "raw PostgreSQL, {tasks} connections: {rate:.0} commits/s {}",
            if notify {
                "each with a NOTIFY"
            } else {
                "without NOTIFY"
            }
        );
    }
    let _ = db.execute_unprepared("DROP TABLE load_commits").await;
}
