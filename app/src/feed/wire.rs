//! How the browser reads a feed message: in one pass, as one flat record of optional fields,
//! then the variant its `type` names.
//!
//! serde's decoder for an internally tagged enum (`#[serde(tag = "type")]`) first buffers the
//! whole message in a generic tree, then decodes the variant from that tree: every variant's
//! decoder twice over, about 60 KB of the rider's wasm. This reader is one struct decoder.
//! The server still writes messages with serde (`FeedMessage::to_json`), and the spec tests
//! check that this reads back every message exactly (`spec_tests::assert_json`).
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

use super::{FeedMessage, InventoryAction, StationSnapshot};
use crate::station::ModelCounts;

/// Every field any message has, by its wire name.
#[derive(Deserialize)]
struct Fields {
    #[serde(rename = "type")]
    kind: String,
    message: Option<String>,
    station_id: Option<i32>,
    stations: Option<Vec<StationSnapshot>>,
    unread_count: Option<u64>,
    station_name: Option<String>,
    available_batteries: Option<u32>,
    booked_batteries: Option<u32>,
    total_batteries: Option<u32>,
    /// A string everywhere but in `pong`, which echoes whatever the client sent.
    #[serde(default, deserialize_with = "text_or_nothing")]
    timestamp: Option<String>,
    action: Option<InventoryAction>,
    available_by_model: Option<ModelCounts>,
    battery_id: Option<i32>,
    user: Option<String>,
    /// A station's status or a booking's, by the message type.
    status: Option<String>,
    booking_id: Option<i32>,
    battery_info: Option<String>,
    collection_code: Option<String>,
    expires_at: Option<String>,
    title: Option<String>,
    level: Option<String>,
    id: Option<i32>,
    address: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    threshold: Option<u32>,
    low: Option<bool>,
}

/// A string, or `None` for any other JSON value (skipped whole).
fn text_or_nothing<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            while a
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    d.deserialize_any(Visitor)
}

impl FeedMessage {
    /// Reads a message as the server writes it; `None` for anything else (an unknown type, a
    /// missing field). A `pong` keeps its timestamp only when it is a string.
    pub fn from_wire(text: &str) -> Option<FeedMessage> {
        let f: Fields = serde_json::from_str(text).ok()?;
        Some(match f.kind.as_str() {
            "connection_established" => FeedMessage::ConnectionEstablished {
                message: f.message?,
                station_id: f.station_id,
                stations: f.stations,
                unread_count: f.unread_count,
            },
            "inventory_update" => FeedMessage::InventoryUpdate {
                station_id: f.station_id?,
                station_name: f.station_name?,
                available_batteries: f.available_batteries?,
                booked_batteries: f.booked_batteries?,
                total_batteries: f.total_batteries?,
                timestamp: f.timestamp?,
                action: f.action?,
                available_by_model: f.available_by_model,
            },
            "battery_booked" => FeedMessage::BatteryBooked {
                station_id: f.station_id?,
                station_name: f.station_name?,
                battery_id: f.battery_id?,
                available_batteries: f.available_batteries?,
                booked_batteries: f.booked_batteries?,
                total_batteries: f.total_batteries,
                user: f.user?,
                timestamp: f.timestamp?,
                available_by_model: f.available_by_model,
            },
            "battery_collected" => FeedMessage::BatteryCollected {
                station_id: f.station_id?,
                station_name: f.station_name?,
                battery_id: f.battery_id?,
                available_batteries: f.available_batteries?,
                booked_batteries: f.booked_batteries?,
                total_batteries: f.total_batteries,
                timestamp: f.timestamp?,
                available_by_model: f.available_by_model,
            },
            "battery_added" => FeedMessage::BatteryAdded {
                station_id: f.station_id?,
                station_name: f.station_name?,
                battery_id: f.battery_id?,
                available_batteries: f.available_batteries?,
                total_batteries: f.total_batteries?,
                booked_batteries: f.booked_batteries,
                timestamp: f.timestamp?,
                available_by_model: f.available_by_model,
            },
            "station_status" => FeedMessage::StationStatus {
                station_id: f.station_id?,
                station_name: f.station_name?,
                status: FromStr::from_str(f.status.as_deref()?).ok()?,
                message: f.message?,
                timestamp: f.timestamp?,
            },
            "booking_confirmed" => FeedMessage::BookingConfirmed {
                booking_id: f.booking_id?,
                station_name: f.station_name?,
                battery_info: f.battery_info?,
                message: f.message?,
                timestamp: f.timestamp?,
                station_id: f.station_id,
                collection_code: f.collection_code,
                expires_at: f.expires_at,
            },
            "booking_ready" => FeedMessage::BookingReady {
                booking_id: f.booking_id?,
                station_name: f.station_name?,
                message: f.message?,
                timestamp: f.timestamp?,
                station_id: f.station_id,
            },
            "notification" => FeedMessage::Notification {
                title: f.title?,
                message: f.message?,
                level: FromStr::from_str(f.level.as_deref()?).ok()?,
                timestamp: f.timestamp?,
                id: f.id,
            },
            "booking_update" => FeedMessage::BookingUpdate {
                booking_id: f.booking_id?,
                station_id: f.station_id?,
                status: FromStr::from_str(f.status.as_deref()?).ok()?,
                timestamp: f.timestamp?,
            },
            "notifications_read" => FeedMessage::NotificationsRead {
                unread_count: f.unread_count?,
                timestamp: f.timestamp?,
            },
            "station_listed" => FeedMessage::StationListed {
                station_id: f.station_id?,
                station_name: f.station_name?,
                address: f.address?,
                latitude: f.latitude?,
                longitude: f.longitude?,
                status: FromStr::from_str(f.status.as_deref()?).ok()?,
                available_batteries: f.available_batteries?,
                booked_batteries: f.booked_batteries?,
                total_batteries: f.total_batteries?,
                timestamp: f.timestamp?,
                available_by_model: f.available_by_model,
            },
            "station_closed" => FeedMessage::StationClosed {
                station_id: f.station_id?,
                station_name: f.station_name?,
                timestamp: f.timestamp?,
            },
            "stock_alert" => FeedMessage::StockAlert {
                station_id: f.station_id?,
                station_name: f.station_name?,
                available_batteries: f.available_batteries?,
                threshold: f.threshold?,
                low: f.low?,
                timestamp: f.timestamp?,
            },
            "pong" => FeedMessage::Pong {
                timestamp: f
                    .timestamp
                    .map_or(serde_json::Value::Null, serde_json::Value::String),
            },
            // The ids are the snapshots' own (the server writes them so): not read twice.
            "watching" => {
                let stations = f.stations?;
                let station_ids = stations.iter().map(|s| s.station_id).collect();
                FeedMessage::Watching {
                    station_ids,
                    stations,
                }
            }
            "error" => FeedMessage::Error {
                message: f.message?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::FeedMessage;

    #[test]
    fn the_browsers_reader_skips_what_it_cannot_read() {
        // A pong echoes any JSON value: the browser keeps only a string.
        assert_eq!(
            FeedMessage::from_wire(r#"{"type":"pong","timestamp":{"at":[1,2.5,null]}}"#),
            Some(FeedMessage::Pong {
                timestamp: serde_json::Value::Null
            })
        );
        for other in [
            r#"{"type":"battery_teleported","station_id":1}"#,
            r#"{"type":"station_closed","station_id":1}"#,
            r#"{"type":"station_status","station_id":1,"station_name":"A","status":"on_fire","message":"","timestamp":"t"}"#,
            r#"{"station_id":1}"#,
            "[]",
            "not json",
        ] {
            assert_eq!(FeedMessage::from_wire(other), None, "{other}");
        }
    }
}
