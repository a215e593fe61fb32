//! Keyed requests on the server: the key is read from the request (`key_of_request`), the
//! change keeps its answer in its own transaction (`Retry::row`, written by `Change::keep` at
//! commit), and a refused request whose key has a committed answer gets that answer instead
//! (`Retry::or_first_answer`). Nothing is read before the change: a first request costs one
//! row, written in the statement that ends its change; only a refused one reads.
use chrono::{Duration, Utc};
use sea_orm::sea_query::InsertStatement;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryTrait, entity::prelude::*};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub mod entity;

use super::{HEADER, MAX_KEY_LEN};
use crate::error::{AppError, AppResult};

/// How long an answer is kept for retries: far longer than any client retries for.
pub const KEEP: Duration = Duration::days(1);

/// The key of the request being served: its `Idempotency-Key` header, else the form's
/// `idempotency_key` field (`field`), else none. Checked: 1 to 100 visible ASCII characters.
pub async fn key_of_request(field: &str) -> AppResult<Option<String>> {
    let headers = leptos_axum::extract::<http::HeaderMap>()
        .await
        .map_err(|_| AppError::Internal)?;
    let header = match headers.get(HEADER) {
        Some(value) => Some(value.to_str().map_err(|_| invalid())?.to_string()),
        None => None,
    };
    let key = header.or_else(|| (!field.is_empty()).then(|| field.to_string()));
    match key {
        Some(k)
            if k.is_empty()
                || k.len() > MAX_KEY_LEN
                || !k.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Err(invalid())
        }
        other => Ok(other),
    }
}

fn invalid() -> AppError {
    AppError::validation(format!(
        "An idempotency key is 1 to {MAX_KEY_LEN} visible ASCII characters."
    ))
}

/// A keyed request: whose, its key, and what it asks.
#[derive(Debug, Clone)]
pub struct Retry {
    pub user_id: i32,
    pub key: String,
    pub request: String,
}

impl Retry {
    /// `user_id`'s request `request` (endpoint and arguments), if it has a key.
    pub fn of(user_id: i32, key: Option<String>, request: String) -> Option<Retry> {
        key.map(|key| Retry {
            user_id,
            key,
            request,
        })
    }

    /// The row that keeps `answer` for this key: for the change to write with its commit, so
    /// that a committed change always has its answer, and a second change under the same key
    /// fails on the unique (user, key) index and is rolled back.
    pub fn row<T: Serialize>(&self, answer: &T) -> AppResult<InsertStatement> {
        let answer = serde_json::to_string(answer).map_err(|_| AppError::Internal)?;
        Ok(entity::Entity::insert(entity::ActiveModel {
            user_id: Set(self.user_id),
            key: Set(self.key.clone()),
            request: Set(self.request.clone()),
            answer: Set(answer),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .into_query())
    }

    /// `outcome`, unless it is a refusal of a request whose key already has an answer: then
    /// that answer. A key sent again with another request is refused (`KeyReused`).
    pub async fn or_first_answer<T: DeserializeOwned>(
        retry: Option<&Retry>,
        conn: &impl ConnectionTrait,
        outcome: AppResult<T>,
    ) -> AppResult<T> {
        let (Some(retry), Err(refusal)) = (retry, &outcome) else {
            return outcome;
        };
        let first = entity::Entity::find()
            .filter(entity::Column::UserId.eq(retry.user_id))
            .filter(entity::Column::Key.eq(retry.key.as_str()))
            .one(conn)
            .await?;
        match first {
            None => Err(refusal.clone()),
            Some(row) if row.request != retry.request => Err(AppError::KeyReused),
            Some(row) => serde_json::from_str(&row.answer).map_err(|e| {
                tracing::error!(error = %e, "a kept answer does not read back");
                AppError::Internal
            }),
        }
    }
}

/// Deletes answers older than [`KEEP`]; returns how many went.
pub async fn prune(conn: &impl ConnectionTrait) -> AppResult<u64> {
    let done = entity::Entity::delete_many()
        .filter(entity::Column::CreatedAt.lt(Utc::now() - KEEP))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}
