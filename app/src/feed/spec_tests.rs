//! Pins the JSON of every message against the examples of `shared/spec/websocket-api.md`.
use serde_json::{Value, json};

use super::*;
use crate::notification::Level;
use crate::station::StationStatus;

const TS: &str = "2024-02-27T10:30:00";

fn assert_json(msg: &FeedMessage, expected: Value) {
    let actual: Value = serde_json::from_str(&msg.to_json()).unwrap();
    assert_eq!(actual, expected);
    // And the browser reads back exactly what the server sent.
    let back: FeedMessage = serde_json::from_value(actual).unwrap();
    assert_eq!(&back, msg);
    // Including the browser's own reader (`wire.rs`).
    assert_eq!(FeedMessage::from_wire(&msg.to_json()).as_ref(), Some(msg));
}

#[test]
fn connection_established() {
    let msg = FeedMessage::ConnectionEstablished {
        message: "Connected to station_1".into(),
        station_id: Some(1),
        stations: None,
        unread_count: None,
    };
    assert_json(
        &msg,
        json!({"type": "connection_established", "message": "Connected to station_1", "station_id": 1}),
    );
}

#[test]
fn inventory_update_with_every_action() {
    for (action, name) in [
        (InventoryAction::Update, "update"),
        (InventoryAction::Add, "add"),
        (InventoryAction::Book, "book"),
        (InventoryAction::Collect, "collect"),
    ] {
        let msg = FeedMessage::InventoryUpdate {
            station_id: 1,
            station_name: "Downtown Station".into(),
            available_batteries: 15,
            booked_batteries: 3,
            total_batteries: 18,
            timestamp: TS.into(),
            action,
            available_by_model: None,
        };
        assert_json(
            &msg,
            json!({"type": "inventory_update", "station_id": 1, "station_name": "Downtown Station",
            "available_batteries": 15, "booked_batteries": 3, "total_batteries": 18, "timestamp": TS, "action": name}),
        );
    }
}

#[test]
fn battery_booked() {
    let msg = FeedMessage::BatteryBooked {
        station_id: 1,
        station_name: "Downtown Station".into(),
        battery_id: 5,
        available_batteries: 14,
        booked_batteries: 4,
        total_batteries: None,
        user: "user@example.com".into(),
        timestamp: TS.into(),
        available_by_model: None,
    };
    assert_json(
        &msg,
        json!({"type": "battery_booked", "station_id": 1, "station_name": "Downtown Station",
        "battery_id": 5, "available_batteries": 14, "booked_batteries": 4, "user": "user@example.com", "timestamp": TS}),
    );
}

#[test]
fn battery_collected() {
    let msg = FeedMessage::BatteryCollected {
        station_id: 1,
        station_name: "Downtown Station".into(),
        battery_id: 5,
        available_batteries: 14,
        booked_batteries: 3,
        total_batteries: None,
        timestamp: "2024-02-27T10:35:00".into(),
        available_by_model: None,
    };
    assert_json(
        &msg,
        json!({"type": "battery_collected", "station_id": 1, "station_name": "Downtown Station",
        "battery_id": 5, "available_batteries": 14, "booked_batteries": 3, "timestamp": "2024-02-27T10:35:00"}),
    );
}

#[test]
fn battery_added() {
    let msg = FeedMessage::BatteryAdded {
        station_id: 1,
        station_name: "Downtown Station".into(),
        battery_id: 20,
        available_batteries: 16,
        total_batteries: 19,
        booked_batteries: None,
        timestamp: "2024-02-27T10:40:00".into(),
        available_by_model: None,
    };
    assert_json(
        &msg,
        json!({"type": "battery_added", "station_id": 1, "station_name": "Downtown Station",
        "battery_id": 20, "available_batteries": 16, "total_batteries": 19, "timestamp": "2024-02-27T10:40:00"}),
    );
}

#[test]
fn station_status_with_every_status() {
    for (status, name) in [
        (StationStatus::Online, "online"),
        (StationStatus::Offline, "offline"),
        (StationStatus::Maintenance, "maintenance"),
    ] {
        let msg = FeedMessage::StationStatus {
            station_id: 1,
            station_name: "Downtown Station".into(),
            status,
            message: "Station is now operational".into(),
            timestamp: "2024-02-27T10:45:00".into(),
        };
        assert_json(
            &msg,
            json!({"type": "station_status", "station_id": 1, "station_name": "Downtown Station",
            "status": name, "message": "Station is now operational", "timestamp": "2024-02-27T10:45:00"}),
        );
    }
}

#[test]
fn booking_confirmed() {
    let msg = FeedMessage::BookingConfirmed {
        booking_id: 123,
        station_name: "Downtown Station".into(),
        battery_info: "Tesla Battery - Model 3".into(),
        message: "Battery booked successfully at Downtown Station".into(),
        timestamp: TS.into(),
        station_id: None,
        collection_code: None,
        expires_at: None,
    };
    assert_json(
        &msg,
        json!({"type": "booking_confirmed", "booking_id": 123, "station_name": "Downtown Station",
        "battery_info": "Tesla Battery - Model 3", "message": "Battery booked successfully at Downtown Station", "timestamp": TS}),
    );
}

#[test]
fn booking_ready() {
    let msg = FeedMessage::BookingReady {
        booking_id: 123,
        station_name: "Downtown Station".into(),
        message: "Your battery is ready for collection at Downtown Station".into(),
        timestamp: "2024-02-27T10:50:00".into(),
        station_id: None,
    };
    assert_json(
        &msg,
        json!({"type": "booking_ready", "booking_id": 123, "station_name": "Downtown Station",
        "message": "Your battery is ready for collection at Downtown Station", "timestamp": "2024-02-27T10:50:00"}),
    );
}

#[test]
fn notification_with_every_level() {
    for (level, name) in [
        (Level::Info, "info"),
        (Level::Success, "success"),
        (Level::Warning, "warning"),
        (Level::Error, "error"),
    ] {
        let msg = FeedMessage::Notification {
            title: "System Update".into(),
            message: "New features available!".into(),
            level,
            timestamp: "2024-02-27T11:00:00".into(),
            id: None,
        };
        assert_json(
            &msg,
            json!({"type": "notification", "title": "System Update", "message": "New features available!",
            "level": name, "timestamp": "2024-02-27T11:00:00"}),
        );
    }
}

#[test]
fn notifications_read_is_an_extra_type() {
    assert_json(
        &FeedMessage::NotificationsRead {
            unread_count: 2,
            timestamp: TS.into(),
        },
        json!({"type": "notifications_read", "unread_count": 2, "timestamp": TS}),
    );
}

#[test]
fn counts_per_model_are_an_extra_field() {
    let msg = FeedMessage::InventoryUpdate {
        station_id: 1,
        station_name: "Downtown Station".into(),
        available_batteries: 3,
        booked_batteries: 1,
        total_batteries: 5,
        timestamp: TS.into(),
        action: InventoryAction::Book,
        available_by_model: Some(crate::station::ModelCounts::from([
            ("NIU Li-ion 60V 35Ah".to_string(), 1),
            ("Gogoro Smartscooter Pack".to_string(), 2),
        ])),
    };
    assert_json(
        &msg,
        json!({"type": "inventory_update", "station_id": 1, "station_name": "Downtown Station",
        "available_batteries": 3, "booked_batteries": 1, "total_batteries": 5, "timestamp": TS,
        "action": "book",
        "available_by_model": {"Gogoro Smartscooter Pack": 2, "NIU Li-ion 60V 35Ah": 1}}),
    );
}

#[test]
fn the_directory_types_are_extra() {
    assert_json(
        &FeedMessage::StationListed {
            station_id: 6,
            station_name: "Canal Yard".into(),
            address: "2 Lock Street".into(),
            latitude: 52.5,
            longitude: -13.25,
            status: StationStatus::Online,
            available_batteries: 0,
            booked_batteries: 0,
            total_batteries: 0,
            timestamp: TS.into(),
            available_by_model: None,
        },
        json!({"type": "station_listed", "station_id": 6, "station_name": "Canal Yard",
               "address": "2 Lock Street", "latitude": 52.5, "longitude": -13.25,
               "status": "online", "available_batteries": 0, "booked_batteries": 0,
               "total_batteries": 0, "timestamp": TS}),
    );
    assert_json(
        &FeedMessage::StationClosed {
            station_id: 6,
            station_name: "Canal Yard".into(),
            timestamp: TS.into(),
        },
        json!({"type": "station_closed", "station_id": 6, "station_name": "Canal Yard",
               "timestamp": TS}),
    );
}

#[test]
fn stock_alert_is_an_extra_type() {
    for low in [true, false] {
        assert_json(
            &FeedMessage::StockAlert {
                station_id: 6,
                station_name: "Canal Yard".into(),
                available_batteries: if low { 2 } else { 3 },
                threshold: 2,
                low,
                timestamp: TS.into(),
            },
            json!({"type": "stock_alert", "station_id": 6, "station_name": "Canal Yard",
                   "available_batteries": if low { 2 } else { 3 }, "threshold": 2, "low": low,
                   "timestamp": TS}),
        );
    }
}

#[test]
fn pong_and_error() {
    assert_json(
        &FeedMessage::Pong {
            timestamp: json!(TS),
        },
        json!({"type": "pong", "timestamp": TS}),
    );
    assert_json(
        &FeedMessage::error("Invalid JSON"),
        json!({"type": "error", "message": "Invalid JSON"}),
    );
}

#[test]
fn watching_is_an_extra_type() {
    assert_json(
        &FeedMessage::Watching {
            station_ids: vec![],
            stations: vec![],
        },
        json!({"type": "watching", "station_ids": [], "stations": []}),
    );
}

#[test]
fn wire_timestamps_are_iso_8601_utc() {
    let at = chrono::DateTime::parse_from_rfc3339("2024-02-27T10:30:00.123456Z")
        .unwrap()
        .to_utc();
    assert_eq!(timestamp(at), "2024-02-27T10:30:00.123Z");
}
