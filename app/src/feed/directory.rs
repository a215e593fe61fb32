//! The live directory: stations an admin creates, edits, closes or reopens while a list is open.
//!
//! A list page renders the stations the server knew when it rendered; `station_listed` and
//! `station_closed` messages since then are kept per station (latest wins) and laid over it,
//! so a new station appears, an edited one changes and a closed one disappears without a
//! request. A reconnect's snapshot lists only counts, so after one the page fetches the list
//! again (see `StationFeed::resynced`).
use std::collections::HashMap;

use super::FeedMessage;
use crate::station::{StationCounts, StationSummary};

/// Directory changes since the page's list was fetched: `None` for a station that closed.
pub type DirectoryChanges = HashMap<i32, Option<StationSummary>>;

/// The directory change a message makes, if any.
pub fn directory_change(msg: &FeedMessage) -> Option<(i32, Option<StationSummary>)> {
    match msg {
        FeedMessage::StationListed {
            station_id,
            station_name,
            address,
            latitude,
            longitude,
            status,
            available_batteries,
            booked_batteries,
            total_batteries,
            available_by_model,
            ..
        } => {
            let station = StationSummary {
                id: *station_id,
                name: station_name.clone(),
                address: address.clone(),
                latitude: *latitude,
                longitude: *longitude,
                status: *status,
                status_message: String::new(),
                counts: StationCounts {
                    available: *available_batteries,
                    booked: *booked_batteries,
                    total: *total_batteries,
                    ..StationCounts::default()
                },
                available_by_model: available_by_model.clone().unwrap_or_default(),
                version: 0,
            };
            Some((*station_id, Some(station)))
        }
        FeedMessage::StationClosed { station_id, .. } => Some((*station_id, None)),
        _ => None,
    }
}

/// `list` with `changes` laid over it, by name as the server orders it.
pub fn merged(list: &[StationSummary], changes: &DirectoryChanges) -> Vec<StationSummary> {
    let mut out: Vec<StationSummary> = list
        .iter()
        .filter(|s| !changes.contains_key(&s.id))
        .cloned()
        .collect();
    out.extend(changes.values().flatten().cloned());
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::station::StationStatus;

    fn listed(id: i32, name: &str) -> FeedMessage {
        FeedMessage::StationListed {
            station_id: id,
            station_name: name.into(),
            address: "1 Road".into(),
            latitude: 1.5,
            longitude: -2.5,
            status: StationStatus::Online,
            available_batteries: 3,
            booked_batteries: 1,
            total_batteries: 4,
            timestamp: String::new(),
            available_by_model: None,
        }
    }

    #[test]
    fn created_edited_and_closed_stations_are_laid_over_the_list() {
        let base = |id, name: &str| directory_change(&listed(id, name)).unwrap().1.unwrap();
        let list = vec![base(1, "Alpha"), base(2, "Bravo"), base(3, "Charlie")];
        let mut changes = DirectoryChanges::new();
        for msg in [
            listed(4, "Aardvark"),
            listed(2, "Zulu"),
            FeedMessage::StationClosed {
                station_id: 3,
                station_name: "Charlie".into(),
                timestamp: String::new(),
            },
        ] {
            let (id, change) = directory_change(&msg).unwrap();
            changes.insert(id, change);
        }
        let names: Vec<_> = merged(&list, &changes)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["Aardvark", "Alpha", "Zulu"]);
        let new = &merged(&list, &changes)[0];
        assert_eq!((new.latitude, new.counts.available), (1.5, 3));
    }

    #[test]
    fn other_messages_change_nothing() {
        assert!(directory_change(&FeedMessage::error("x")).is_none());
    }
}
