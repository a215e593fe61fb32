//! The devices a user turned push on for.
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::entity::device;
use crate::account::CurrentUser;
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::push::{Device, PushServices};

/// Devices one user may have turned on; turning on one more turns the oldest off.
const MAX_DEVICES: usize = 10;

/// Pushes `user`'s notifications to `device` too while `session` lasts; the device must be on
/// a listed push service (`--push-services`) with keys of the right shape. Taken from any other
/// user who had it.
pub async fn enable(ctx: &Ctx, user: &CurrentUser, session: i32, device: Device) -> AppResult<()> {
    let services = leptos::prelude::use_context::<PushServices>().unwrap_or_default();
    if device.endpoint.len() > 1000 || !services.admit(&device.endpoint) {
        return Err(AppError::validation(
            "This browser's push service is not one this server sends to.",
        ));
    }
    if !base64url_of(&device.p256dh, 65) || !device.p256dh.starts_with('B') {
        return Err(AppError::validation(
            "The device's public key (p256dh) is not a P-256 key.",
        ));
    }
    if !base64url_of(&device.auth, 16) {
        return Err(AppError::validation(
            "The device's auth secret is not 16 bytes.",
        ));
    }
    let change = Change::begin(ctx, Actor::User(user)).await?;
    device::Entity::delete_many()
        .filter(device::Column::Endpoint.eq(&device.endpoint))
        .exec(change.txn())
        .await?;
    let mine = device::Entity::find()
        .filter(device::Column::UserId.eq(user.id))
        .order_by_asc(device::Column::Id)
        .all(change.txn())
        .await?;
    let excess = (mine.len() + 1).saturating_sub(MAX_DEVICES);
    let oldest: Vec<i32> = mine.iter().take(excess).map(|d| d.id).collect();
    if !oldest.is_empty() {
        device::Entity::delete_many()
            .filter(device::Column::Id.is_in(oldest))
            .exec(change.txn())
            .await?;
    }
    // A second press that raced this one has stored the same device: that one stands.
    device::Entity::insert(device::ActiveModel {
        user_id: Set(user.id),
        session_id: Set(session),
        endpoint: Set(device.endpoint),
        p256dh: Set(device.p256dh),
        auth: Set(device.auth),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([device::Column::Endpoint])
    .exec(change.txn())
    .await?;
    change.commit().await
}

/// Stops pushing `user`'s notifications to the device at `endpoint` (nothing if it was off).
pub async fn disable(ctx: &Ctx, user: &CurrentUser, endpoint: &str) -> AppResult<()> {
    let change = Change::begin(ctx, Actor::User(user)).await?;
    device::Entity::delete_many()
        .filter(device::Column::Endpoint.eq(endpoint))
        .filter(device::Column::UserId.eq(user.id))
        .exec(change.txn())
        .await?;
    change.commit().await
}

/// Whether `user_id`'s notifications go to the device at `endpoint`.
pub async fn enabled(conn: &impl ConnectionTrait, user_id: i32, endpoint: &str) -> AppResult<bool> {
    Ok(device::Entity::find()
        .filter(device::Column::Endpoint.eq(endpoint))
        .filter(device::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .is_some())
}

/// The devices of `user_id`.
pub async fn of_user(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<Vec<device::Model>> {
    Ok(device::Entity::find()
        .filter(device::Column::UserId.eq(user_id))
        .order_by_asc(device::Column::Id)
        .all(conn)
        .await?)
}

/// Forgets a device its push service says is gone (404, 410) or whose keys cannot be used.
pub async fn forget(conn: &impl ConnectionTrait, id: i32) -> AppResult<()> {
    device::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Whether `text` is unpadded base64url of exactly `bytes` bytes.
fn base64url_of(text: &str, bytes: usize) -> bool {
    let text = text.trim_end_matches('=');
    text.len() == (bytes * 4).div_ceil(3)
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_for_their_length_and_alphabet() {
        assert!(base64url_of("_ordMnz7uTCmrpBTeUV4Bw", 16));
        assert!(!base64url_of("_ordMnz7uTCmrpBTeUV4B", 16));
        assert!(!base64url_of("_ordMnz7uTCmrpBTeUV4B/", 16));
        let p256dh = "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";
        assert!(base64url_of(p256dh, 65));
    }
}
