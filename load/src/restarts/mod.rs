//! `load restarts` (issue #36): restarts and crashes lose nobody. Run by `.ci/topology` through
//! the nginx it starts, against two instances on one PostgreSQL database:
//!
//! ```sh
//! load restarts --through https://localhost:8443 --ca fullchain.pem --ports 8021,8022 \
//!     --postgres postgres://…/db --logs DIR -- target/debug/battery-swap --database-url … …
//! ```
//!
//! Riders book and cancel (keyed, retrying a lost answer) and 1,000 subscribers watch while
//! instance A, then B, is stopped with SIGTERM and started again, then the same with kill -9.
//! For each it prints the requests that failed as the rider saw them after every retry, how
//! long until every subscriber was back, and at the end the double bookings in the database
//! and whether every subscriber's counts are the database's. Exits 1 if a goal is missed.
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

mod check;
mod instance;
mod riders;
mod seed;
mod tls;
mod watchers;

use instance::{Instance, Stop};
use riders::{Record, Rider, Tally};
use watchers::Watchers;

pub struct Options {
    pub through: String,
    pub ca: String,
    pub ports: Vec<u16>,
    pub postgres: String,
    pub logs: PathBuf,
    pub subscribers: usize,
    pub riders: usize,
    /// The server's program and flags (`--addr` and the load's limits are added).
    pub command: Vec<String>,
}

/// Load with every instance up, before the first stop and after each restart.
const STEADY: Duration = Duration::from_secs(3);
/// The longest any subscriber may take to be back, or the counts to agree.
const LIMIT: Duration = Duration::from_secs(60);

/// One stop and start of one instance, as measured.
struct Event {
    how: Stop,
    instance: String,
    /// Sockets the instance held when it was stopped (its own gauge).
    sockets: usize,
    exited: Duration,
    /// From the signal until every subscriber held a socket again; `None`: not within LIMIT.
    back: Option<Duration>,
    going_away: usize,
}

pub async fn run(o: Options) {
    let front = tls::Front::new(&o.through, &o.ca);
    let mut instances: Vec<Instance> = ["a", "b"]
        .iter()
        .zip(&o.ports)
        .map(|(name, port)| Instance::new(name, *port, &o.command, &o.logs))
        .collect();
    for instance in &mut instances {
        instance.start().await;
    }
    let tag = format!("restarts{}", std::process::id());
    let cookies = seed::riders(&front, &tag, o.riders).await;
    let stations = Arc::new(seed::online_stations(&front, &cookies[0]).await);
    let paths = seed::feeds(&stations, o.subscribers);
    println!(
        "restarts: {} riders booking and cancelling at {} stations, {} subscribers, through {}",
        cookies.len(),
        stations.len(),
        paths.len(),
        o.through
    );
    let watchers = Watchers::start(&front, paths);
    assert!(
        watchers.all_connected(LIMIT).await,
        "the subscribers connect"
    );

    let record = Arc::new(Record::default());
    let stop = CancellationToken::new();
    let riders: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(number, cookie)| {
            let rider = Rider {
                number,
                tag: tag.clone(),
                cookie,
                front: front.clone(),
                stations: stations.clone(),
                record: record.clone(),
                stop: stop.clone(),
            };
            tokio::spawn(rider.run())
        })
        .collect();
    tokio::time::sleep(STEADY).await;

    let mut events = Vec::new();
    for (n, (how, i)) in [
        (Stop::Term, 0),
        (Stop::Term, 1),
        (Stop::Kill, 0),
        (Stop::Kill, 1),
    ]
    .into_iter()
    .enumerate()
    {
        record.phase.store(n + 1, Ordering::SeqCst);
        let instance = &mut instances[i];
        let sockets = instance.sockets_open().await;
        // Else the waits below would hold at once, and the 1001 check of nothing.
        assert!(
            sockets > 0,
            "{} holds no socket before its stop",
            instance.name
        );
        let shared = &watchers.shared;
        let (drops, going_away) = (
            shared.drops.load(Ordering::SeqCst),
            shared.going_away.load(Ordering::SeqCst),
        );
        let started = Instant::now();
        let exited = instance.stop(how).await;
        let everyone = watchers.count;
        let back = watchers
            .until(LIMIT, |s| {
                s.drops.load(Ordering::SeqCst) >= drops + sockets
                    && s.connected.load(Ordering::SeqCst) == everyone
            })
            .await
            .then(|| started.elapsed());
        instance.start().await;
        events.push(Event {
            how,
            instance: instance.name.clone(),
            sockets,
            exited,
            back,
            going_away: shared.going_away.load(Ordering::SeqCst) - going_away,
        });
        tokio::time::sleep(STEADY).await;
    }

    record.phase.store(events.len() + 1, Ordering::SeqCst);
    stop.cancel();
    // Each rider cancels its booking before it ends; one that cannot get an answer keeps trying.
    let mut stuck = 0;
    for rider in riders {
        match tokio::time::timeout(LIMIT, rider).await {
            Ok(Ok(())) => {}
            Ok(Err(panicked)) => panic!("a rider failed: {panicked}"),
            Err(_) => stuck += 1,
        }
    }
    let db = sea_orm::Database::connect(&o.postgres)
        .await
        .expect("the test database");
    let truth = check::counts(&db).await;
    let agreed = Instant::now();
    let agreeing = watchers.agree(truth, LIMIT).await;
    let agreed = agreed.elapsed();
    let doubles = check::doubles(&db, &format!("{tag}-%")).await;
    let tallies = record.tallies.lock().expect("tallies").clone();
    let answers = record.answers.lock().expect("answers").clone();
    watchers.stop().await;
    for instance in &mut instances {
        instance.stop(Stop::Term).await;
    }

    if stuck > 0 {
        println!(
            "riders still without an answer {} s after the end: {stuck}",
            LIMIT.as_secs()
        );
    }
    let ok = stuck == 0
        && report(
            &events,
            &tallies,
            &answers,
            &doubles,
            agreeing,
            o.subscribers,
            agreed,
        );
    if !ok {
        eprintln!(
            "restarts: a goal was missed; the instances' logs: {}",
            o.logs.display()
        );
        std::process::exit(1);
    }
}

/// Prints the figures; whether every goal was met.
fn report(
    events: &[Event],
    tallies: &[Tally],
    answers: &[(String, i64)],
    doubles: &check::Doubles,
    agreeing: usize,
    subscribers: usize,
    agreed: Duration,
) -> bool {
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    let tally = |k: usize| tallies.get(k).cloned().unwrap_or_default();
    let steady = tally(0);
    println!(
        "steady, every instance up: {} requests, {} retried, {} failed",
        steady.requests, steady.retried, steady.failed
    );
    println!(
        "{:<8} {:<8} {:>7} {:>9} {:>9} {:>10} {:>9} {:>8} {:>7}",
        "stop",
        "instance",
        "sockets",
        "exited",
        "1001s",
        "all back",
        "requests",
        "retried",
        "failed"
    );
    let mut ok = steady.failed == 0;
    for (k, e) in events.iter().enumerate() {
        let t = tally(k + 1);
        println!(
            "{:<8} {:<8} {:>7} {:>9} {:>9} {:>10} {:>9} {:>8} {:>7}",
            e.how.name(),
            e.instance,
            e.sockets,
            ms(e.exited),
            e.going_away,
            e.back.map_or("NOT BACK".into(), ms),
            t.requests,
            t.retried,
            t.failed
        );
        for failure in &t.failures {
            println!("  failed: {failure}");
        }
        // A phase without a booking exercised nothing.
        ok &= t.failed == 0 && e.back.is_some() && t.booked > 0;
        // A graceful stop says goodbye to every socket it held.
        ok &= e.how == Stop::Kill || e.going_away >= e.sockets;
    }
    let all: Tally = tallies.iter().fold(Tally::default(), |mut sum, t| {
        sum.requests += t.requests;
        sum.failed += t.failed;
        sum.booked += t.booked;
        sum.none_left += t.none_left;
        sum.cancelled += t.cancelled;
        sum
    });
    let mut ids: Vec<i64> = answers.iter().map(|a| a.1).collect();
    ids.sort_unstable();
    ids.dedup();
    println!(
        "riders in all: {} requests, {} failed; {} booked, {} cancelled, {} refused (no charged pack left)",
        all.requests, all.failed, all.booked, all.cancelled, all.none_left
    );
    println!(
        "double bookings: {} riders and {} packs with two active bookings, {} packs whose state \
         disagrees with their bookings; bookings in the database {} for {} answered ({} distinct), \
         {} left active",
        doubles.riders,
        doubles.packs,
        doubles.mismatched_packs,
        doubles.made,
        answers.len(),
        ids.len(),
        doubles.active
    );
    println!(
        "subscribers whose counts are the database's at the end: {agreeing} of {subscribers} (within {})",
        ms(agreed)
    );
    ok &= all.failed == 0
        && doubles.riders == 0
        && doubles.packs == 0
        && doubles.mismatched_packs == 0
        && doubles.made == answers.len() as i64
        && ids.len() == answers.len()
        && doubles.active == 0
        && agreeing == subscribers;
    ok
}
