//! How each fact a change raised reaches its audiences: the one place that decides which feed
//! hears what, in which wire message, with whose email masked, and which notifications are
//! stored. Called by the unit of work at commit (`crate::change::Change::commit`), which
//! stores the notes, numbers the station events and publishes.
use chrono::{DateTime, Utc};

use super::DomainEvent;
use crate::booking::BookingStatus;
use crate::change::event::Event;
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::notification::Level;
use crate::station::StationStatus;

mod messages;

use messages::{
    at, booked, booking_update, inventory, listed, note, status_message, stock_crossed, to_user,
};

/// A notification to store with the change. `deliver`: sent as a `notification` message too,
/// in its place among the change's events (a `booking_confirmed` or `booking_ready` is the
/// message that tells of its own note).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub user_id: i32,
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    pub level: Level,
    pub deliver: bool,
}

/// What a fact becomes: messages for the feeds and notes to store, in order.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a handful per change, gone at its commit: boxing would cost more than it saves"
)]
pub enum Out {
    Wire(DomainEvent),
    Note(Note),
}

/// What `event`, raised by a change made at `when`, becomes.
pub fn project(event: Event, when: DateTime<Utc>) -> Vec<Out> {
    let ts = timestamp(when);
    let ts = ts.as_str();
    match event {
        Event::Booked(made) => booked(made, ts),
        Event::Ready {
            station_id,
            station_name,
            booking_id,
            rider_id,
        } => {
            let text = format!("Your battery is ready for collection at {station_name}");
            vec![
                Out::Note(Note {
                    user_id: rider_id,
                    kind: "booking_ready",
                    title: "Battery ready".into(),
                    message: text.clone(),
                    level: Level::Success,
                    deliver: false,
                }),
                to_user(
                    rider_id,
                    FeedMessage::BookingReady {
                        booking_id,
                        station_name,
                        message: text,
                        timestamp: ts.into(),
                        station_id: Some(station_id),
                    },
                ),
                booking_update(station_id, booking_id, BookingStatus::Ready, ts),
            ]
        }
        Event::Collected {
            station: s,
            booking_id,
            battery_id,
            rider_id,
        } => {
            let c = s.counts;
            let text = format!("You collected your battery at {}. Ride safe!", s.name);
            vec![
                at(
                    &s,
                    FeedMessage::BatteryCollected {
                        station_id: s.id,
                        station_name: s.name.clone(),
                        battery_id,
                        available_batteries: c.available,
                        booked_batteries: c.booked,
                        total_batteries: Some(c.total),
                        timestamp: ts.into(),
                        available_by_model: Some(s.available_by_model.clone()),
                    },
                ),
                inventory(&s, InventoryAction::Collect, ts),
                note(rider_id, "Battery collected", text, Level::Info),
                booking_update(s.id, booking_id, BookingStatus::Collected, ts),
            ]
        }
        Event::Released {
            station: s,
            booking_id,
            rider_id,
            status,
            reason,
        } => {
            let (title, mut text) = match status {
                BookingStatus::Expired => (
                    "Booking expired",
                    format!("Your booking at {} expired before collection.", s.name),
                ),
                _ => (
                    "Booking cancelled",
                    format!("Your booking at {} was cancelled.", s.name),
                ),
            };
            if !reason.is_empty() {
                text = format!("{text} Reason: {reason}");
            }
            vec![
                inventory(&s, InventoryAction::Update, ts),
                note(rider_id, title, text, Level::Warning),
                booking_update(s.id, booking_id, status, ts),
            ]
        }
        Event::HoldEnding {
            rider_id,
            station_name,
            minutes,
        } => {
            let text = format!(
                "Your battery at {station_name} is held for {minutes} more minute{}. Collect it \
                 in time, or cancel so that someone else can have it.",
                if minutes == 1 { "" } else { "s" }
            );
            vec![note(rider_id, "Your hold ends soon", text, Level::Warning)]
        }
        Event::PackAdded {
            station: s,
            battery_id,
        } => {
            let c = s.counts;
            vec![
                at(
                    &s,
                    FeedMessage::BatteryAdded {
                        station_id: s.id,
                        station_name: s.name.clone(),
                        battery_id,
                        available_batteries: c.available,
                        total_batteries: c.total,
                        booked_batteries: Some(c.booked),
                        timestamp: ts.into(),
                        available_by_model: Some(s.available_by_model.clone()),
                    },
                ),
                inventory(&s, InventoryAction::Add, ts),
            ]
        }
        Event::StockChanged { station: s } => vec![inventory(&s, InventoryAction::Update, ts)],
        Event::StatusSet {
            station: s,
            status,
            message,
        } => vec![status_message(&s, status, message, ts)],
        Event::StationCreated { station: s } | Event::StationEdited { station: s } => {
            vec![inventory(&s, InventoryAction::Update, ts), listed(&s, ts)]
        }
        Event::StationClosed {
            station: s,
            message,
        } => vec![
            status_message(&s, StationStatus::Offline, message, ts),
            at(
                &s,
                FeedMessage::StationClosed {
                    station_id: s.id,
                    station_name: s.name.clone(),
                    timestamp: ts.into(),
                },
            ),
        ],
        Event::StationReopened { station: s } => vec![listed(&s, ts)],
        Event::StockCrossed {
            station: s,
            low,
            threshold,
            staff,
        } => stock_crossed(&s, low, threshold, staff, ts),
        Event::NotificationsRead { user_id, unread } => vec![to_user(
            user_id,
            FeedMessage::NotificationsRead {
                unread_count: unread,
                timestamp: ts.into(),
            },
        )],
        Event::Announced {
            to,
            title,
            message,
            level,
        } => (to.into_iter())
            .map(|user_id| note(user_id, &title, message.clone(), level))
            .collect(),
        Event::CredentialRevoked(credential) => {
            vec![Out::Wire(DomainEvent::CredentialRevoked { credential })]
        }
        Event::PrivilegesChanged { user_id } => {
            vec![Out::Wire(DomainEvent::UserPrivilegesChanged { user_id })]
        }
    }
}
