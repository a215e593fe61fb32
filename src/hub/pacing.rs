//! At most one delivery per station per second to the watch feed (`/ws/watch/`), carrying the
//! latest counts and status.
//!
//! The map's sockets need the state of what they show, not every step of it: a station
//! booked ten times in a second is one delivery of its final counts to each of its watchers
//! (issue #31: a city's 100,000 open maps at 120 bookings/s). Pacing is per station, not per
//! socket: one clock per station, however many watch it.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

use super::SharedFrame;

/// The shortest time between two deliveries of one station.
pub const EVERY: Duration = Duration::from_secs(1);

/// What is paced, one latest frame each: a station's counts and its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counts = 0,
    Status = 1,
}

/// What to do with a frame just offered.
#[derive(Debug, PartialEq, Eq)]
pub enum Pace {
    /// Deliver it now.
    Now,
    /// Held; flush the station at this time (nothing was waiting for it before).
    Later(Instant),
    /// Held, replacing an older frame of its kind; a flush is already due.
    Held,
}

#[derive(Default)]
struct Station {
    /// No delivery before this.
    next_at: Option<Instant>,
    /// The latest frame of each kind since the last delivery.
    waiting: [Option<SharedFrame>; 2],
    /// A flush is scheduled.
    due: bool,
}

/// Per station, when it may be delivered next and what waits for then. Holds one small entry
/// per station ever delivered to a watcher: bounded by the stations of the network.
#[derive(Default)]
pub struct Pacing {
    stations: Mutex<HashMap<i32, Station>>,
}

impl Pacing {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Station>> {
        self.stations.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new frame of `station`: delivered now if the station's last delivery is a period old,
    /// else kept (the latest of its kind wins) for the flush at the end of that period.
    pub fn offer(&self, station: i32, kind: Kind, frame: &SharedFrame, now: Instant) -> Pace {
        let mut stations = self.lock();
        let s = stations.entry(station).or_default();
        if !s.due && s.next_at.is_none_or(|at| now >= at) {
            s.next_at = Some(now + EVERY);
            return Pace::Now;
        }
        s.waiting[kind as usize] = Some(SharedFrame::clone(frame));
        if s.due {
            return Pace::Held;
        }
        s.due = true;
        Pace::Later(s.next_at.unwrap_or(now))
    }

    /// The frames waiting for `station`'s flush, oldest event first; the next period starts.
    pub fn flush(&self, station: i32, now: Instant) -> Vec<SharedFrame> {
        let mut stations = self.lock();
        let Some(s) = stations.get_mut(&station) else {
            return Vec::new();
        };
        s.due = false;
        s.next_at = Some(now + EVERY);
        let mut frames: Vec<SharedFrame> = s.waiting.iter_mut().filter_map(Option::take).collect();
        frames.sort_by_key(|f| f.order.map(|(_, seq)| seq));
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::Frame;
    use axum::extract::ws::Utf8Bytes;
    use std::sync::Arc;

    fn frame(seq: i64) -> SharedFrame {
        Arc::new(Frame {
            order: Some((1, seq)),
            text: Utf8Bytes::from(seq.to_string()),
        })
    }

    #[test]
    fn one_delivery_a_period_with_the_latest_of_each_kind() {
        let t0 = Instant::now();
        let p = Pacing::default();
        assert_eq!(p.offer(1, Kind::Counts, &frame(16), t0), Pace::Now);
        let half = t0 + EVERY / 2;
        assert_eq!(
            p.offer(1, Kind::Counts, &frame(32), half),
            Pace::Later(t0 + EVERY)
        );
        assert_eq!(p.offer(1, Kind::Status, &frame(33), half), Pace::Held);
        assert_eq!(p.offer(1, Kind::Counts, &frame(48), half), Pace::Held);
        assert_eq!(
            p.offer(2, Kind::Counts, &frame(16), half),
            Pace::Now,
            "per station"
        );
        let flushed: Vec<_> = p
            .flush(1, t0 + EVERY)
            .iter()
            .map(|f| f.text.to_string())
            .collect();
        assert_eq!(
            flushed,
            ["33", "48"],
            "the latest counts, and the status, in order"
        );
        // The flush started a period: the next frame waits for its end.
        let soon = t0 + EVERY + EVERY / 4;
        assert_eq!(
            p.offer(1, Kind::Counts, &frame(64), soon),
            Pace::Later(t0 + 2 * EVERY)
        );
        assert_eq!(p.flush(1, t0 + 2 * EVERY).len(), 1);
        // A quiet station is delivered at once again.
        assert_eq!(
            p.offer(1, Kind::Counts, &frame(80), t0 + 4 * EVERY),
            Pace::Now
        );
        assert!(
            p.flush(9, t0).is_empty(),
            "nothing for a station never offered"
        );
    }
}
