//! Every `FeedMessage` variant, written by the server's encoder and read by the browser's own
//! reader (`wire.rs`): a variant the browser cannot read fails here, not silently in a tab.
//! A new variant does not compile until [`kind`] numbers it, and this test fails until
//! [`samples`] has one of it.
use super::{FeedMessage, InventoryAction, StationSnapshot};
use crate::booking::BookingStatus;
use crate::notification::Level;
use crate::station::{ModelCounts, StationCounts, StationStatus};

/// How many variants `FeedMessage` has.
const KINDS: usize = 17;

/// Each variant's number: exhaustive, so a new variant must be numbered here.
fn kind(message: &FeedMessage) -> usize {
    match message {
        FeedMessage::ConnectionEstablished { .. } => 0,
        FeedMessage::InventoryUpdate { .. } => 1,
        FeedMessage::BatteryBooked { .. } => 2,
        FeedMessage::BatteryCollected { .. } => 3,
        FeedMessage::BatteryAdded { .. } => 4,
        FeedMessage::StationStatus { .. } => 5,
        FeedMessage::BookingConfirmed { .. } => 6,
        FeedMessage::BookingReady { .. } => 7,
        FeedMessage::Notification { .. } => 8,
        FeedMessage::BookingUpdate { .. } => 9,
        FeedMessage::NotificationsRead { .. } => 10,
        FeedMessage::StationListed { .. } => 11,
        FeedMessage::StationClosed { .. } => 12,
        FeedMessage::StockAlert { .. } => 13,
        FeedMessage::Pong { .. } => 14,
        FeedMessage::Error { .. } => 15,
        FeedMessage::Watching { .. } => 16,
    }
}

const TS: &str = "2026-12-07T10:00:00.000Z";

fn by_model() -> Option<ModelCounts> {
    Some(ModelCounts::from([
        ("Gogoro S".to_string(), 3),
        ("NIU".to_string(), 0),
    ]))
}

/// One message of each variant with every optional field set, and where a variant has
/// optional fields, one with none of them.
fn samples() -> Vec<FeedMessage> {
    let snapshot = StationSnapshot::new(
        1,
        "Downtown \"Station\" ✓".into(),
        StationStatus::Online,
        StationCounts {
            available: 3,
            charging: 1,
            booked: 2,
            total: 6,
            ..Default::default()
        },
        ModelCounts::from([("Gogoro S".to_string(), 3)]),
    );
    vec![
        FeedMessage::ConnectionEstablished {
            message: "Connected".into(),
            station_id: Some(1),
            stations: Some(vec![snapshot.clone()]),
            unread_count: Some(4),
        },
        FeedMessage::ConnectionEstablished {
            message: "Connected".into(),
            station_id: None,
            stations: None,
            unread_count: None,
        },
        FeedMessage::InventoryUpdate {
            station_id: 1,
            station_name: "Downtown".into(),
            available_batteries: 3,
            booked_batteries: 2,
            total_batteries: 6,
            timestamp: TS.into(),
            action: InventoryAction::Collect,
            available_by_model: by_model(),
        },
        FeedMessage::BatteryBooked {
            station_id: 1,
            station_name: "Downtown".into(),
            battery_id: 7,
            available_batteries: 2,
            booked_batteries: 3,
            total_batteries: Some(6),
            user: "r***@example.com".into(),
            timestamp: TS.into(),
            available_by_model: by_model(),
        },
        FeedMessage::BatteryBooked {
            station_id: 1,
            station_name: "Downtown".into(),
            battery_id: 7,
            available_batteries: 2,
            booked_batteries: 3,
            total_batteries: None,
            user: "rider@example.com".into(),
            timestamp: TS.into(),
            available_by_model: None,
        },
        FeedMessage::BatteryCollected {
            station_id: 1,
            station_name: "Downtown".into(),
            battery_id: 7,
            available_batteries: 2,
            booked_batteries: 1,
            total_batteries: Some(5),
            timestamp: TS.into(),
            available_by_model: by_model(),
        },
        FeedMessage::BatteryAdded {
            station_id: 1,
            station_name: "Downtown".into(),
            battery_id: 8,
            available_batteries: 4,
            total_batteries: 7,
            booked_batteries: Some(1),
            timestamp: TS.into(),
            available_by_model: by_model(),
        },
        FeedMessage::StationStatus {
            station_id: 1,
            station_name: "Downtown".into(),
            status: StationStatus::Maintenance,
            message: "Back at noon".into(),
            timestamp: TS.into(),
        },
        FeedMessage::BookingConfirmed {
            booking_id: 9,
            station_name: "Downtown".into(),
            battery_info: "Gogoro S".into(),
            message: "Booked".into(),
            timestamp: TS.into(),
            station_id: Some(1),
            collection_code: Some("K7M2QX".into()),
            expires_at: Some(TS.into()),
        },
        FeedMessage::BookingReady {
            booking_id: 9,
            station_name: "Downtown".into(),
            message: "Ready".into(),
            timestamp: TS.into(),
            station_id: Some(1),
        },
        FeedMessage::Notification {
            title: "Low stock".into(),
            message: "2 left".into(),
            level: Level::Warning,
            timestamp: TS.into(),
            id: Some(12),
        },
        FeedMessage::BookingUpdate {
            booking_id: 9,
            station_id: 1,
            status: BookingStatus::Expired,
            timestamp: TS.into(),
        },
        FeedMessage::NotificationsRead {
            unread_count: 0,
            timestamp: TS.into(),
        },
        FeedMessage::StationListed {
            station_id: 2,
            station_name: "Harbour".into(),
            address: "1 Quay".into(),
            latitude: 25.04,
            longitude: -121.5,
            status: StationStatus::Offline,
            available_batteries: 0,
            booked_batteries: 0,
            total_batteries: 0,
            timestamp: TS.into(),
            available_by_model: Some(ModelCounts::new()),
        },
        FeedMessage::StationClosed {
            station_id: 2,
            station_name: "Harbour".into(),
            timestamp: TS.into(),
        },
        FeedMessage::StockAlert {
            station_id: 1,
            station_name: "Downtown".into(),
            available_batteries: 2,
            threshold: 2,
            low: true,
            timestamp: TS.into(),
        },
        FeedMessage::Pong {
            timestamp: serde_json::Value::String(TS.into()),
        },
        FeedMessage::Watching {
            station_ids: vec![1],
            stations: vec![snapshot.clone()],
        },
        FeedMessage::Watching {
            station_ids: vec![],
            stations: vec![],
        },
        FeedMessage::Error {
            message: "Invalid JSON".into(),
        },
    ]
}

#[test]
fn every_variant_reads_back_in_the_browser_as_the_server_wrote_it() {
    let mut seen = [false; KINDS];
    for message in samples() {
        seen[kind(&message)] = true;
        let wire = message.to_json();
        assert_eq!(
            FeedMessage::from_wire(&wire).as_ref(),
            Some(&message),
            "the browser's reader lost or changed {wire}"
        );
    }
    let missing: Vec<usize> = (0..KINDS).filter(|k| !seen[*k]).collect();
    assert!(missing.is_empty(), "variants with no sample: {missing:?}");
}
