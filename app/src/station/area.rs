//! The part of the directory the street map shows (issue #31, item 9): the list's feed
//! (`/ws/watch/`) follows only the stations in the map's view, so a city's open maps hear of the
//! stations on their screens instead of every booking in the network.
//!
//! The server starts the feed on the stations it listed (the first [`WATCH_MAX`]). The map
//! (`public/map/map.js`, plain JavaScript) then writes a `watch` of the stations in its view
//! after every move into the list's hidden `#map-watch` input, which the list's island sends on
//! its socket; the map also hides the cards outside its view and says how many it shows. So the
//! bundle carries no geometry, and without the map the list stays whole and live.
use crate::feed::WATCH_MAX;

/// The `watch` message for `stations` (the first [`WATCH_MAX`]).
pub fn watch_message(stations: impl Iterator<Item = i32>) -> String {
    let ids: Vec<String> = stations.take(WATCH_MAX).map(|id| id.to_string()).collect();
    format!(r#"{{"type":"watch","station_ids":[{}]}}"#, ids.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::ClientMessage;

    #[test]
    fn the_watch_message_is_what_the_server_reads() {
        let text = watch_message([3, 1].into_iter());
        assert_eq!(
            ClientMessage::parse(&text),
            Ok(ClientMessage::Watch {
                station_ids: vec![3, 1]
            })
        );
        let many = watch_message(0..10_000);
        let Ok(ClientMessage::Watch { station_ids }) = ClientMessage::parse(&many) else {
            panic!("{many}");
        };
        assert_eq!(station_ids.len(), WATCH_MAX);
    }
}
