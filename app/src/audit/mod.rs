//! The audit trail: who changed inventory, station status, bookings, staff or roles, and when.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i32,
    pub at: String,
    pub actor: String,
    pub station_id: Option<i32>,
    pub action: String,
    pub detail: String,
}

/// Every action recorded, for filtering.
pub const ACTIONS: &[&str] = &[
    "battery_added",
    "battery_updated",
    "station_created",
    "station_updated",
    "station_status",
    "booking_created",
    "booking_ready",
    "booking_collected",
    "booking_cancelled",
    "booking_expired",
    "pack_returned",
    "staff_assigned",
    "staff_unassigned",
    "role_changed",
    "notification_sent",
];
