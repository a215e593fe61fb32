//! How each fact a change raised reaches its audiences: the one place that decides which feed
//! hears what, in which wire message, with whose email masked, and which notifications are
//! stored. Called by the unit of work at commit (`crate::change::Change::commit`), which
//! stores the notes, numbers the station events and publishes.
use chrono::{DateTime, Utc};

use super::{DomainEvent, mask_email};
use crate::booking::BookingStatus;
use crate::change::event::{Event, Rider};
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::notification::Level;
use crate::station::{StationStatus, StationSummary};

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

fn note(user_id: i32, title: &str, message: String, level: Level) -> Out {
    Out::Note(Note {
        user_id,
        kind: "notification",
        title: title.into(),
        message,
        level,
        deliver: true,
    })
}

/// A station event of the change that brought `station` to its version.
fn at(station: &StationSummary, message: FeedMessage) -> Out {
    Out::Wire(DomainEvent::Station {
        station_id: station.id,
        seq: Some(station.version),
        message,
        privileged: None,
    })
}

fn inventory(station: &StationSummary, action: InventoryAction, ts: &str) -> Out {
    Out::Wire(DomainEvent::inventory(station, action, ts.to_string()))
}

/// `booking_update`, for the station's staff consoles (no rider details).
fn booking_update(station_id: i32, booking_id: i32, status: BookingStatus, ts: &str) -> Out {
    Out::Wire(DomainEvent::StationStaff {
        station_id,
        message: FeedMessage::BookingUpdate {
            booking_id,
            station_id,
            status,
            timestamp: ts.to_string(),
        },
    })
}

fn to_user(user_id: i32, message: FeedMessage) -> Out {
    Out::Wire(DomainEvent::User { user_id, message })
}

/// `station_listed`: the station as committed, for every open list and map.
fn listed(s: &StationSummary, ts: &str) -> Out {
    at(
        s,
        FeedMessage::StationListed {
            station_id: s.id,
            station_name: s.name.clone(),
            address: s.address.clone(),
            latitude: s.latitude,
            longitude: s.longitude,
            status: s.status,
            available_batteries: s.counts.available,
            booked_batteries: s.counts.booked,
            total_batteries: s.counts.total,
            timestamp: ts.to_string(),
            available_by_model: Some(s.available_by_model.clone()),
        },
    )
}

/// "1 pack", "2 packs".
fn packs(n: u32) -> String {
    if n == 1 {
        "1 pack".into()
    } else {
        format!("{n} packs")
    }
}

/// What `event`, raised by a change made at `when`, becomes.
pub fn project(event: Event, when: DateTime<Utc>) -> Vec<Out> {
    let ts = timestamp(when);
    let ts = ts.as_str();
    match event {
        Event::Booked {
            station: s,
            booking_id,
            battery_id,
            model,
            code,
            expires_at,
            rider,
        } => booked(
            &s, booking_id, battery_id, model, code, expires_at, rider, ts,
        ),
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

fn status_message(s: &StationSummary, status: StationStatus, message: String, ts: &str) -> Out {
    at(
        s,
        FeedMessage::StationStatus {
            station_id: s.id,
            station_name: s.name.clone(),
            status,
            message,
            timestamp: ts.into(),
        },
    )
}

/// A booking: the station's feeds (the rider's email masked for all but its staff), the
/// rider's confirmation with the code to show, the staff's queue.
#[expect(clippy::too_many_arguments, reason = "the fields of `Event::Booked`")]
fn booked(
    s: &StationSummary,
    booking_id: i32,
    battery_id: i32,
    model: String,
    code: String,
    expires_at: DateTime<Utc>,
    rider: Rider,
    ts: &str,
) -> Vec<Out> {
    let c = s.counts;
    let text = format!("Battery booked successfully at {}", s.name);
    let message = |user: String| FeedMessage::BatteryBooked {
        station_id: s.id,
        station_name: s.name.clone(),
        battery_id,
        available_batteries: c.available,
        booked_batteries: c.booked,
        total_batteries: Some(c.total),
        user,
        timestamp: ts.into(),
        available_by_model: Some(s.available_by_model.clone()),
    };
    vec![
        Out::Note(Note {
            user_id: rider.id,
            kind: "booking_confirmed",
            title: "Booking confirmed".into(),
            message: text.clone(),
            level: Level::Success,
            deliver: false,
        }),
        Out::Wire(DomainEvent::Station {
            station_id: s.id,
            seq: Some(s.version),
            message: message(mask_email(&rider.email)),
            privileged: Some(message(rider.email.clone())),
        }),
        inventory(s, InventoryAction::Book, ts),
        to_user(
            rider.id,
            FeedMessage::BookingConfirmed {
                booking_id,
                station_name: s.name.clone(),
                battery_info: model,
                message: text,
                timestamp: ts.into(),
                station_id: Some(s.id),
                collection_code: Some(code),
                expires_at: Some(timestamp(expires_at)),
            },
        ),
        booking_update(s.id, booking_id, BookingStatus::Confirmed, ts),
    ]
}

/// A low-stock crossing: every console open on the station, and a note to each of its staff.
fn stock_crossed(
    s: &StationSummary,
    low: bool,
    threshold: u32,
    staff: Vec<i32>,
    ts: &str,
) -> Vec<Out> {
    let available = s.counts.available;
    let (title, text, level) = if low {
        let text = format!("Low stock at {}: {} left", s.name, packs(available));
        ("Low stock", text, Level::Warning)
    } else {
        let text = format!("{} restocked: {} available", s.name, packs(available));
        ("Restocked", text, Level::Info)
    };
    let alert = Out::Wire(DomainEvent::StationStaff {
        station_id: s.id,
        message: FeedMessage::StockAlert {
            station_id: s.id,
            station_name: s.name.clone(),
            available_batteries: available,
            threshold,
            low,
            timestamp: ts.into(),
        },
    });
    std::iter::once(alert)
        .chain(
            staff
                .into_iter()
                .map(|id| note(id, title, text.clone(), level)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::packs;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(packs(1), "1 pack");
        assert_eq!(packs(0), "0 packs");
        assert_eq!(packs(2), "2 packs");
    }
}
