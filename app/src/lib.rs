//! battery-swap's shared crate: domain DTOs, server fns, components and the live-feed message
//! types, compiled into the server (`ssr`) and into the browser's wasm (`hydrate`).
#![recursion_limit = "512"]

pub mod account;
pub mod admin;
pub mod assets;
pub mod audit;
pub mod battery;
pub mod booking;
#[cfg(feature = "ssr")]
pub mod change;
#[cfg(feature = "ssr")]
pub mod client_addr;
#[cfg(feature = "ssr")]
pub mod content_policy;
#[cfg(feature = "ssr")]
pub mod context;
pub mod device;
pub mod error;
pub mod feed;
pub mod idempotency;
pub mod json_text;
pub mod notification;
#[cfg(feature = "ssr")]
pub mod observe;
pub mod push;
pub mod station;
mod stored_enum;
pub mod text;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod write_gate;
#[cfg(feature = "ssr")]
pub mod writer;

mod layout;

pub use layout::{App, shell};
