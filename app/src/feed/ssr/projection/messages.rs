//! The wire messages and notes the projection builds, one function each where a fact needs
//! more than a line.

use super::{Note, Out};
use crate::booking::BookingStatus;
use crate::change::event::Booked;
use crate::feed::ssr::{DomainEvent, mask_email};
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::notification::Level;
use crate::station::{StationStatus, StationSummary};

pub(super) fn note(user_id: i32, title: &str, message: String, level: Level) -> Out {
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
pub(super) fn at(station: &StationSummary, message: FeedMessage) -> Out {
    Out::Wire(DomainEvent::Station {
        station_id: station.id,
        seq: Some(station.version),
        message,
        privileged: None,
    })
}

pub(super) fn inventory(station: &StationSummary, action: InventoryAction, ts: &str) -> Out {
    Out::Wire(DomainEvent::inventory(station, action, ts.to_string()))
}

/// `booking_update`, for the station's staff consoles (no rider details).
pub(super) fn booking_update(
    station_id: i32,
    booking_id: i32,
    status: BookingStatus,
    ts: &str,
) -> Out {
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

pub(super) fn to_user(user_id: i32, message: FeedMessage) -> Out {
    Out::Wire(DomainEvent::User { user_id, message })
}

/// `station_listed`: the station as committed, for every open list and map.
pub(super) fn listed(s: &StationSummary, ts: &str) -> Out {
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

pub(super) fn status_message(
    s: &StationSummary,
    status: StationStatus,
    message: String,
    ts: &str,
) -> Out {
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
pub(super) fn booked(made: Booked, ts: &str) -> Vec<Out> {
    let Booked {
        station: ref s,
        booking_id,
        battery_id,
        model,
        code,
        expires_at,
        rider,
    } = made;
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
pub(super) fn stock_crossed(
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
