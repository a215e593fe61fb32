//! What a station feed knows, and how each message changes it: the state behind every live
//! count on the station pages, kept apart from the hooks that own the sockets.
use std::collections::HashMap;

use super::FeedMessage;
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
    /// Whether the station is low on stock, once a `stock_alert` (staff feeds only) has said
    /// so; `None`: as the page loaded it (every snapshot starts over, and the pages that show
    /// it fetch again after a reconnect).
    pub low_stock: Option<bool>,
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

/// A snapshot's station, keeping the status message `known` had for it (snapshots carry none).
fn live(s: &super::StationSnapshot, known: &HashMap<i32, LiveStation>) -> LiveStation {
    LiveStation {
        available: s.available_batteries,
        booked: s.booked_batteries,
        total: s.total_batteries,
        status: s.status,
        status_message: known
            .get(&s.station_id)
            .and_then(|old| old.status_message.clone()),
        by_model: s.available_by_model.clone().unwrap_or_default(),
        low_stock: None,
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
        low_stock: None,
    };
    match msg {
        FeedMessage::ConnectionEstablished {
            stations: Some(list),
            ..
        } => {
            let old = std::mem::take(map);
            *map = list.iter().map(|s| (s.station_id, live(s, &old))).collect();
        }
        // The stations followed from now on: the others' entries stay, harmlessly stale.
        FeedMessage::Watching { stations, .. } => {
            for s in stations {
                let fresh = live(s, map);
                map.insert(s.station_id, fresh);
            }
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
        // Only for a station the feed knows: it carries no counts to make an entry from.
        FeedMessage::StockAlert {
            station_id, low, ..
        } => {
            if let Some(e) = map.get_mut(station_id) {
                e.low_stock = Some(*low);
            }
        }
        _ => {}
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

    #[test]
    fn stock_alerts_set_the_level_until_the_next_snapshot() {
        let snap = FeedMessage::ConnectionEstablished {
            message: "x".into(),
            station_id: Some(1),
            stations: Some(vec![StationSnapshot::new(
                1,
                "A".into(),
                StationStatus::Online,
                StationCounts::default(),
                ModelCounts::new(),
            )]),
            unread_count: None,
        };
        let alert = |station_id, low| FeedMessage::StockAlert {
            station_id,
            station_name: "A".into(),
            available_batteries: 2,
            threshold: 2,
            low,
            timestamp: String::new(),
        };
        let mut map = HashMap::new();
        apply_station_message(&mut map, &snap);
        assert_eq!(map[&1].low_stock, None, "as the page loaded it");
        apply_station_message(&mut map, &alert(1, true));
        assert_eq!(map[&1].low_stock, Some(true));
        apply_station_message(&mut map, &alert(1, false));
        assert_eq!(map[&1].low_stock, Some(false));
        apply_station_message(&mut map, &alert(7, true));
        assert!(!map.contains_key(&7), "no entry without counts");
        apply_station_message(&mut map, &alert(1, true));
        apply_station_message(&mut map, &snap);
        assert_eq!(
            map[&1].low_stock, None,
            "a reconnect refetches the page's state"
        );
    }
}
