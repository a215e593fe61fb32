//! What a client may send on a feed, told apart: the spec's `ping` (with or without its
//! timestamp), our `watch` (`/ws/watch/` only), and the frames the spec answers with an error.
//! (What the server sends is pinned in `spec_tests.rs`.)
use serde_json::json;

use super::*;

const TS: &str = "2024-02-27T10:30:00";

#[test]
fn a_watch_names_station_ids() {
    assert_eq!(
        ClientMessage::parse(r#"{"type": "watch", "station_ids": [3, 1]}"#),
        Ok(ClientMessage::Watch {
            station_ids: vec![3, 1]
        })
    );
    assert!(matches!(
        ClientMessage::parse(r#"{"type": "watch", "station_ids": "all"}"#),
        Err(ClientFrameError::BadFields(_))
    ));
}

#[test]
fn client_frames_are_told_apart() {
    assert_eq!(
        ClientMessage::parse(r#"{"type": "ping", "timestamp": "2024-02-27T10:30:00"}"#),
        Ok(ClientMessage::Ping {
            timestamp: Some(json!(TS))
        })
    );
    assert_eq!(
        ClientMessage::parse(r#"{"type": "ping"}"#),
        Ok(ClientMessage::Ping { timestamp: None })
    );
    assert_eq!(
        ClientMessage::parse("{not json"),
        Err(ClientFrameError::InvalidJson)
    );
    assert_eq!(ClientFrameError::InvalidJson.message(), "Invalid JSON");
    assert_eq!(
        ClientMessage::parse("[1,2]"),
        Err(ClientFrameError::NotAnObject)
    );
    assert_eq!(
        ClientMessage::parse(r#"{"a":1}"#),
        Err(ClientFrameError::MissingType)
    );
    assert_eq!(
        ClientMessage::parse(r#"{"type":"subscribe"}"#),
        Err(ClientFrameError::UnknownType("subscribe".into()))
    );
}
