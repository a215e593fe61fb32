//! The Leptos counterparts of the spec's React hooks: `use_station_feed` and
//! `use_notifications`. They return signals, do nothing during SSR, and replace their state
//! from the snapshot every time the socket (re)connects.
use leptos::prelude::*;
use std::cell::Cell;
use std::collections::HashMap;

use super::coalesce::Coalesced;
use super::directory::{DirectoryChanges, directory_change};
use super::live_state::{LiveStation, apply_station_message};
use super::socket::use_feed_socket;
use super::{FeedMessage, InventoryAction};
use crate::battery::BatteryState;

#[derive(Clone, Copy)]
pub struct StationFeed {
    /// Live state per station id; empty until the first snapshot arrives.
    pub stations: ReadSignal<HashMap<i32, LiveStation>>,
    pub connected: ReadSignal<bool>,
    /// Bumped after messages, at most once a second: for pages that refetch on any change
    /// (the staff console: its queue and history follow every booking).
    pub changed: ReadSignal<u64>,
    /// Bumped, at most once a second, only after messages whose change the page cannot apply
    /// itself: a new pack (its details), a pack freed by a cancel, an expiry or a staff edit,
    /// events missed while disconnected.
    pub details: ReadSignal<u64>,
    /// Packs booked or collected, by battery id, with the `details` count when it happened:
    /// applied to a battery list fetched at that count or before, instead of refetching it
    /// (see [`StationFeed::patched`]).
    pub packs: ReadSignal<HashMap<i32, (BatteryState, u64)>>,
    /// Stations created, edited, closed or reopened since the page's list was fetched (see
    /// [`super::directory`]); cleared when a reconnect makes the list stale.
    pub directory: ReadSignal<DirectoryChanges>,
    /// Bumped by every snapshot after the first (a reconnect): what the page fetched may have
    /// missed changes, directory ones included.
    pub resynced: ReadSignal<u64>,
}

impl StationFeed {
    /// `batteries`, fetched when `details` was `fetched_at`, with the packs booked or
    /// collected since: booked ones marked, collected ones (gone with their riders) dropped.
    pub fn patched(
        &self,
        fetched_at: u64,
        mut batteries: Vec<crate::battery::BatteryView>,
    ) -> Vec<crate::battery::BatteryView> {
        self.packs.with(|packs| {
            for b in &mut batteries {
                if let Some((state, at)) = packs.get(&b.id)
                    && *at >= fetched_at
                {
                    b.state = *state;
                }
            }
        });
        batteries.retain(|b| b.state != BatteryState::Collected);
        batteries
    }
}

/// The pack a message moved, where it says which: booked, or gone with its rider.
fn pack_change(msg: &FeedMessage) -> Option<(i32, BatteryState)> {
    match msg {
        FeedMessage::BatteryBooked { battery_id, .. } => Some((*battery_id, BatteryState::Booked)),
        FeedMessage::BatteryCollected { battery_id, .. } => {
            Some((*battery_id, BatteryState::Collected))
        }
        _ => None,
    }
}

/// Whether a message changes a station's battery list in a way the message does not spell out.
fn needs_details(msg: &FeedMessage) -> bool {
    match msg {
        FeedMessage::BatteryAdded { .. } => true,
        FeedMessage::InventoryUpdate { action, .. } => {
            matches!(action, InventoryAction::Add | InventoryAction::Update)
        }
        _ => false,
    }
}

/// Whether a message should make views refetch. The first snapshot after the page loads does
/// not: the server-rendered data is as fresh, and refetching while nested `<Suspense>`s are
/// still hydrating would make them disagree with the server's HTML. Snapshots after a
/// reconnect do: events may have been missed meanwhile.
fn bumps_version(snapshot: bool, first_snapshot: &Cell<bool>) -> bool {
    !(snapshot && first_snapshot.replace(false))
}

/// Live counts of every station (`None`) or of one.
pub fn use_station_feed(station_id: Option<i32>) -> StationFeed {
    let path = match station_id {
        Some(id) => format!("/ws/stations/{id}/"),
        None => "/ws/stations/".to_string(),
    };
    station_feed(path, None)
}

/// Live counts of the stations a page shows, through `/ws/watch/`: `watch` is the `watch`
/// message naming them, sent again whenever it changes. Each station's counts come at most
/// once a second, with the latest values.
pub fn use_watch_feed(watch: ReadSignal<String>) -> StationFeed {
    station_feed("/ws/watch/".into(), Some(watch))
}

fn station_feed(path: String, say: Option<ReadSignal<String>>) -> StationFeed {
    let (stations, set_stations) = signal(HashMap::new());
    let (packs, set_packs) = signal(HashMap::new());
    let (directory, set_directory) = signal(DirectoryChanges::new());
    let (resynced, set_resynced) = signal(0u64);
    let (changed, details) = (Coalesced::new(), Coalesced::new());
    let first_snapshot = Cell::new(true);
    let connected = use_feed_socket(path, Signal::from(true), say, move |msg| {
        let snapshot = matches!(msg, FeedMessage::ConnectionEstablished { .. });
        set_stations.update(|map| apply_station_message(map, &msg));
        if let Some((battery, state)) = pack_change(&msg) {
            let at = details.signal().get_untracked();
            set_packs.update(|p| {
                p.insert(battery, (state, at));
            });
        }
        if let Some((station, change)) = directory_change(&msg) {
            set_directory.update(|d| {
                d.insert(station, change);
            });
        }
        if !bumps_version(snapshot, &first_snapshot) {
            return;
        }
        if snapshot {
            set_directory.update(|d| d.clear());
            set_resynced.update(|n| *n += 1);
        }
        changed.poke();
        if snapshot || needs_details(&msg) {
            details.poke();
        }
    });
    StationFeed {
        stations,
        connected,
        changed: changed.signal(),
        details: details.signal(),
        packs,
        directory,
        resynced,
    }
}

/// Live counts of every station, from the all-stations feed, open only while `enabled`: a page
/// that shows other stations only sometimes (a station page's nearest alternatives) holds no
/// second socket the rest of the time.
pub fn use_station_counts_when(enabled: Signal<bool>) -> ReadSignal<HashMap<i32, LiveStation>> {
    let (stations, set_stations) = signal(HashMap::new());
    use_feed_socket("/ws/stations/".into(), enabled, None, move |msg| {
        set_stations.update(|map| apply_station_message(map, &msg));
    });
    stations
}

#[derive(Clone, Copy)]
pub struct NotificationFeed {
    /// Unread notifications: from the snapshot, plus one per message since.
    pub unread: RwSignal<u64>,
    /// Messages received since the page loaded, newest first.
    pub received: ReadSignal<Vec<FeedMessage>>,
    pub connected: ReadSignal<bool>,
    /// Bumped on every message (and every reconnect): lets views refetch the stored list.
    pub version: ReadSignal<u64>,
}

/// The logged-in user's notifications, while `enabled` (logged in).
pub fn use_notifications(enabled: Signal<bool>) -> NotificationFeed {
    let unread = RwSignal::new(0u64);
    let (received, set_received) = signal(Vec::new());
    let (version, set_version) = signal(0u64);
    let first_snapshot = Cell::new(true);
    let connected = use_feed_socket("/ws/notifications/".into(), enabled, None, move |msg| {
        match &msg {
            FeedMessage::ConnectionEstablished { unread_count, .. } => {
                unread.set(unread_count.unwrap_or(0));
                if !bumps_version(true, &first_snapshot) {
                    return;
                }
            }
            FeedMessage::Notification { .. }
            | FeedMessage::BookingConfirmed { .. }
            | FeedMessage::BookingReady { .. } => {
                unread.update(|n| *n += 1);
                set_received.update(|list| list.insert(0, msg.clone()));
            }
            // Read in another tab: the badge follows, and the list is fetched again.
            FeedMessage::NotificationsRead { unread_count, .. } => unread.set(*unread_count),
            _ => return,
        }
        set_version.update(|v| *v += 1);
    });
    NotificationFeed {
        unread,
        received,
        connected,
        version,
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static FEED: std::cell::OnceCell<NotificationFeed> = const { std::cell::OnceCell::new() };
    /// Set by the header's badge, which the server renders only for someone logged in.
    static LOGGED_IN: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Opens the tab's notifications feed (see [`notification_feed`]): called by the header's
/// badge, which only someone logged in sees.
pub fn open_notification_feed() {
    #[cfg(feature = "hydrate")]
    LOGGED_IN.with(|on| on.set(true));
}

/// The tab's notifications feed, shared by every island that shows it (the header's badge and
/// the page's list): one socket per tab, open once [`open_notification_feed`] was called.
pub fn notification_feed() -> NotificationFeed {
    #[cfg(feature = "hydrate")]
    {
        FEED.with(|feed| {
            *feed.get_or_init(|| {
                // Owned by no island: it lives as long as the page. (A new root owner makes
                // itself the current one: the island's is put back.)
                let island = Owner::current();
                let owner = Owner::new_root(None);
                let logged_in = LOGGED_IN.with(Clone::clone);
                let feed =
                    owner.with(|| use_notifications(Signal::derive(move || logged_in.get())));
                std::mem::forget(owner);
                if let Some(island) = island {
                    island.set();
                }
                feed
            })
        })
    }
    #[cfg(not(feature = "hydrate"))]
    use_notifications(Signal::from(false))
}
