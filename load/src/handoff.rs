//! The raw cost of one hand-off between two threads and back: what each statement pays on
//! SQLite, whose driver runs every connection on a thread of its own and passes each statement
//! to it and its result back. A booking's write transaction makes about nine such trips while
//! it holds the database's one write lock.
//!
//! `load handoff` prints it alone, so it can be run pinned: `taskset -c 0 load handoff` puts
//! both threads on one core.
use std::sync::mpsc::channel;
use std::time::Instant;

const TRIPS: u32 = 20_000;

/// The mean round trip, in microseconds, of `TRIPS` messages to a thread and back (each side
/// blocks in `recv`, as the driver's threads do).
pub fn round_trip_us() -> f64 {
    let (to_thread, inbox) = channel::<u32>();
    let (reply, replies) = channel::<u32>();
    let echo = std::thread::spawn(move || {
        while let Ok(n) = inbox.recv() {
            if reply.send(n).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    for n in 0..TRIPS {
        to_thread.send(n).expect("echo thread alive");
        replies.recv().expect("echo");
    }
    let took = started.elapsed();
    drop(to_thread);
    echo.join().expect("echo thread");
    took.as_secs_f64() * 1e6 / f64::from(TRIPS)
}

/// Prints the round trip (the `handoff` command, and the bookings case's baseline).
pub fn print() {
    println!(
        "thread hand-off (a statement's trip to SQLite's connection thread and back, no SQL): {:.1} µs per round trip",
        round_trip_us()
    );
}
