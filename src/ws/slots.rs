//! Caps on open WebSocket sockets: per client (an IPv4 address, or an IPv6 /64) and per
//! instance.
//!
//! The connect rate alone does not bound how many sockets a client keeps open (120 a minute is
//! 7,200 an hour), and every open socket holds a file descriptor, two tasks and buffers. A slot
//! is taken before the upgrade and given back when its [`Slot`] drops, however the socket ends:
//! the client closes, the hub kicks it, an error, shutdown, or an upgrade that never completes.
use app::error::AppError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a client turned away by a full instance is told to wait (`Retry-After`): sockets come
/// and go all the time, and clients add jitter to their backoff.
const FULL_RETRY_AFTER_SECS: u64 = 5;

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// The open-socket counts of one instance.
#[derive(Debug)]
pub struct SocketSlots {
    per_client: usize,
    total: usize,
    counts: Mutex<Counts>,
}

/// One open (or opening) socket's place in the counts; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<SocketSlots>,
    key: IpAddr,
}

impl SocketSlots {
    pub fn new(per_client: usize, total: usize) -> Arc<Self> {
        Arc::new(Self {
            per_client,
            total,
            counts: Mutex::new(Counts::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // Counts are updated in one step each; a panic elsewhere cannot leave them half-done.
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a client (`key` from `app::client_addr::limit_key`): `RateLimited` (429) when
    /// that client holds its share, `Busy` (503) when the instance is full.
    pub fn acquire(self: &Arc<Self>, key: IpAddr) -> Result<Slot, AppError> {
        let mut counts = self.lock();
        let mine = counts.by_client.get(&key).copied().unwrap_or(0);
        if mine >= self.per_client {
            return Err(AppError::RateLimited);
        }
        if counts.total >= self.total {
            return Err(AppError::Busy {
                retry_after_secs: FULL_RETRY_AFTER_SECS,
            });
        }
        counts.total += 1;
        counts.by_client.insert(key, mine + 1);
        Ok(Slot {
            slots: Arc::clone(self),
            key,
        })
    }

    /// Sockets open on this instance.
    pub fn open(&self) -> usize {
        self.lock().total
    }

    /// Sockets open for the client whose limit key is `key`.
    pub fn open_for(&self, key: IpAddr) -> usize {
        self.lock().by_client.get(&key).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.slots.lock();
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.by_client.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                // Only clients with open sockets are kept: the map is bounded by `total`.
                counts.by_client.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_client_then_per_instance_and_released_on_drop() {
        let slots = SocketSlots::new(2, 3);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let a1 = slots.acquire(a).unwrap();
        let _a2 = slots.acquire(a).unwrap();
        assert_eq!(slots.acquire(a).unwrap_err(), AppError::RateLimited);
        let _b1 = slots.acquire(b).unwrap();
        assert!(matches!(slots.acquire(b), Err(AppError::Busy { .. })));
        drop(a1);
        assert_eq!((slots.open(), slots.open_for(a)), (2, 1));
        assert!(slots.acquire(b).is_ok(), "a freed place is taken again");
        assert_eq!(slots.open(), 2, "the temporary slot was dropped at once");
    }
}
