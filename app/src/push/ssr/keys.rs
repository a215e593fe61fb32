//! The server's VAPID key pair: made by the server at its first start (`src/push.rs`, which
//! has the cryptography) and kept here, shared by every instance.
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::entity::key;
use crate::error::{AppError, AppResult};

/// The kept pair (private, public), storing `fresh` first if none is kept yet. Two instances
/// starting at once both offer theirs; the first stored is the one both get.
pub async fn kept_or(
    conn: &impl ConnectionTrait,
    fresh: (String, String),
) -> AppResult<(String, String)> {
    let row = key::ActiveModel {
        id: Set(1),
        private_key: Set(fresh.0),
        public_key: Set(fresh.1),
        created_at: Set(Utc::now()),
    };
    key::Entity::insert(row)
        .on_conflict_do_nothing_on([key::Column::Id])
        .exec(conn)
        .await?;
    let kept = key::Entity::find_by_id(1).one(conn).await?;
    let kept = kept.ok_or(AppError::Internal)?;
    Ok((kept.private_key, kept.public_key))
}

/// The public key browsers subscribe with.
pub async fn public_key(conn: &impl ConnectionTrait) -> AppResult<String> {
    match key::Entity::find_by_id(1).one(conn).await? {
        Some(kept) => Ok(kept.public_key),
        None => {
            tracing::error!("no VAPID key: the server makes one at start");
            Err(AppError::Internal)
        }
    }
}
