//! Domain events and the bus that carries them from a committed transaction to the sockets.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub mod pg_notify;

use super::{FeedMessage, InventoryAction};
use crate::station::StationSummary;

/// Station events per version: a transaction emits fewer than this many.
pub const SEQ_PER_VERSION: i64 = 16;

/// A login credential a socket was opened with; revoking it closes those sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Credential {
    Session(i32),
    Token(i32),
}

/// Something that happened, already rendered to the wire messages its audiences receive.
///
/// Rendering happens once, at the source, so fan-out to thousands of sockets is a copy of
/// pre-serialised bytes. Serialisable so that several instances can share events (NOTIFY).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DomainEvent {
    /// For the all-stations feed and `station_id`'s feed.
    Station {
        station_id: i32,
        /// Orders this station's events: `version * 16 + index` within the committing
        /// transaction (see [`DomainEvent::sequence`]). `None`: a refresh, always delivered.
        seq: Option<i64>,
        message: FeedMessage,
        /// The same message unmasked (a rider's full email), for the station's staff and admins.
        privileged: Option<FeedMessage>,
    },
    /// For the station feeds of `station_id`'s staff and admins only.
    StationStaff {
        station_id: i32,
        message: FeedMessage,
    },
    /// For every notifications socket of one user.
    User { user_id: i32, message: FeedMessage },
    /// Close every socket opened with this credential (logout, token revoked).
    CredentialRevoked { credential: Credential },
    /// The user's role or station assignments changed: close every socket of theirs (any feed,
    /// on every instance), so that each reconnects with the rights the user has now.
    UserPrivilegesChanged { user_id: i32 },
}

impl DomainEvent {
    /// An unordered station event (a refresh after a lost connection; tests).
    pub fn station(station_id: i32, message: FeedMessage) -> Self {
        DomainEvent::Station {
            station_id,
            seq: None,
            message,
            privileged: None,
        }
    }

    /// A station event of the change that brought `station` to its version.
    pub fn at(station: &StationSummary, message: FeedMessage) -> Self {
        DomainEvent::Station {
            station_id: station.id,
            seq: Some(station.version),
            message,
            privileged: None,
        }
    }

    /// `inventory_update` (`update`) outside the event order: a refresh after a lost connection.
    pub fn refresh(station: &StationSummary, timestamp: String) -> Self {
        match Self::inventory(station, InventoryAction::Update, timestamp) {
            DomainEvent::Station {
                station_id,
                message,
                ..
            } => Self::station(station_id, message),
            other => other,
        }
    }

    /// Turns each station event's version into its place in the station's event order:
    /// `version * 16 + position` in this transaction's list.
    pub fn sequence(events: &mut [DomainEvent]) {
        for (i, event) in events.iter_mut().enumerate() {
            if let DomainEvent::Station { seq: Some(v), .. } = event {
                *v = *v * SEQ_PER_VERSION + i.min(15) as i64;
            }
        }
    }

    /// `booking_update` for the station's staff consoles.
    pub fn booking_update(
        station_id: i32,
        booking_id: i32,
        status: crate::booking::BookingStatus,
        timestamp: String,
    ) -> Self {
        DomainEvent::StationStaff {
            station_id,
            message: FeedMessage::BookingUpdate {
                booking_id,
                station_id,
                status,
                timestamp,
            },
        }
    }

    pub fn user(user_id: i32, message: FeedMessage) -> Self {
        DomainEvent::User { user_id, message }
    }

    /// `station_listed`: `station` as committed, for every open list and plan view.
    pub fn listed(station: &StationSummary, timestamp: String) -> Self {
        Self::at(
            station,
            FeedMessage::StationListed {
                station_id: station.id,
                station_name: station.name.clone(),
                address: station.address.clone(),
                latitude: station.latitude,
                longitude: station.longitude,
                status: station.status,
                available_batteries: station.counts.available,
                booked_batteries: station.counts.booked,
                total_batteries: station.counts.total,
                timestamp,
                available_by_model: Some(station.available_by_model.clone()),
            },
        )
    }

    /// `inventory_update` with the counts of `station` as committed.
    pub fn inventory(station: &StationSummary, action: InventoryAction, timestamp: String) -> Self {
        Self::at(
            station,
            FeedMessage::InventoryUpdate {
                station_id: station.id,
                station_name: station.name.clone(),
                available_batteries: station.counts.available,
                booked_batteries: station.counts.booked,
                total_batteries: station.counts.total,
                timestamp,
                action,
                available_by_model: Some(station.available_by_model.clone()),
            },
        )
    }
}

/// This instance's sockets: the feed hub.
pub trait EventSink: Send + Sync + 'static {
    fn publish(&self, events: Vec<DomainEvent>);
}

/// The one way events leave the domain, after their transaction commits (see
/// [`crate::context::Ctx::commit`]).
///
/// On one instance (SQLite) committed events go straight to the local hub. On PostgreSQL every
/// event is `NOTIFY`ed inside the transaction that makes the change, so it is announced exactly
/// when, and only if, that transaction commits, in commit order; every instance (this one
/// included) `LISTEN`s and hands what it hears to its own hub.
#[derive(Clone)]
pub struct EventBus {
    sink: Arc<dyn EventSink>,
    shared: bool,
    /// In-process, commits and their publishing happen under this lock, so events reach the
    /// hub in commit order (PostgreSQL delivers NOTIFYs in commit order by itself).
    order: Arc<tokio::sync::Mutex<()>>,
}

impl EventBus {
    /// Events stay in this process.
    pub fn new(sink: Arc<dyn EventSink>) -> Self {
        Self {
            sink,
            shared: false,
            order: Arc::default(),
        }
    }

    /// Events are announced through PostgreSQL to every instance; a listener feeds `sink`.
    pub fn over_postgres(sink: Arc<dyn EventSink>) -> Self {
        Self {
            sink,
            shared: true,
            order: Arc::default(),
        }
    }

    /// A bus that drops everything: for tools that change data with nobody listening.
    pub fn detached() -> Self {
        struct Nowhere;
        impl EventSink for Nowhere {
            fn publish(&self, _: Vec<DomainEvent>) {}
        }
        Self::new(Arc::new(Nowhere))
    }

    /// Held from commit to publish when events are published in process.
    pub async fn in_commit_order(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.shared {
            None
        } else {
            Some(self.order.lock().await)
        }
    }

    /// Announces `events` on `conn` (a transaction, or autocommit) when shared; no-op otherwise.
    pub async fn stage(
        &self,
        conn: &impl ConnectionTrait,
        events: &[DomainEvent],
    ) -> Result<(), DbErr> {
        if !self.shared {
            return Ok(());
        }
        let payloads: Vec<String> = events.iter().flat_map(pg_notify::encode).collect();
        if payloads.is_empty() {
            return Ok(());
        }
        // One round trip for all of a change's events (a booking has four), in their order.
        let sql = "SELECT count(pg_notify($1, p)) FROM json_array_elements_text($2::json) p";
        let all = serde_json::to_string(&payloads).unwrap_or_default();
        let values = [pg_notify::CHANNEL.into(), all.into()];
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
        Ok(())
    }

    /// After commit: delivers to the local hub unless the database announces the events.
    pub fn committed(&self, events: Vec<DomainEvent>) {
        if !self.shared {
            self.publish(events);
        }
    }

    /// Delivers to this instance's sockets only.
    pub fn publish(&self, events: Vec<DomainEvent>) {
        if !events.is_empty() {
            self.sink.publish(events);
        }
    }
}

/// Masks an email for viewers who may not see it: `rider@example.com` → `r***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_emails() {
        assert_eq!(mask_email("rider@example.com"), "r***@example.com");
        assert_eq!(mask_email("x"), "***");
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn events_of_one_transaction_keep_their_order() {
        let msg = || FeedMessage::error("x");
        let mut events = vec![
            DomainEvent::Station {
                station_id: 1,
                seq: Some(3),
                message: msg(),
                privileged: None,
            },
            DomainEvent::user(9, msg()),
            DomainEvent::Station {
                station_id: 1,
                seq: Some(3),
                message: msg(),
                privileged: None,
            },
            DomainEvent::station(1, msg()),
        ];
        DomainEvent::sequence(&mut events);
        let seqs: Vec<_> = events
            .iter()
            .map(|e| match e {
                DomainEvent::Station { seq, .. } => *seq,
                _ => None,
            })
            .collect();
        assert_eq!(seqs, [Some(48), None, Some(50), None]);
    }
}
