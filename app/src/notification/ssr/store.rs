//! Storing notifications (server only): the rows a change's facts call for, written at its
//! commit (`crate::change::Change`), queued for the users' devices (`crate::push`), and the
//! `notification` message that delivers one. It knows users by id only.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, entity::prelude::*};

use super::entity;
use crate::error::{AppError, AppResult};
use crate::feed::{FeedMessage, timestamp};
use crate::notification::Level;

/// A notification to store.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: i32,
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    pub level: Level,
    pub at: DateTime<Utc>,
}

/// Rows one statement inserts at most (each takes seven values, and SQLite allows 32,766 in a
/// statement): an announcement to every user goes in chunks.
const ROWS_PER_INSERT: usize = 1000;

/// Stores `notes` (in as few statements as the engine allows) and returns their rows in the
/// same order. Call inside the changing transaction.
pub async fn store_all(
    conn: &impl ConnectionTrait,
    notes: Vec<NewNotification>,
) -> AppResult<Vec<entity::Model>> {
    let wanted: Vec<(i32, String)> = notes.iter().map(|n| (n.user_id, n.title.clone())).collect();
    let mut rows = Vec::with_capacity(notes.len());
    let mut notes = notes.into_iter().peekable();
    while notes.peek().is_some() {
        let chunk = notes
            .by_ref()
            .take(ROWS_PER_INSERT)
            .map(|n| entity::ActiveModel {
                user_id: Set(n.user_id),
                kind: Set(n.kind.into()),
                title: Set(n.title),
                message: Set(n.message),
                level: Set(n.level),
                read: Set(false),
                created_at: Set(n.at),
                ..Default::default()
            });
        let mut stored = entity::Entity::insert_many(chunk)
            .exec_with_returning(conn)
            .await?;
        // Ids are given in the order the rows are inserted; RETURNING's own order is not
        // promised (SQLite's is arbitrary).
        stored.sort_by_key(|row| row.id);
        rows.extend(stored);
    }
    if rows.iter().map(|r| (r.user_id, r.title.clone())).ne(wanted) {
        tracing::error!("stored notifications came back in another order");
        return Err(AppError::Internal);
    }
    // In the same transaction: a committed notification is always pushed.
    crate::push::ssr::outbox::enqueue(conn, &rows).await?;
    Ok(rows)
}

/// The `notification` message that delivers a stored row.
pub fn message(row: entity::Model) -> FeedMessage {
    FeedMessage::Notification {
        title: row.title,
        message: row.message,
        level: row.level,
        timestamp: timestamp(row.created_at),
        id: Some(row.id),
    }
}
