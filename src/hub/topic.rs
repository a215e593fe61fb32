//! What a socket listens to, and the frames the hub queues for it.
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;

/// What a socket listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    AllStations,
    Station(i32),
    User(i32),
    /// A watch feed's socket (`/ws/watch/`): directory changes of every station.
    Watch,
    /// The watch feeds following this station: its paced counts and status.
    Watched(i32),
}

impl Topic {
    /// The feed's name in metrics and logs: a bounded label, never the station or user id.
    pub fn feed(self) -> &'static str {
        match self {
            Topic::AllStations => "all_stations",
            Topic::Station(_) => "station",
            Topic::User(_) => "notifications",
            Topic::Watch | Topic::Watched(_) => "watch",
        }
    }

    /// The route template that opens this feed (without its trailing-slash twin).
    pub fn route(self) -> &'static str {
        match self {
            Topic::AllStations => "/ws/stations/",
            Topic::Station(_) => "/ws/stations/{station_id}/",
            Topic::User(_) => "/ws/notifications/",
            Topic::Watch | Topic::Watched(_) => "/ws/watch/",
        }
    }
}

/// One message for one socket, with its place in its station's event order (if any), so the
/// socket can drop an event older than one it already sent.
#[derive(Debug, Clone)]
pub struct Frame {
    pub order: Option<(i32, i64)>,
    pub text: Utf8Bytes,
}

/// What a socket's inbox holds: one frame shared by every socket it goes to, rendered once. A
/// pointer keeps each queued entry small.
pub type SharedFrame = Arc<Frame>;
