//! Batteries: the packs riders swap. DTOs here; domain code in `ssr`, server fns in `api`.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

/// Where a battery is in its life at a station.
///
/// `available` always means "charged enough to book": a pack below the booking threshold is
/// `charging`, so counts are a plain count of states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatteryState {
    Available,
    Booked,
    Charging,
    Maintenance,
    /// Handed to a rider.
    Collected,
    /// Permanently out of service.
    Retired,
}

impl BatteryState {
    pub const ALL: [BatteryState; 6] = [
        Self::Available,
        Self::Booked,
        Self::Charging,
        Self::Maintenance,
        Self::Collected,
        Self::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Booked => "booked",
            Self::Charging => "charging",
            Self::Maintenance => "maintenance",
            Self::Collected => "collected",
            Self::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Rules shared by the console (browser) and the domain (server).
pub mod rules {
    use super::BatteryState;

    /// What staff may set on a battery. `booked` and `collected` belong to bookings.
    pub fn settable(state: BatteryState) -> bool {
        matches!(
            state,
            BatteryState::Available
                | BatteryState::Charging
                | BatteryState::Maintenance
                | BatteryState::Retired
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatteryView {
    pub id: i32,
    pub station_id: i32,
    pub serial: String,
    pub model: String,
    pub charge_percent: i16,
    pub state: BatteryState,
}
