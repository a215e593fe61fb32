//! Live feeds: the spec's message types (shared with the browser) and, on the server, the
//! domain events they are rendered from.
mod coalesce;
pub mod directory;
pub mod hooks;
mod live_state;
mod message;
mod socket;
mod wire;

pub use message::{
    ClientFrameError, ClientMessage, FeedMessage, InventoryAction, StationSnapshot, WATCH_MAX,
    timestamp,
};

pub use coalesce::{Coalesced, now_ms};
pub use hooks::{
    NotificationFeed, StationFeed, notification_feed, open_notification_feed, use_notifications,
    use_station_counts_when, use_station_feed, use_watch_feed,
};
pub use live_state::LiveStation;
pub use socket::{backoff_ms, hydration_finished};

#[cfg(feature = "ssr")]
pub mod ssr;

#[cfg(test)]
mod spec_tests;

#[cfg(test)]
mod client_frame_tests;

#[cfg(test)]
mod every_message_tests;
