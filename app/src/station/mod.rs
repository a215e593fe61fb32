//! Stations: where riders swap batteries. DTOs here; domain code in `ssr`, server fns in `api`.
use serde::{Deserialize, Serialize};

mod alternatives;
pub mod api;
mod area;
mod chart;
pub mod console;
mod directions;
pub mod directory;
pub mod history;
pub mod labels;
mod live;
pub mod map;
pub mod near;
mod plan;
#[cfg(feature = "ssr")]
pub mod ssr;
mod stock;
pub mod view;

crate::stored_enum::stored_enum! {
    /// Operational status of a station. Only an `online` station takes bookings.
    pub enum StationStatus {
        Online,
        Offline,
        Maintenance,
    }
}

crate::stored_enum::stored_enum! {
    /// Where a station stands against the low-stock threshold (`--low-stock-threshold`) as its
    /// last change left it; stored on the station row. A station that has never been above the
    /// threshold (a new one being filled) has none.
    pub enum StockLevel {
        /// Above the threshold.
        Stocked,
        /// At or below it since it last dropped there; its staff were told.
        Low,
    }
}

/// Battery counts of one station, always computed from its battery rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationCounts {
    /// Charged and free to book right now.
    pub available: u32,
    pub booked: u32,
    pub charging: u32,
    pub maintenance: u32,
    /// Every battery physically at the station (all of the above).
    pub total: u32,
}

/// Charged packs free to book, per pack model, by model name. Packs of different models do not
/// fit the same vehicles, so a rider needs the count of theirs, not the total.
pub type ModelCounts = std::collections::BTreeMap<String, u32>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationSummary {
    pub id: i32,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub status: StationStatus,
    pub status_message: String,
    pub counts: StationCounts,
    /// `counts.available` per pack model.
    #[serde(default)]
    pub available_by_model: ModelCounts,
    /// Bumped by every change of inventory or status; orders this station's events.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationDetail {
    pub station: StationSummary,
    pub batteries: Vec<crate::battery::BatteryView>,
    /// The station is low on stock: its available packs dropped to the low-stock threshold and
    /// have not recovered since (what the staff console's banner starts from).
    #[serde(default)]
    pub low_stock: bool,
}
