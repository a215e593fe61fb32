//! Events over PostgreSQL `NOTIFY`: framing that survives its 8000-byte payload limit.
//!
//! Each event is JSON, cut into chunks at character boundaries, each sent as
//! `<event id> <index> <count> <data>`. All of a transaction's notifications are delivered
//! together and in commit order; the reassembler still keys chunks by event id, so it is
//! correct even if chunks of different events interleave.
use sea_orm::sea_query::{
    InsertStatement, PostgresQueryBuilder, SqlWriter, SqlWriterValues, Values, Write,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use std::collections::HashMap;

use super::DomainEvent;

/// The channel every instance LISTENs on.
pub const CHANNEL: &str = "battery_swap_events";

/// Comfortably below PostgreSQL's 8000-byte payload limit, leaving room for the header.
pub const CHUNK_BYTES: usize = 7000;

/// The NOTIFY payloads carrying one event.
pub fn encode(event: &DomainEvent) -> Vec<String> {
    let json = serde_json::to_string(event).unwrap_or_default();
    let id = hex::encode(rand::random::<[u8; 8]>());
    let mut chunks = Vec::new();
    let mut rest = json.as_str();
    while !rest.is_empty() || chunks.is_empty() {
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        chunks.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    let n = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, data)| format!("{id} {i} {n} {data}"))
        .collect()
}

/// Writes `rows` and `NOTIFY`s `events` on `conn` (a transaction, or autocommit), in one
/// round trip: the rows as data-modifying `WITH` parts (each runs once, in the statement's
/// snapshot, whether or not anything reads it), the events, in their order, from one array.
pub async fn announce(
    conn: &impl ConnectionTrait,
    rows: Vec<InsertStatement>,
    events: &[DomainEvent],
) -> Result<(), DbErr> {
    let payloads: Vec<String> = events.iter().flat_map(encode).collect();
    if payloads.is_empty() && rows.is_empty() {
        return Ok(());
    }
    let (sql, values) = with_rows(rows, &payloads);
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// `WITH row0 AS (INSERT …), … SELECT count(pg_notify($n, p)) FROM
/// json_array_elements_text($n+1::json) p`, its placeholders numbered across the parts.
fn with_rows(rows: Vec<InsertStatement>, payloads: &[String]) -> (String, Values) {
    let mut sql = SqlWriterValues::new("$", true);
    for (i, row) in rows.iter().enumerate() {
        let lead = if i == 0 { "WITH" } else { "," };
        let _ = write!(sql, "{lead} row{i} AS (");
        row.build_collect_into(PostgresQueryBuilder, &mut sql);
        let _ = sql.write_str(")");
    }
    if payloads.is_empty() {
        let _ = sql.write_str(" SELECT 0");
    } else {
        let all = serde_json::to_string(payloads).unwrap_or_default();
        let _ = sql.write_str(" SELECT count(pg_notify(");
        sql.push_param(CHANNEL.into(), &PostgresQueryBuilder);
        let _ = sql.write_str(", p)) FROM json_array_elements_text(");
        sql.push_param(all.into(), &PostgresQueryBuilder);
        let _ = sql.write_str("::json) p");
    }
    sql.into_parts()
}

/// Puts chunked events back together on the listening side.
#[derive(Default)]
pub struct Reassembler {
    partial: HashMap<String, Vec<Option<String>>>,
}

impl Reassembler {
    /// Feeds one payload; returns the event once all its chunks are in. Malformed payloads
    /// (not ours) are ignored.
    pub fn push(&mut self, payload: &str) -> Option<DomainEvent> {
        let mut parts = payload.splitn(4, ' ');
        let (id, i, n, data) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next().unwrap_or(""),
        );
        let (i, n): (usize, usize) = (i.parse().ok()?, n.parse().ok()?);
        if n == 0 || i >= n || n > 10_000 {
            return None;
        }
        if n == 1 {
            return serde_json::from_str(data).ok();
        }
        // A chunk train cut off by a lost connection must not pile up forever.
        if self.partial.len() > 1_000 {
            self.partial.clear();
        }
        let slots = self
            .partial
            .entry(id.to_string())
            .or_insert_with(|| vec![None; n]);
        if slots.len() != n {
            return None;
        }
        slots[i] = Some(data.to_string());
        if slots.iter().all(Option::is_some) {
            let json: String = self.partial.remove(id)?.into_iter().flatten().collect();
            return serde_json::from_str(&json).ok();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedMessage;

    fn event(len: usize) -> DomainEvent {
        DomainEvent::User {
            user_id: 7,
            message: FeedMessage::error("é".repeat(len)),
        }
    }

    /// A change's rows and its NOTIFY are one statement, its placeholders numbered across.
    #[test]
    fn rows_ride_with_the_notify() {
        use sea_orm::sea_query::{Alias, Query};
        let row = |n: i32| {
            Query::insert()
                .into_table(Alias::new("t"))
                .columns([Alias::new("n")])
                .values_panic([n.into()])
                .to_owned()
        };
        let (sql, values) = with_rows(vec![row(1), row(2)], &["x".to_string()]);
        assert_eq!(
            sql,
            r#"WITH row0 AS (INSERT INTO "t" ("n") VALUES ($1)), row1 AS (INSERT INTO "t" ("n") VALUES ($2)) SELECT count(pg_notify($3, p)) FROM json_array_elements_text($4::json) p"#
        );
        assert_eq!(values.0.len(), 4);
        let (sql, _) = with_rows(vec![row(1)], &[]);
        assert_eq!(
            sql,
            r#"WITH row0 AS (INSERT INTO "t" ("n") VALUES ($1)) SELECT 0"#
        );
    }

    #[test]
    fn small_events_are_one_payload() {
        let chunks = encode(&event(10));
        assert_eq!(chunks.len(), 1);
        assert_eq!(Reassembler::default().push(&chunks[0]), Some(event(10)));
    }

    #[test]
    fn large_events_are_chunked_and_reassembled_in_any_order() {
        let big = event(20_000); // 40 KB of two-byte characters
        let mut chunks = encode(&big);
        assert!(chunks.len() > 5);
        assert!(chunks.iter().all(|c| c.len() < 8000));
        chunks.reverse();
        let mut r = Reassembler::default();
        let last = chunks.pop().unwrap();
        for c in &chunks {
            assert_eq!(r.push(c), None);
        }
        assert_eq!(r.push(&last), Some(big));
    }

    #[test]
    fn garbage_is_ignored() {
        let mut r = Reassembler::default();
        assert_eq!(r.push("hello"), None);
        assert_eq!(r.push("id 5 2 x"), None);
        assert_eq!(r.push("id 0 1 {not json"), None);
    }
}
