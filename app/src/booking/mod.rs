//! Bookings: a rider holds one charged battery at a station until they collect it.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

crate::stored_enum::stored_enum! {
    /// confirmed → ready → collected; or cancelled / expired.
    pub enum BookingStatus {
        Confirmed,
        Ready,
        Collected,
        Cancelled,
        Expired,
    }
}

impl BookingStatus {
    pub const ACTIVE: [BookingStatus; 2] = [Self::Confirmed, Self::Ready];

    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    pub id: i32,
    pub rider_id: i32,
    pub station_id: i32,
    pub station_name: String,
    pub battery_id: i32,
    pub battery_info: String,
    pub status: BookingStatus,
    /// Shown to staff at collection; only the rider and the station's staff see it.
    pub collection_code: String,
    pub created_at: String,
    pub expires_at: String,
    pub ready_at: Option<String>,
    pub collected_at: Option<String>,
}
