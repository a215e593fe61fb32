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
    pub action: AuditAction,
    pub detail: String,
    /// Where the change came from (its request's client address): admins only.
    #[serde(default)]
    pub address: Option<String>,
}

crate::stored_enum::stored_enum! {
    /// What a row of the audit trail records; also the trail's filter.
    pub enum AuditAction {
        BatteryAdded,
        BatteryUpdated,
        StationCreated,
        StationUpdated,
        StationStatus,
        /// An admin closed the station: it left the directory.
        StationClosed,
        StationReopened,
        BookingCreated,
        BookingReady,
        BookingCollected,
        BookingCancelled,
        BookingExpired,
        PackReturned,
        StaffAssigned,
        StaffUnassigned,
        RoleChanged,
        NotificationSent,
        /// A login or a registration (which logs in); the detail names the client address.
        LoggedIn,
        /// A refused password; the actor is the email tried, known or not.
        LoginFailed,
        LoggedOut,
        TokenCreated,
        TokenRevoked,
        /// An admin (or the demo) issued a station device its credential.
        DeviceCreated,
        DeviceRevoked,
        /// A station device reported its packs and some changed; the detail lists them.
        PacksReported,
    }
}
