//! The WebSocket wire format of `shared/spec/websocket-api.md`, as one tagged enum.
//!
//! The server serialises these and the browser deserialises the very same type. Field names and
//! JSON types are the spec's; our additions are extra fields (marked "extra" below) or extra
//! message types, never a change to a field the spec defines.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::notification::Level;
use crate::station::{ModelCounts, StationCounts, StationStatus};

/// Every server-to-client message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FeedMessage {
    ConnectionEstablished {
        message: String,
        /// `null` on the all-stations and notifications feeds.
        station_id: Option<i32>,
        /// Extra: the current state of every station the feed covers, so a client that
        /// (re)connects is never stale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stations: Option<Vec<StationSnapshot>>,
        /// Extra, notifications feed only: how many unread notifications the user has.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unread_count: Option<u64>,
    },
    InventoryUpdate {
        station_id: i32,
        station_name: String,
        available_batteries: u32,
        booked_batteries: u32,
        total_batteries: u32,
        timestamp: String,
        action: InventoryAction,
        /// Extra: `available_batteries` per pack model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        available_by_model: Option<ModelCounts>,
    },
    BatteryBooked {
        station_id: i32,
        station_name: String,
        battery_id: i32,
        available_batteries: u32,
        booked_batteries: u32,
        /// Extra: lets the spec's own React hook keep `total` defined.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total_batteries: Option<u32>,
        /// The rider's email: in full for that station's staff and admins, masked for others.
        user: String,
        timestamp: String,
        /// Extra: `available_batteries` per pack model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        available_by_model: Option<ModelCounts>,
    },
    BatteryCollected {
        station_id: i32,
        station_name: String,
        battery_id: i32,
        available_batteries: u32,
        booked_batteries: u32,
        /// Extra, as for `battery_booked`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total_batteries: Option<u32>,
        timestamp: String,
        /// Extra: `available_batteries` per pack model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        available_by_model: Option<ModelCounts>,
    },
    BatteryAdded {
        station_id: i32,
        station_name: String,
        battery_id: i32,
        available_batteries: u32,
        total_batteries: u32,
        /// Extra.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        booked_batteries: Option<u32>,
        timestamp: String,
        /// Extra: `available_batteries` per pack model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        available_by_model: Option<ModelCounts>,
    },
    StationStatus {
        station_id: i32,
        station_name: String,
        status: StationStatus,
        message: String,
        timestamp: String,
    },
    BookingConfirmed {
        booking_id: i32,
        station_name: String,
        battery_info: String,
        message: String,
        timestamp: String,
        /// Extra: where and until when the battery is held, and the code to show staff.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        station_id: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collection_code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<String>,
    },
    BookingReady {
        booking_id: i32,
        station_name: String,
        message: String,
        timestamp: String,
        /// Extra.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        station_id: Option<i32>,
    },
    Notification {
        title: String,
        message: String,
        level: Level,
        timestamp: String,
        /// Extra: the stored notification's id, for marking it read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<i32>,
    },
    /// Extra message type, sent only to a station's staff and admins: a booking there changed
    /// status (carries no rider details). Keeps every console tab's booking queue live.
    BookingUpdate {
        booking_id: i32,
        station_id: i32,
        status: crate::booking::BookingStatus,
        timestamp: String,
    },
    /// Extra message type, on the notifications feed: the user marked notifications read (in
    /// any tab or client), and this many remain unread. Keeps every tab's badge right.
    NotificationsRead {
        unread_count: u64,
        timestamp: String,
    },
    /// Extra message type, on the station feeds: a station joined the directory (created or
    /// reopened by an admin) or its name, address or position changed. Carries all a list entry
    /// and the plan view show, so open lists apply it without a request.
    StationListed {
        station_id: i32,
        station_name: String,
        address: String,
        latitude: f64,
        longitude: f64,
        status: StationStatus,
        available_batteries: u32,
        booked_batteries: u32,
        total_batteries: u32,
        timestamp: String,
        /// Extra: `available_batteries` per pack model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        available_by_model: Option<ModelCounts>,
    },
    /// Extra message type, on the station feeds: an admin closed the station; it leaves every
    /// list (a `station_status` saying it is offline comes first).
    StationClosed {
        station_id: i32,
        station_name: String,
        timestamp: String,
    },
    /// Extra message type, for a station's staff and admins only: its available packs dropped to
    /// the low-stock threshold (`low: true`) or recovered above it (`low: false`). Sent once per
    /// crossing, by the change that crossed (the staff's notifications say it too).
    StockAlert {
        station_id: i32,
        station_name: String,
        available_batteries: u32,
        threshold: u32,
        low: bool,
        timestamp: String,
    },
    /// Extra message type, on `/ws/watch/` only: the answer to a client's `watch`. The stations
    /// the socket follows from now on (at most [`WATCH_MAX`], in the order asked; unknown and
    /// closed ones left out) and the current state of each, in the same order.
    Watching {
        station_ids: Vec<i32>,
        stations: Vec<StationSnapshot>,
    },
    Pong {
        /// The client's `timestamp`, echoed exactly (any JSON value); the server's time if absent.
        timestamp: Value,
    },
    Error {
        message: String,
    },
}

/// The `action` of an `inventory_update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryAction {
    Update,
    Add,
    Book,
    Collect,
}

/// One station's state as carried in `connection_established` (extra to the spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationSnapshot {
    pub station_id: i32,
    pub station_name: String,
    pub status: StationStatus,
    pub available_batteries: u32,
    pub booked_batteries: u32,
    pub total_batteries: u32,
    /// `available_batteries` per pack model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_by_model: Option<ModelCounts>,
}

impl StationSnapshot {
    pub fn new(
        station_id: i32,
        station_name: String,
        status: StationStatus,
        counts: StationCounts,
        available_by_model: ModelCounts,
    ) -> Self {
        Self {
            station_id,
            station_name,
            status,
            available_batteries: counts.available,
            booked_batteries: counts.booked,
            total_batteries: counts.total,
            available_by_model: Some(available_by_model),
        }
    }
}

impl FeedMessage {
    pub fn error(message: impl Into<String>) -> Self {
        FeedMessage::Error {
            message: message.into(),
        }
    }

    /// The station an event is about, for routing to `/ws/stations/{id}/`.
    pub fn station_id(&self) -> Option<i32> {
        match self {
            FeedMessage::InventoryUpdate { station_id, .. }
            | FeedMessage::BatteryBooked { station_id, .. }
            | FeedMessage::BatteryCollected { station_id, .. }
            | FeedMessage::BatteryAdded { station_id, .. }
            | FeedMessage::StationStatus { station_id, .. }
            | FeedMessage::StationListed { station_id, .. }
            | FeedMessage::StationClosed { station_id, .. }
            | FeedMessage::StockAlert { station_id, .. }
            | FeedMessage::BookingUpdate { station_id, .. } => Some(*station_id),
            _ => None,
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail: no maps with non-string keys, no floats.
        serde_json::to_string(self)
            .unwrap_or_else(|_| String::from(r#"{"type":"error","message":"internal"}"#))
    }
}

/// Timestamps on the wire: ISO 8601 in UTC with millisecond precision.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The most stations one `/ws/watch/` socket follows: a phone's map view holds tens; a view
/// zoomed out over a whole network is asked to zoom in rather than followed station by station.
pub const WATCH_MAX: usize = 500;

/// Every client-to-server message: the spec's `ping`, and our `watch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Ping {
        #[serde(default)]
        timestamp: Option<Value>,
    },
    /// Extra, on `/ws/watch/` only: follow exactly these stations from now on (replacing the
    /// last `watch`), answered by `watching`.
    Watch { station_ids: Vec<i32> },
}

/// Why a client frame was not understood; each becomes an `error` message, connection open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrameError {
    InvalidJson,
    NotAnObject,
    MissingType,
    UnknownType(String),
    BadFields(String),
}

impl ClientFrameError {
    pub fn message(&self) -> String {
        match self {
            ClientFrameError::InvalidJson => "Invalid JSON".into(),
            ClientFrameError::NotAnObject => "Expected a JSON object with a \"type\" field".into(),
            ClientFrameError::MissingType => "Missing \"type\" field".into(),
            ClientFrameError::UnknownType(t) => format!("Unknown message type: {t}"),
            ClientFrameError::BadFields(e) => format!("Invalid message: {e}"),
        }
    }
}

impl ClientMessage {
    /// Parses one text frame, telling apart the ways it can be wrong.
    pub fn parse(text: &str) -> Result<ClientMessage, ClientFrameError> {
        let value: Value = serde_json::from_str(text).map_err(|_| ClientFrameError::InvalidJson)?;
        let Value::Object(map) = &value else {
            return Err(ClientFrameError::NotAnObject);
        };
        match map.get("type") {
            None => Err(ClientFrameError::MissingType),
            Some(Value::String(t)) if t == "ping" || t == "watch" => serde_json::from_value(value)
                .map_err(|e| ClientFrameError::BadFields(e.to_string())),
            Some(Value::String(t)) => Err(ClientFrameError::UnknownType(t.clone())),
            Some(other) => Err(ClientFrameError::UnknownType(other.to_string())),
        }
    }
}
