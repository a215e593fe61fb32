//! Domain events and the bus that carries them from a committed transaction to the sockets.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub mod notify;

use super::{FeedMessage, InventoryAction};
use crate::station::StationSummary;

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
}

impl DomainEvent {
    pub fn station(station_id: i32, message: FeedMessage) -> Self {
        DomainEvent::Station {
            station_id,
            message,
            privileged: None,
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

    /// `inventory_update` with the counts of `station` as committed.
    pub fn inventory(station: &StationSummary, action: InventoryAction, timestamp: String) -> Self {
        Self::station(
            station.id,
            FeedMessage::InventoryUpdate {
                station_id: station.id,
                station_name: station.name.clone(),
                available_batteries: station.counts.available,
                booked_batteries: station.counts.booked,
                total_batteries: station.counts.total,
                timestamp,
                action,
            },
        )
    }
}

/// This instance's sockets: the feed hub.
pub trait EventSink: Send + Sync + 'static {
    fn publish(&self, events: Vec<DomainEvent>);
}

/// The one way events leave the domain, after their transaction commits (see
/// [`crate::ssr::Ctx::commit`]).
///
/// On one instance (SQLite) committed events go straight to the local hub. On PostgreSQL every
/// event is `NOTIFY`ed inside the transaction that makes the change, so it is announced exactly
/// when, and only if, that transaction commits, in commit order; every instance (this one
/// included) `LISTEN`s and hands what it hears to its own hub.
#[derive(Clone)]
pub struct EventBus {
    sink: Arc<dyn EventSink>,
    shared: bool,
}

impl EventBus {
    /// Events stay in this process.
    pub fn new(sink: Arc<dyn EventSink>) -> Self {
        Self {
            sink,
            shared: false,
        }
    }

    /// Events are announced through PostgreSQL to every instance; a listener feeds `sink`.
    pub fn over_postgres(sink: Arc<dyn EventSink>) -> Self {
        Self { sink, shared: true }
    }

    /// A bus that drops everything: for tools that change data with nobody listening.
    pub fn detached() -> Self {
        struct Nowhere;
        impl EventSink for Nowhere {
            fn publish(&self, _: Vec<DomainEvent>) {}
        }
        Self::new(Arc::new(Nowhere))
    }

    pub fn is_shared(&self) -> bool {
        self.shared
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
        for event in events {
            for payload in notify::encode(event) {
                let sql = "SELECT pg_notify($1, $2)";
                let values = [notify::CHANNEL.into(), payload.into()];
                conn.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    sql,
                    values,
                ))
                .await?;
            }
        }
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
