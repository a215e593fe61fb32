//! What a watch socket (`/ws/watch/`, see [`super::watch`]) does with a `watch`: follow the
//! stations asked for, and answer with the snapshot of each.
use app::feed::ssr::DomainEvent;
use app::feed::{FeedMessage, StationSnapshot, WATCH_MAX};
use app::station::{self, StationSummary};
use sea_orm::DatabaseConnection;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::hub::{Hub, Subscription};

/// What a watch socket needs to change what it follows.
pub struct Follow {
    pub hub: Arc<Hub>,
    pub db: DatabaseConnection,
}

/// What a `watch` answers: the reply, and per station the event order its snapshot reflects.
pub struct Followed {
    pub reply: FeedMessage,
    pub floor: Vec<(i32, i64)>,
}

impl Follow {
    /// Follows `asked` (in order, each once, unknown and closed stations left out) from now
    /// on, and says so with the current state of each. More than [`WATCH_MAX`] stations is
    /// refused, and the socket keeps following what it did.
    pub async fn watch(&self, sub: &Subscription, asked: Vec<i32>) -> Result<Followed, String> {
        if asked.len() > WATCH_MAX {
            return Err(format!("Watch at most {WATCH_MAX} stations: zoom in"));
        }
        let load = || self.hub.snapshots.all(station::ssr::list(&self.db));
        let listed = load()
            .await
            .map_err(|_| "Stations unavailable, try again".to_string())?;
        let station_ids = known(&listed, asked);
        // Subscribed before the snapshot is read: a change in between comes after it (events
        // carry absolute counts, and the socket drops what its snapshot already reflects).
        self.hub.watch(sub, &station_ids);
        let listed = load()
            .await
            .map_err(|_| "Stations unavailable, try again".to_string())?;
        let by_id: HashMap<i32, &StationSummary> = listed.iter().map(|s| (s.id, s)).collect();
        let shown: Vec<&StationSummary> = station_ids
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .collect();
        let (stations, floor) = snapshot(shown.iter().copied());
        // The ids of the snapshots, in order: a station closed since the first read is out.
        let station_ids = shown.iter().map(|s| s.id).collect();
        let reply = FeedMessage::Watching {
            station_ids,
            stations,
        };
        Ok(Followed { reply, floor })
    }
}

/// The snapshot of `stations` as a feed sends it (the greetings' and `watching`'s), and per
/// station the last event order it reflects.
pub fn snapshot<'a>(
    stations: impl IntoIterator<Item = &'a StationSummary>,
) -> (Vec<StationSnapshot>, Vec<(i32, i64)>) {
    stations
        .into_iter()
        .map(|s| {
            let by_model = s.available_by_model.clone();
            let shot = StationSnapshot::new(s.id, s.name.clone(), s.status, s.counts, by_model);
            (shot, (s.id, DomainEvent::last_seq_of(s.version)))
        })
        .unzip()
}

/// The stations of `asked` that are listed, in the order asked, each once.
fn known(listed: &[StationSummary], asked: Vec<i32>) -> Vec<i32> {
    let listed: HashSet<i32> = listed.iter().map(|s| s.id).collect();
    let mut ids: Vec<i32> = Vec::with_capacity(asked.len());
    for id in asked {
        if !ids.contains(&id) && listed.contains(&id) {
            ids.push(id);
        }
    }
    ids
}
