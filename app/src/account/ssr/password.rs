//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on the blocking pool, never on a
//! runtime worker, and requests hash only through a [`HashGate`]: a few at a time (one per
//! core), a short queue behind them, and `503 Busy` beyond it. Without the gate, 1,000
//! parallel logins would ask the blocking pool (up to 512 threads) for ~9.5 GiB.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{AppError, AppResult};

/// How long a client turned away by a full gate is told to wait.
const BUSY_RETRY_SECS: u64 = 1;

/// Bounds the password hashes running at once (and so their memory), whatever arrives.
#[derive(Clone)]
pub struct HashGate(Arc<Gate>);

struct Gate {
    slots: Arc<Semaphore>,
    concurrency: usize,
    queue: usize,
    waiting: AtomicUsize,
}

impl std::fmt::Debug for HashGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashGate")
            .field("concurrency", &self.0.concurrency)
            .field("queue", &self.0.queue)
            .finish()
    }
}

/// The right to run one hash; held by the blocking task itself, so a hash whose caller went
/// away still counts until it finishes.
pub struct HashPermit(#[expect(dead_code, reason = "held for its Drop")] OwnedSemaphorePermit);

/// Undoes a queue place however the wait ends (a permit, or the caller dropping the request).
struct QueuePlace<'a>(&'a AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashGate {
    /// `concurrency` hashes at once (0: one per core), `queue` more waiting for a slot.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = match concurrency {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        Self(Arc::new(Gate {
            slots: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            queue,
            waiting: AtomicUsize::new(0),
        }))
    }

    /// A slot now, or after waiting in the queue; `Busy` at once when the queue is full.
    pub async fn enter(&self) -> AppResult<HashPermit> {
        let gate = &self.0;
        if let Ok(permit) = gate.slots.clone().try_acquire_owned() {
            return Ok(HashPermit(permit));
        }
        let queued = gate
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < gate.queue).then_some(n + 1)
            })
            .is_ok();
        if !queued {
            return Err(AppError::Busy {
                retry_after_secs: BUSY_RETRY_SECS,
            });
        }
        let _place = QueuePlace(&gate.waiting);
        let permit = gate.slots.clone().acquire_owned().await.map_err(|_| {
            tracing::error!("password hash gate closed");
            AppError::Internal
        })?;
        Ok(HashPermit(permit))
    }

    /// Requests waiting for a slot right now (for tests and diagnostics).
    pub fn waiting(&self) -> usize {
        self.0.waiting.load(Ordering::Acquire)
    }

    /// Hashes running right now (their permits are out), for `/metrics`.
    pub fn in_flight(&self) -> usize {
        self.0
            .concurrency
            .saturating_sub(self.0.slots.available_permits())
    }

    /// Hashes that may run at once (`--hash-concurrency`, resolved).
    pub fn concurrency(&self) -> usize {
        self.0.concurrency
    }

    /// Hashes a new password through the gate.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        let permit = self.enter().await?;
        run_blocking(move || {
            let _permit = permit;
            hash_now(&password)
        })
        .await?
    }

    /// Checks `password` against `stored` through the gate, or against a dummy hash when there
    /// is no such user, so that an unknown email costs the same time as a wrong password.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let permit = self.enter().await?;
        run_blocking(move || {
            let _permit = permit;
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
            let ok = PasswordHash::new(&stored)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            ok && known
        })
        .await
    }
}

/// Hashes outside any gate: for tools and set-up code (demo data, tests), never a request.
pub async fn hash(password: String) -> AppResult<String> {
    run_blocking(move || hash_now(&password)).await?
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing task failed");
        AppError::Internal
    })
}

fn hash_now(password: &str) -> AppResult<String> {
    salt()
        .and_then(|salt| {
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

/// A fresh 128-bit salt from the OS generator.
fn salt() -> Result<SaltString, argon2::password_hash::Error> {
    SaltString::encode_b64(&rand::random::<[u8; 16]>())
}

/// Made on first use, on the blocking pool (inside `verify`), like any other hash.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not-a-real-password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_gate_queues_a_few_then_refuses() {
        let gate = HashGate::new(1, 1);
        let held = gate.enter().await.unwrap();
        let queued = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await.map(|_| ()) }
        });
        while gate.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            gate.enter().await.err(),
            Some(AppError::Busy {
                retry_after_secs: BUSY_RETRY_SECS
            })
        );
        drop(held);
        queued.await.unwrap().unwrap();
        assert_eq!(gate.waiting(), 0);
    }

    #[tokio::test]
    async fn verify_checks_the_password_and_unknown_users_fail() {
        let gate = HashGate::new(2, 2);
        let stored = gate.hash("right password".into()).await.unwrap();
        assert!(
            gate.verify("right password".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !gate
                .verify("wrong password".into(), Some(stored))
                .await
                .unwrap()
        );
        assert!(
            !gate
                .verify("not-a-real-password".into(), None)
                .await
                .unwrap()
        );
    }
}
