//! SQLite's one write lock, taken in turn before a change begins, the short ones first (server
//! only).
//!
//! SQLite lets one transaction write at a time. A connection that finds the lock taken sleeps in
//! SQLite's busy handler and tries again, so beside a stream of bookings on the writer thread,
//! any other write (a rider marking notifications read, a staff edit, a device's report) kept
//! missing the moments between two bookings: p99 0.3–0.5 s (docs/perf). Here every change on
//! an SQLite file takes the gate before it begins ([`crate::change::Change::begin`]) and holds
//! it until it has committed or rolled back: an ordinary change waits for the change in
//! progress only, ahead of the bookings and cancels queued on the writer.
//!
//! PostgreSQL has no such lock (rows lock one by one), so there is no gate.
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::error::{AppError, AppResult};

/// Which queue a change waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Ordinary changes: served first.
    Short,
    /// The writer thread's stream of bookings and cancels.
    Stream,
}

#[derive(Default)]
struct Queues {
    held: bool,
    short: VecDeque<tokio::sync::oneshot::Sender<Pass>>,
    stream: VecDeque<tokio::sync::oneshot::Sender<Pass>>,
}

/// The gate: one per SQLite database this process writes.
#[derive(Clone, Default)]
pub struct WriteGate(Arc<Mutex<Queues>>);

/// The right to write, until dropped; then it passes to the next change waiting.
pub struct Pass(Option<WriteGate>);

impl Drop for Pass {
    fn drop(&mut self) {
        if let Some(gate) = self.0.take() {
            gate.pass_on();
        }
    }
}

/// A change's place at the gate: which gate, in which lane.
#[derive(Clone)]
pub struct Gated {
    pub gate: WriteGate,
    pub lane: Lane,
}

impl WriteGate {
    /// Waits for the right to write: at once when nobody has it, else after the changes ahead
    /// (every short one before any of the stream).
    pub async fn enter(&self, lane: Lane) -> AppResult<Pass> {
        let turn = {
            let mut q = self.0.lock().map_err(|_| AppError::Internal)?;
            if !q.held {
                q.held = true;
                return Ok(Pass(Some(self.clone())));
            }
            let (tell, turn) = tokio::sync::oneshot::channel();
            match lane {
                Lane::Short => q.short.push_back(tell),
                Lane::Stream => q.stream.push_back(tell),
            }
            turn
        };
        turn.await.map_err(|_| AppError::Internal)
    }

    /// Changes waiting at the gate (for tests and metrics).
    pub fn waiting(&self) -> usize {
        self.0.lock().map_or(0, |q| q.short.len() + q.stream.len())
    }

    /// Hands the right to write to the next change still waiting, or frees the gate. A change
    /// that stopped waiting (its request dropped) is skipped; one dropped just after it was
    /// handed the pass drops the pass too, which comes back here.
    fn pass_on(&self) {
        let Ok(mut q) = self.0.lock() else {
            return;
        };
        while let Some(next) = q.short.pop_front().or_else(|| q.stream.pop_front()) {
            match next.send(Pass(Some(self.clone()))) {
                Ok(()) => return,
                // Nobody took it: forget it without passing on again (we hold the lock).
                Err(mut unwanted) => unwanted.0 = None,
            }
        }
        q.held = false;
    }
}
