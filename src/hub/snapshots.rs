//! The station snapshots that greet new sockets, kept between connects so that a connect costs
//! no database query while nothing changed (issue #12: thousands of riders reconnecting at
//! once after a deploy must not become thousands of identical queries).
//!
//! Validity is by generation, not by time: the hub calls [`Snapshots::changed`] for every
//! station event it dispatches (local commits, other instances' NOTIFYs and the refreshes after
//! a lost listener alike), and a snapshot is served only while no event of its station has
//! been dispatched since its load began. A load that overlaps an event is used once and not
//! kept; its socket subscribed before loading, so the event reaches it after the greeting.
//!
//! Loads of one key are single-flight: when a thousand sockets connect to a cold or just
//! invalidated snapshot at once, one loads and the rest wait for it (measured: without this,
//! six instances starting together exhausted PostgreSQL's connections with identical queries).
use app::error::AppResult;
use app::station::StationSummary;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// `None`: the all-stations list; `Some(id)`: one station.
type Key = Option<i32>;

#[derive(Default)]
struct Inner {
    /// Incremented by every change; the generation a change gives its keys.
    clock: u64,
    /// Per key, the generation of its latest change (0: none since start).
    changed_at: HashMap<Key, u64>,
    /// Per key, the generation it was loaded at, and what was loaded.
    loaded: HashMap<Key, (u64, Arc<[StationSummary]>)>,
}

#[derive(Default)]
pub struct Snapshots {
    inner: Mutex<Inner>,
    /// Per key, the lock its loader holds while loading.
    loading: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl Snapshots {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every update leaves the maps consistent; a panic elsewhere cannot corrupt them.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A station changed: its snapshot and the all-stations list are stale.
    pub fn changed(&self, station_id: i32) {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        inner.changed_at.insert(Some(station_id), now);
        inner.changed_at.insert(None, now);
    }

    /// Every station, from the cache or from `load`.
    pub async fn all<F>(&self, load: F) -> AppResult<Arc<[StationSummary]>>
    where
        F: Future<Output = AppResult<Vec<StationSummary>>>,
    {
        self.get(None, load).await
    }

    /// One station, from the cache or from `load` (an unknown station is not cached).
    pub async fn station<F>(&self, station_id: i32, load: F) -> AppResult<Arc<[StationSummary]>>
    where
        F: Future<Output = AppResult<StationSummary>>,
    {
        self.get(Some(station_id), async { Ok(vec![load.await?]) })
            .await
    }

    /// The cached value if it is still valid; else the generation a load must be made at.
    fn cached(&self, key: Key) -> Result<Arc<[StationSummary]>, u64> {
        let inner = self.lock();
        let generation = inner.changed_at.get(&key).copied().unwrap_or(0);
        match inner.loaded.get(&key) {
            Some((at, value)) if *at == generation => Ok(Arc::clone(value)),
            _ => Err(generation),
        }
    }

    async fn get<F>(&self, key: Key, load: F) -> AppResult<Arc<[StationSummary]>>
    where
        F: Future<Output = AppResult<Vec<StationSummary>>>,
    {
        if let Ok(value) = self.cached(key) {
            return Ok(value);
        }
        let gate = {
            let mut loading = self.loading.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(loading.entry(key).or_default())
        };
        let _loader = gate.lock().await;
        // Whoever held the gate before may have loaded it meanwhile.
        let generation = match self.cached(key) {
            Ok(value) => return Ok(value),
            Err(generation) => generation,
        };
        let value: Arc<[StationSummary]> = load.await?.into();
        let mut inner = self.lock();
        if inner.changed_at.get(&key).copied().unwrap_or(0) == generation {
            inner.loaded.insert(key, (generation, Arc::clone(&value)));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::station::{StationCounts, StationStatus};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn summary(id: i32, version: i64) -> StationSummary {
        StationSummary {
            id,
            status: StationStatus::Online,
            name: format!("S{id}"),
            address: String::new(),
            latitude: 0.0,
            longitude: 0.0,
            status_message: String::new(),
            counts: StationCounts::default(),
            available_by_model: Default::default(),
            version,
        }
    }

    /// Loads station `id` at `version`, counting loads.
    async fn load(loads: &AtomicUsize, id: i32, version: i64) -> AppResult<StationSummary> {
        loads.fetch_add(1, Ordering::SeqCst);
        Ok(summary(id, version))
    }

    #[tokio::test]
    async fn loads_once_until_its_station_changes() {
        let (cache, loads) = (Snapshots::default(), AtomicUsize::new(0));
        for _ in 0..3 {
            let got = cache.station(1, load(&loads, 1, 5)).await.unwrap();
            assert_eq!(got[0].version, 5);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1, "served from the cache");
        cache.changed(2);
        cache.station(1, load(&loads, 1, 5)).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 1, "another station changed");
        cache.changed(1);
        let got = cache.station(1, load(&loads, 1, 6)).await.unwrap();
        assert_eq!((got[0].version, loads.load(Ordering::SeqCst)), (6, 2));
    }

    #[tokio::test]
    async fn any_station_change_invalidates_the_list() {
        let (cache, loads) = (Snapshots::default(), AtomicUsize::new(0));
        let list = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(vec![summary(1, 1), summary(2, 1)])
        };
        cache.all(list()).await.unwrap();
        cache.all(list()).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        cache.changed(2);
        cache.all(list()).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_load_that_overlaps_a_change_is_not_kept() {
        let (cache, loads) = (Snapshots::default(), AtomicUsize::new(0));
        // The change lands while the load is under way: what it read may predate it.
        let racing = async {
            let s = load(&loads, 1, 5).await;
            cache.changed(1);
            s
        };
        assert_eq!(cache.station(1, racing).await.unwrap()[0].version, 5);
        let got = cache.station(1, load(&loads, 1, 6)).await.unwrap();
        assert_eq!(got[0].version, 6, "loaded again, not served stale");
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_misses_load_once() {
        let (cache, loads) = (Snapshots::default(), AtomicUsize::new(0));
        let slow = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(summary(1, 3))
        };
        let all = futures::future::join_all((0..50).map(|_| cache.station(1, slow()))).await;
        assert!(
            all.iter()
                .all(|r| r.as_ref().is_ok_and(|s| s[0].version == 3))
        );
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unknown_station_is_not_cached() {
        let (cache, loads) = (Snapshots::default(), AtomicUsize::new(0));
        for _ in 0..2 {
            let missing = async {
                loads.fetch_add(1, Ordering::SeqCst);
                Err(app::error::AppError::not_found("Station"))
            };
            assert!(cache.station(9, missing).await.is_err());
        }
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }
}
