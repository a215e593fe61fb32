//! Looking users up by email or id (server only): what other modules may ask of the accounts
//! without depending on how they sign in.
use sea_orm::{ConnectionTrait, QueryOrder, QuerySelect, entity::prelude::*};

use super::entity::user;
use crate::account::normalize_email;
use crate::error::AppResult;

/// The account with this email, if any (an email that is not one finds none).
pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &str,
) -> AppResult<Option<user::Model>> {
    let Ok(email) = normalize_email(email) else {
        return Ok(None);
    };
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await?)
}

/// Whether an account with this id exists.
pub async fn exists(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<bool> {
    Ok(user::Entity::find_by_id(user_id).one(conn).await?.is_some())
}

/// Every account's id, in id order.
pub async fn all_ids(conn: &impl ConnectionTrait) -> AppResult<Vec<i32>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}
