//! The Leptos counterparts of the spec's React hooks: `use_station_feed` and
//! `use_notifications`. They return signals, do nothing during SSR, and replace their state
//! from the snapshot every time the socket (re)connects.
use leptos::prelude::*;
use std::cell::Cell;
use std::collections::HashMap;

use super::coalesce::Coalesced;
use super::directory::{DirectoryChanges, directory_change};
use super::socket::use_feed_socket;
use super::{FeedMessage, InventoryAction};
use crate::battery::BatteryState;
use crate::station::{ModelCounts, StationStatus};

/// What a station feed knows about one station.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveStation {
    pub available: u32,
    pub booked: u32,
    pub total: u32,
    pub status: StationStatus,
    /// Set once a `station_status` arrives.
    pub status_message: Option<String>,
    /// `available` per pack model.
    pub by_model: ModelCounts,
}

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

/// Available, and booked, total and the per-model counts where the message carries them.
fn set_counts(
    station: &mut LiveStation,
    (available, booked, total): (u32, Option<u32>, Option<u32>),
    by_model: &Option<ModelCounts>,
) {
    station.available = available;
    if let Some(by_model) = by_model {
        station.by_model = by_model.clone();
    }
    if let Some(booked) = booked {
        station.booked = booked;
    }
    if let Some(total) = total {
        station.total = total;
    }
}

/// Applies one message to the live station map.
pub fn apply_station_message(map: &mut HashMap<i32, LiveStation>, msg: &FeedMessage) {
    let blank = || LiveStation {
        available: 0,
        booked: 0,
        total: 0,
        status: StationStatus::Online,
        status_message: None,
        by_model: ModelCounts::new(),
    };
    match msg {
        FeedMessage::ConnectionEstablished {
            stations: Some(list),
            ..
        } => {
            *map = list
                .iter()
                .map(|s| {
                    let message = map
                        .get(&s.station_id)
                        .and_then(|old| old.status_message.clone());
                    let live = LiveStation {
                        available: s.available_batteries,
                        booked: s.booked_batteries,
                        total: s.total_batteries,
                        status: s.status,
                        status_message: message,
                        by_model: s.available_by_model.clone().unwrap_or_default(),
                    };
                    (s.station_id, live)
                })
                .collect();
        }
        FeedMessage::InventoryUpdate {
            station_id,
            available_batteries,
            booked_batteries,
            total_batteries,
            available_by_model,
            ..
        } => {
            let counts = (
                *available_batteries,
                Some(*booked_batteries),
                Some(*total_batteries),
            );
            let e = map.entry(*station_id).or_insert_with(blank);
            set_counts(e, counts, available_by_model);
        }
        FeedMessage::BatteryBooked {
            station_id,
            available_batteries,
            booked_batteries,
            total_batteries,
            available_by_model,
            ..
        }
        | FeedMessage::BatteryCollected {
            station_id,
            available_batteries,
            booked_batteries,
            total_batteries,
            available_by_model,
            ..
        } => {
            let counts = (
                *available_batteries,
                Some(*booked_batteries),
                *total_batteries,
            );
            let e = map.entry(*station_id).or_insert_with(blank);
            set_counts(e, counts, available_by_model);
        }
        FeedMessage::BatteryAdded {
            station_id,
            available_batteries,
            total_batteries,
            booked_batteries,
            available_by_model,
            ..
        } => {
            let counts = (
                *available_batteries,
                *booked_batteries,
                Some(*total_batteries),
            );
            let e = map.entry(*station_id).or_insert_with(blank);
            set_counts(e, counts, available_by_model);
        }
        FeedMessage::StationStatus {
            station_id,
            status,
            message,
            ..
        } => {
            let e = map.entry(*station_id).or_insert_with(blank);
            e.status = *status;
            e.status_message = Some(message.clone());
        }
        FeedMessage::StationListed {
            station_id,
            status,
            available_batteries,
            booked_batteries,
            total_batteries,
            available_by_model,
            ..
        } => {
            let e = map.entry(*station_id).or_insert_with(blank);
            e.status = *status;
            let counts = (
                *available_batteries,
                Some(*booked_batteries),
                Some(*total_batteries),
            );
            set_counts(e, counts, available_by_model);
        }
        FeedMessage::StationClosed { station_id, .. } => {
            map.remove(station_id);
        }
        _ => {}
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
    let (stations, set_stations) = signal(HashMap::new());
    let (packs, set_packs) = signal(HashMap::new());
    let (directory, set_directory) = signal(DirectoryChanges::new());
    let (resynced, set_resynced) = signal(0u64);
    let (changed, details) = (Coalesced::new(), Coalesced::new());
    let path = match station_id {
        Some(id) => format!("/ws/stations/{id}/"),
        None => "/ws/stations/".to_string(),
    };
    let first_snapshot = Cell::new(true);
    let connected = use_feed_socket(path, Signal::from(true), move |msg| {
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
    let connected = use_feed_socket("/ws/notifications/".into(), enabled, move |msg| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::{InventoryAction, StationSnapshot};
    use crate::station::StationCounts;

    #[test]
    fn snapshot_replaces_and_events_update() {
        let mut map = HashMap::new();
        let counts = StationCounts {
            available: 5,
            booked: 1,
            charging: 0,
            maintenance: 0,
            total: 6,
        };
        let snap = |c| FeedMessage::ConnectionEstablished {
            message: "x".into(),
            station_id: None,
            stations: Some(vec![StationSnapshot::new(
                1,
                "A".into(),
                StationStatus::Online,
                c,
                ModelCounts::from([("Gogoro".to_string(), c.available)]),
            )]),
            unread_count: None,
        };
        apply_station_message(&mut map, &snap(counts));
        assert_eq!(map[&1].available, 5);
        apply_station_message(
            &mut map,
            &FeedMessage::InventoryUpdate {
                station_id: 1,
                station_name: "A".into(),
                available_batteries: 4,
                booked_batteries: 2,
                total_batteries: 6,
                timestamp: String::new(),
                action: InventoryAction::Book,
                available_by_model: Some(ModelCounts::from([("Gogoro".to_string(), 4)])),
            },
        );
        assert_eq!((map[&1].available, map[&1].booked), (4, 2));
        assert_eq!(map[&1].by_model["Gogoro"], 4);
        apply_station_message(
            &mut map,
            &FeedMessage::StationStatus {
                station_id: 1,
                station_name: "A".into(),
                status: StationStatus::Maintenance,
                message: "m".into(),
                timestamp: String::new(),
            },
        );
        assert_eq!(map[&1].status, StationStatus::Maintenance);
        // A reconnect's snapshot is the truth again.
        apply_station_message(
            &mut map,
            &snap(StationCounts {
                available: 9,
                ..counts
            }),
        );
        assert_eq!(
            (map[&1].available, map[&1].status),
            (9, StationStatus::Online)
        );
    }
}
