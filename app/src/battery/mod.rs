//! Batteries: the packs riders swap. DTOs here; domain code in `ssr`, server fns in `api`.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

crate::stored_enum::stored_enum! {
    /// Where a battery is in its life at a station.
    ///
    /// `available` always means "charged enough to book": a pack below the booking threshold is
    /// `charging`, so counts are a plain count of states.
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

/// What a station device measured of one pack in its slots (`/api/report_batteries`). A
/// misspelt field is refused, not ignored (`"status": "maintenance"` would otherwise be lost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackReport {
    pub serial: String,
    pub charge_percent: i16,
    /// `available`, `charging` or `maintenance` (a fault the cabinet detected). Absent: the
    /// charge decides between available and charging. A pack in maintenance stays there
    /// whatever a device reports: only staff clear a fault.
    #[serde(default)]
    pub state: Option<BatteryState>,
}

/// A pack a report left as it was, and its state: its booking owns it (`booked`,
/// `collected`), it is retired, or a booking claimed it while the report was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedPack {
    pub serial: String,
    pub state: BatteryState,
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

/// A pack's printed label: its serial and model as text, and a QR code of its serial (inline
/// SVG, drawn by the server) that the counter's scanner reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackLabel {
    pub serial: String,
    pub model: String,
    pub qr_svg: String,
}

impl PackLabel {
    /// The label of `pack`, its QR code drawn (`BSWAP:PACK:` and the serial).
    #[cfg(feature = "ssr")]
    pub fn of(pack: BatteryView) -> Self {
        use crate::ui::qr;
        PackLabel {
            qr_svg: qr::svg(
                &format!("{}{}", qr::PACK_PREFIX, pack.serial),
                &format!("Pack {} as a QR code", pack.serial),
            ),
            serial: pack.serial,
            model: pack.model,
        }
    }
}
