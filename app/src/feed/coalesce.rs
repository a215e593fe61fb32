//! Turning a burst of feed events into at most one refetch a second.
//!
//! Every station event used to make every open page refetch its station: one booking cost two
//! requests per open page, so a thousand riders watching a busy station turned each booking
//! into two thousand requests. Pages now apply what a message carries and refetch only what it
//! does not, through a counter bumped at most once a second.
use leptos::prelude::*;
use std::time::Duration;

/// The shortest time between two refetches.
const EVERY_MS: f64 = 1000.0;

/// A counter that `poke` bumps at once when the last bump is a period old, else once at the
/// end of that period, however many pokes came meanwhile.
#[derive(Clone, Copy)]
pub struct Coalesced {
    count: RwSignal<u64>,
    every_ms: f64,
    last_ms: StoredValue<f64>,
    pending: StoredValue<bool>,
}

impl Coalesced {
    /// At most one bump a second.
    pub fn new() -> Self {
        Self::every_ms(EVERY_MS)
    }

    /// At most one bump per `every_ms` milliseconds.
    pub fn every_ms(every_ms: f64) -> Self {
        Self {
            count: RwSignal::new(0),
            every_ms,
            last_ms: StoredValue::new(f64::NEG_INFINITY),
            pending: StoredValue::new(false),
        }
    }

    /// The counter, for a `Resource`'s source.
    pub fn signal(self) -> ReadSignal<u64> {
        self.count.read_only()
    }

    /// Asks for a bump.
    pub fn poke(self) {
        if self.pending.get_value() {
            return;
        }
        let wait = self.last_ms.get_value() + self.every_ms - now_ms();
        let bump = move || {
            self.pending.set_value(false);
            self.last_ms.set_value(now_ms());
            self.count.update(|n| *n += 1);
        };
        if wait <= 0.0 {
            bump();
        } else {
            self.pending.set_value(true);
            set_timeout(bump, Duration::from_millis(wait.ceil() as u64));
        }
    }
}

impl Default for Coalesced {
    fn default() -> Self {
        Self::new()
    }
}

/// The browser's clock, in milliseconds since the epoch.
#[cfg(feature = "hydrate")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Feeds never connect and effects never run during server rendering: no clock is needed there.
#[cfg(not(feature = "hydrate"))]
pub fn now_ms() -> f64 {
    0.0
}
