//! Station devices: the cabinets that report their own packs' charge.
//!
//! An admin issues a device a credential scoped to one station; with it the device may call
//! `/api/report_batteries` and nothing else (a device token is not a user: every other server
//! fn and feed refuses it). A report goes through the same inventory rules as a staff edit.
//! DTOs and limits here; credentials and reports in `ssr`, server fns in `api`, the admin
//! panel in `view`.
use serde::{Deserialize, Serialize};

pub use crate::battery::{PackReport, SkippedPack};

pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

/// The most packs one report may carry: a cabinet holds far fewer, so more is a fault.
pub const MAX_REPORT_PACKS: usize = 200;

/// The prefix of every device token, so a leaked one is recognisable (and never mistaken for a
/// user's API token, which has none).
pub const TOKEN_PREFIX: &str = "bsd_";

/// The answer to a report: what changed and the station's counts after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOutcome {
    pub station_id: i32,
    /// Packs whose charge or state the report changed.
    pub changed: u32,
    /// Packs the report found as they already were.
    pub unchanged: u32,
    /// Booked, collected or retired packs (a report never touches them), and packs a booking
    /// claimed while the report was being applied.
    pub skipped: Vec<SkippedPack>,
    pub available_batteries: u32,
    pub total_batteries: u32,
}

/// A device credential as the admin page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: i32,
    pub station_id: i32,
    pub station_name: String,
    pub label: String,
    pub created_at: String,
    /// The last accepted report, if any.
    pub last_report_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A new device credential: the secret is shown once, here, and stored only as a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedDevice {
    pub id: i32,
    pub station_id: i32,
    pub label: String,
    pub token: String,
}
