//! Domain events and the bus that carries them from a committed transaction to the sockets.
use sea_orm::sea_query::InsertStatement;
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub mod pg_notify;
pub mod projection;

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
        /// Orders this station's events: `version * 16 + n`, `n` its place among the change's
        /// events of this station (see [`DomainEvent::sequence`]). `None`: a refresh, always
        /// delivered.
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
    /// `version * 16 + n`, its position among the change's events of that station. A change
    /// with more events of one station than that is refused rather than numbered twice.
    pub fn sequence(events: &mut [DomainEvent]) -> Result<(), crate::error::AppError> {
        let mut seen: Vec<(i32, i64)> = Vec::new();
        for event in events.iter_mut() {
            if let DomainEvent::Station {
                station_id,
                seq: Some(v),
                ..
            } = event
            {
                let position = match seen.iter_mut().find(|(id, _)| id == station_id) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        seen.push((*station_id, 0));
                        0
                    }
                };
                if position >= SEQ_PER_VERSION {
                    tracing::error!(station_id, "a change has too many events for one station");
                    return Err(crate::error::AppError::Internal);
                }
                *v = *v * SEQ_PER_VERSION + position;
            }
        }
        Ok(())
    }

    /// The last sequence number a station's `version` may give its events: a snapshot taken
    /// at that version has seen every one of them.
    pub fn last_seq_of(version: i64) -> i64 {
        version * SEQ_PER_VERSION + SEQ_PER_VERSION - 1
    }

    /// `inventory_update` with the counts of `station` as committed.
    pub fn inventory(station: &StationSummary, action: InventoryAction, timestamp: String) -> Self {
        DomainEvent::Station {
            station_id: station.id,
            seq: Some(station.version),
            privileged: None,
            message: FeedMessage::InventoryUpdate {
                station_id: station.id,
                station_name: station.name.clone(),
                available_batteries: station.counts.available,
                booked_batteries: station.counts.booked,
                total_batteries: station.counts.total,
                timestamp,
                action,
                available_by_model: Some(station.available_by_model.clone()),
            },
        }
    }
}

/// This instance's sockets: the feed hub.
pub trait EventSink: Send + Sync + 'static {
    fn publish(&self, events: Vec<DomainEvent>);
}

/// How committed events reach every instance's sockets: the one difference between one
/// instance and several, chosen when the server starts.
#[derive(Clone)]
enum Delivery {
    /// One instance (SQLite): straight to this process's hub after the commit. Commits and
    /// their publishing happen under this lock, so events reach the hub in commit order.
    InProcess(Arc<tokio::sync::Mutex<()>>),
    /// Several instances (PostgreSQL): `NOTIFY`ed inside the transaction that makes the
    /// change, so announced exactly when, and only if, it commits, in commit order; every
    /// instance (this one included) `LISTEN`s and hands what it hears to its own hub.
    Notify,
}

/// The one way events leave the domain, after their transaction commits (see
/// [`crate::change::Change::commit`]).
#[derive(Clone)]
pub struct EventBus {
    sink: Arc<dyn EventSink>,
    delivery: Delivery,
}

impl EventBus {
    /// Events stay in this process.
    pub fn new(sink: Arc<dyn EventSink>) -> Self {
        Self {
            sink,
            delivery: Delivery::InProcess(Arc::default()),
        }
    }

    /// Events are announced through PostgreSQL to every instance; a listener feeds `sink`.
    pub fn over_postgres(sink: Arc<dyn EventSink>) -> Self {
        Self {
            sink,
            delivery: Delivery::Notify,
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
        match &self.delivery {
            Delivery::InProcess(order) => Some(order.lock().await),
            Delivery::Notify => None,
        }
    }

    /// Stages the end of a change on `conn` (its transaction, or autocommit): writes `rows`,
    /// which nothing in the change reads back, and announces `events` when they go through the
    /// database: then in one round trip (`pg_notify::announce`), else a statement per row.
    pub async fn stage(
        &self,
        conn: &impl ConnectionTrait,
        rows: Vec<InsertStatement>,
        events: &[DomainEvent],
    ) -> Result<(), DbErr> {
        match self.delivery {
            Delivery::InProcess(_) => {
                for row in &rows {
                    conn.execute(row).await?;
                }
                Ok(())
            }
            Delivery::Notify => pg_notify::announce(conn, rows, events).await,
        }
    }

    /// After commit: delivers to the local hub unless the database announces the events.
    pub fn committed(&self, events: Vec<DomainEvent>) {
        match self.delivery {
            Delivery::InProcess(_) => self.publish(events),
            Delivery::Notify => {}
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
            DomainEvent::User {
                user_id: 9,
                message: msg(),
            },
            DomainEvent::Station {
                station_id: 1,
                seq: Some(3),
                message: msg(),
                privileged: None,
            },
            DomainEvent::station(1, msg()),
        ];
        DomainEvent::sequence(&mut events).unwrap();
        let seqs: Vec<_> = events
            .iter()
            .map(|e| match e {
                DomainEvent::Station { seq, .. } => *seq,
                _ => None,
            })
            .collect();
        assert_eq!(seqs, [Some(48), None, Some(49), None]);
    }

    #[test]
    fn each_station_counts_its_own_events_and_none_is_numbered_twice() {
        let at = |station_id| DomainEvent::Station {
            station_id,
            seq: Some(1),
            message: FeedMessage::error("x"),
            privileged: None,
        };
        let mut two = vec![at(1), at(2), at(1), at(2)];
        DomainEvent::sequence(&mut two).unwrap();
        let seqs: Vec<_> = two
            .iter()
            .map(|e| match e {
                DomainEvent::Station { seq, .. } => *seq,
                _ => None,
            })
            .collect();
        assert_eq!(seqs, [Some(16), Some(16), Some(17), Some(17)]);
        let mut too_many: Vec<_> = (0..=SEQ_PER_VERSION).map(|_| at(1)).collect();
        assert!(DomainEvent::sequence(&mut too_many).is_err());
        assert_eq!(DomainEvent::last_seq_of(1), 31);
    }
}
