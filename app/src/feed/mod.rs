//! Live feeds: the spec's message types (shared with the browser) and, on the server, the
//! domain events they are rendered from.
mod message;

pub use message::{
    ClientFrameError, ClientMessage, FeedMessage, InventoryAction, StationSnapshot, timestamp,
};

#[cfg(feature = "ssr")]
pub mod ssr;

#[cfg(test)]
mod spec_tests;
