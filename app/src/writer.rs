//! SQLite's write transactions on one thread of their own, beside their connections' threads
//! on one core (server only).
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is a trip from the
//! request's task to that thread and back. Between two cores of this kind of machine a trip
//! costs ~60 µs, on one core ~4 µs (`load handoff`), and a booking makes about nine while it
//! holds SQLite's one write lock, so the trips, not the SQL, set how many writes a second the
//! database takes. Here the hot write paths run on a single-threaded runtime pinned to one
//! core, with a pool whose connections' threads are started from it (and so inherit its core);
//! everything else (HTTP, pages, sockets, reads) stays on the main runtime.
//!
//! PostgreSQL has no such lock (and several instances), so there is no writer: `Ctx::write`
//! runs the change where it is called.
use sea_orm::{DatabaseConnection, DbErr};
use std::future::Future;
use std::pin::Pin;

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// Changes that may wait for the writer, or run on it, at once. At the ~1,000 bookings a
/// second this machine's writer makes, that is about two seconds of waiting: a longer queue
/// would only make every rider wait longer, so the next change is refused at once (503 with
/// `Retry-After`) instead of joining it.
pub const MAX_WAITING: usize = 2048;

/// Changes one user may have waiting or running at once (a double click is two): without it,
/// one rider's flood of bookings could take every place and leave the others a 503. More get
/// 429 at once.
pub const MAX_PER_USER: u32 = 4;

/// The writer thread's inbox, and the pool its changes use.
#[derive(Clone)]
pub struct Writer {
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
    /// One permit per change waiting or running: the inbox's bound.
    places: std::sync::Arc<tokio::sync::Semaphore>,
    /// Changes waiting or running per user, for [`MAX_PER_USER`].
    per_user: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<i32, u32>>>,
    /// The database's write lock, in turn: the writer's changes queue in the stream lane.
    gate: crate::write_gate::WriteGate,
    pub(crate) db: DatabaseConnection,
}

/// A user's place among the changes waiting or running, given back when dropped.
struct UserPlace {
    per_user: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<i32, u32>>>,
    user_id: i32,
}

impl Drop for UserPlace {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.per_user.lock()
            && let Some(n) = counts.get_mut(&self.user_id)
        {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.user_id);
            }
        }
    }
}

impl Writer {
    /// Starts the writer thread, pinned to the machine's last core when it has more than one,
    /// and opens its pool there with `connect`. At most `max_waiting` changes wait or run on
    /// it at once ([`MAX_WAITING`] in the server).
    pub async fn start<F, Fut>(connect: F, max_waiting: usize) -> Result<Writer, DbErr>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<DatabaseConnection, DbErr>>,
    {
        let (jobs, mut inbox) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (opened, pool) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let cores = core_affinity::get_core_ids().unwrap_or_default();
                if cores.len() > 1
                    && let Some(last) = cores.last()
                {
                    core_affinity::set_for_current(*last);
                }
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = opened.send(Err(DbErr::Custom(format!("writer runtime: {e}"))));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let db = connect().await;
                    let ok = db.is_ok();
                    let _ = opened.send(db);
                    if !ok {
                        return;
                    }
                    while let Some(job) = inbox.recv().await {
                        tokio::spawn(job());
                    }
                });
            });
        if let Err(e) = spawned {
            return Err(DbErr::Custom(format!("writer thread: {e}")));
        }
        let db = pool
            .await
            .map_err(|_| DbErr::Custom("writer thread ended".into()))??;
        let places = std::sync::Arc::new(tokio::sync::Semaphore::new(max_waiting));
        Ok(Writer {
            jobs,
            places,
            per_user: Default::default(),
            gate: Default::default(),
            db,
        })
    }

    /// Runs `change` on the writer thread, for `user_id` when a user asked for it, and returns
    /// its result. A change whose caller has gone (the request timed out, the client left)
    /// is dropped where it stands and rolled back, as it would have been on the caller's own
    /// task, unless it has begun to commit: from there its own task commits and publishes
    /// it (`Change::commit`), so a committed change is never left untold. Refused at once with
    /// [`MAX_WAITING`] changes already waiting or running (`Busy`, 503), or with the user's
    /// [`MAX_PER_USER`] (`RateLimited`, 429).
    pub(crate) async fn run<T, Fut>(&self, user_id: Option<i32>, change: Fut) -> AppResult<T>
    where
        T: Send + 'static,
        Fut: Future<Output = AppResult<T>> + Send + 'static,
    {
        let user_place = match user_id {
            Some(user_id) => Some(self.user_place(user_id)?),
            None => None,
        };
        let Ok(place) = self.places.clone().try_acquire_owned() else {
            tracing::warn!("the SQLite writer's queue is full: change refused");
            return Err(AppError::Busy {
                retry_after_secs: 1,
            });
        };
        let (mut done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            Box::pin(async move {
                let _places = (place, user_place);
                tokio::select! {
                    made = change => {
                        let _ = done.send(made);
                    }
                    () = done.closed() => {}
                }
            })
        });
        if self.jobs.send(job).is_err() {
            tracing::error!("the SQLite writer thread has stopped");
            return Err(AppError::Internal);
        }
        result.await.map_err(|_| {
            tracing::error!("a change on the SQLite writer thread was dropped unfinished");
            AppError::Internal
        })?
    }

    /// A place at this database's write gate, in `lane`.
    pub fn gated(&self, lane: crate::write_gate::Lane) -> crate::write_gate::Gated {
        crate::write_gate::Gated {
            gate: self.gate.clone(),
            lane,
        }
    }

    /// Takes one of the user's places, or refuses when they have [`MAX_PER_USER`] already.
    fn user_place(&self, user_id: i32) -> AppResult<UserPlace> {
        let mut counts = self.per_user.lock().map_err(|_| AppError::Internal)?;
        let n = counts.entry(user_id).or_insert(0);
        if *n >= MAX_PER_USER {
            tracing::warn!(user_id, "too many changes of one user on the SQLite writer");
            return Err(AppError::RateLimited);
        }
        *n += 1;
        Ok(UserPlace {
            per_user: self.per_user.clone(),
            user_id,
        })
    }
}
