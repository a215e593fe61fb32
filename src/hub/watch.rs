//! The watch feed's side of the hub (`/ws/watch/`): a socket follows the stations its client
//! shows, and hears of each at most once a second ([`super::pacing`]).
//!
//! A watch socket subscribes once, under `Topic::Watch` (directory changes, which every map
//! needs to learn of stations created or closed in its area), and has a second entry, sharing
//! its inbox, under `Topic::Watched(id)` for each station it follows. A booking then reaches
//! only the sockets showing its station, instead of every socket on the all-stations feed.
use app::feed::FeedMessage;
use std::collections::HashMap;
use std::sync::Arc;

use super::pacing::{Kind, Pace};
use super::subscription::Subscriber;
use super::{Hub, SharedFrame, Subscription, Topic};

type Topics = HashMap<Topic, HashMap<u64, Subscriber>>;

impl Hub {
    /// Makes `sub` (a `Topic::Watch` subscription) follow exactly `stations` from now on. A
    /// socket no longer in the hub (kicked, shut down) follows nothing.
    pub fn watch(&self, sub: &Subscription, stations: &[i32]) {
        let mut topics = self.lock();
        let Some(own) = topics.get(&Topic::Watch).and_then(|subs| subs.get(&sub.id)) else {
            return;
        };
        let entry = || Subscriber {
            inbox: Arc::clone(&own.inbox),
            viewer: own.viewer.clone(),
            credential: own.credential,
            primary: false,
        };
        let entries: Vec<_> = stations.iter().map(|s| (*s, entry())).collect();
        let mut watching = self.watching();
        let before = watching
            .insert(sub.id, stations.to_vec())
            .unwrap_or_default();
        Self::unwatch(&mut topics, sub.id, &before);
        for (station, entry) in entries {
            topics
                .entry(Topic::Watched(station))
                .or_default()
                .insert(sub.id, entry);
        }
    }

    /// Removes a watch socket's station entries.
    pub(super) fn unwatch(topics: &mut Topics, id: u64, stations: &[i32]) {
        for station in stations {
            let topic = Topic::Watched(*station);
            if let Some(subs) = topics.get_mut(&topic) {
                subs.remove(&id);
                if subs.is_empty() {
                    topics.remove(&topic);
                }
            }
        }
    }

    /// Hands a station event's public frame to the watch feed: directory changes to every
    /// watch socket at once; counts and status to the station's watchers, paced.
    pub(super) fn to_watchers(
        &self,
        topics: &mut Topics,
        station: i32,
        message: &FeedMessage,
        frame: &SharedFrame,
    ) {
        let kind = match message {
            FeedMessage::InventoryUpdate { .. } => Kind::Counts,
            FeedMessage::StationStatus { .. } => Kind::Status,
            FeedMessage::StationListed { .. } | FeedMessage::StationClosed { .. } => {
                self.deliver(topics, Topic::Watch, |_| Arc::clone(frame));
                return;
            }
            // Pack-level events: their counts come again in the change's inventory_update.
            _ => return,
        };
        if !topics.contains_key(&Topic::Watched(station)) {
            return;
        }
        match self
            .pacing
            .offer(station, kind, frame, tokio::time::Instant::now())
        {
            Pace::Now => self.deliver(topics, Topic::Watched(station), |_| Arc::clone(frame)),
            Pace::Later(at) => self.flush_at(station, at),
            Pace::Held => {}
        }
    }

    /// Delivers what waits for `station` at `at`. Without a runtime (never, in the server)
    /// there is no clock to wait on: it is delivered at once.
    fn flush_at(&self, station: i32, at: tokio::time::Instant) {
        let hub = self.me.clone();
        let flush = async move {
            tokio::time::sleep_until(at).await;
            if let Some(hub) = hub.upgrade() {
                hub.flush(station);
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(flush)),
            Err(_) => {
                let mut topics = self.lock();
                self.deliver_waiting(&mut topics, station);
            }
        }
    }

    fn flush(&self, station: i32) {
        let mut topics = self.lock();
        self.deliver_waiting(&mut topics, station);
    }

    fn deliver_waiting(&self, topics: &mut Topics, station: i32) {
        for frame in self.pacing.flush(station, tokio::time::Instant::now()) {
            self.deliver(topics, Topic::Watched(station), |_| Arc::clone(&frame));
        }
    }
}
