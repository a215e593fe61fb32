//! What a change did, as facts: ids, counts, who. Domain code raises these; how each reaches
//! its audiences (which feeds, which wire message, masked or not, which notifications) is
//! decided in one place, `feed::ssr::projection`, when the change commits.
use chrono::{DateTime, Utc};

use crate::booking::BookingStatus;
use crate::feed::ssr::Credential;
use crate::notification::Level;
use crate::station::{StationStatus, StationSummary};

/// A rider as a station's feeds may name them: in full to its staff, masked to everyone else.
#[derive(Debug, Clone)]
pub struct Rider {
    pub id: i32,
    pub email: String,
}

/// A booking as it was made: the station as committed, the booking, the pack, the rider.
#[derive(Debug, Clone)]
pub struct Booked {
    pub station: StationSummary,
    pub booking_id: i32,
    pub battery_id: i32,
    pub model: String,
    pub code: String,
    pub expires_at: DateTime<Utc>,
    pub rider: Rider,
}

/// Something that happened. Station facts carry the station as the change commits it (its
/// version, which orders its events, and its counts).
#[derive(Debug, Clone)]
pub enum Event {
    /// A rider booked a pack, held until its `expires_at`.
    Booked(Booked),
    /// Staff put a booked pack at the counter.
    Ready {
        station_id: i32,
        station_name: String,
        booking_id: i32,
        rider_id: i32,
    },
    /// The rider collected their pack.
    Collected {
        station: StationSummary,
        booking_id: i32,
        battery_id: i32,
        rider_id: i32,
    },
    /// A booking ended uncollected: `Cancelled` (with the reason given, if any) or `Expired`.
    Released {
        station: StationSummary,
        booking_id: i32,
        rider_id: i32,
        status: BookingStatus,
        reason: String,
    },
    /// A hold ends in `minutes` (rounded up).
    HoldEnding {
        rider_id: i32,
        station_name: String,
        minutes: i64,
    },
    /// Staff added a pack.
    PackAdded {
        station: StationSummary,
        battery_id: i32,
    },
    /// Packs changed state or charge in a way that moved the counts (staff, a device).
    StockChanged { station: StationSummary },
    /// The station's staff or an admin set its status.
    StatusSet {
        station: StationSummary,
        status: StationStatus,
        message: String,
    },
    /// An admin created a station (empty, online).
    StationCreated { station: StationSummary },
    /// An admin renamed or moved a station.
    StationEdited { station: StationSummary },
    /// An admin closed a station: offline, and out of the directory.
    StationClosed {
        station: StationSummary,
        message: String,
    },
    /// An admin reopened a closed station (offline until someone puts it online).
    StationReopened { station: StationSummary },
    /// The station's available packs crossed the low-stock threshold: down to it (`low`) or
    /// back above it. Raised by the recount; `staff` are its assigned staff.
    StockCrossed {
        station: StationSummary,
        low: bool,
        threshold: u32,
        staff: Vec<i32>,
    },
    /// A user marked notifications read; `unread` remain.
    NotificationsRead { user_id: i32, unread: u64 },
    /// An admin's message to these users.
    Announced {
        to: Vec<i32>,
        title: String,
        message: String,
        level: Level,
    },
    /// A session ended or a token was revoked: its sockets close.
    CredentialRevoked(Credential),
    /// A user's role or stations changed: their sockets close, everywhere.
    PrivilegesChanged { user_id: i32 },
}
