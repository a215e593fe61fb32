//! Turning a burst of feed events into at most one refetch a second.
//!
//! Every station event used to make every open page refetch its station: one booking cost two
//! requests per open page, so a thousand riders watching a busy station turned each booking
//! into two thousand requests. Pages now apply what a message carries and refetch only what it
//! does not, through a counter bumped at most once a second.
use leptos::prelude::*;
use std::time::Duration;

/// The shortest time between two bumps.
const EVERY_MS: f64 = 1000.0;

/// A counter that `poke` bumps at once when the last bump is a second old, else once at the
/// end of that second, however many pokes came meanwhile.
#[derive(Clone, Copy)]
pub struct Coalesced {
    count: RwSignal<u64>,
    last_ms: StoredValue<f64>,
    pending: StoredValue<bool>,
}

impl Coalesced {
    pub fn new() -> Self {
        Self {
            count: RwSignal::new(0),
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
        let wait = self.last_ms.get_value() + EVERY_MS - now_ms();
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

#[cfg(feature = "hydrate")]
fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Feeds never connect during server rendering, so nothing is ever poked there.
#[cfg(not(feature = "hydrate"))]
fn now_ms() -> f64 {
    0.0
}
