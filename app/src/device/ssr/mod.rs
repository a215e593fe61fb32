//! Device credentials (server only): issued and revoked by admins, checked on every report.
//!
//! A token is `bsd_` and 256 random bits, of which only a SHA-256 is stored, like a user's API
//! token; but it lives in its own table, so it can never authenticate as a user, and a user's
//! token can never report.
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, PaginatorTrait, QueryOrder, entity::prelude::*};
use std::collections::HashMap;

use super::{DeviceInfo, IssuedDevice, TOKEN_PREFIX};
use crate::account::CurrentUser;
use crate::account::ssr::credentials;
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::change::Change;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::timestamp;
use crate::station::ssr::entity::station;

pub mod entity;
pub mod limiter;
mod report;

pub use limiter::ReportLimiter;
pub use report::report;

/// Live devices one station may have: a cabinet or two, with room to rotate tokens.
pub const MAX_DEVICES_PER_STATION: u64 = 20;

/// A device that proved itself with its token: who is reporting, for which station.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: i32,
    pub station_id: i32,
    pub label: String,
}

impl Device {
    /// How the audit trail names the device.
    pub fn actor(&self) -> Actor<'_> {
        Actor::Device {
            id: self.id,
            label: &self.label,
        }
    }
}

/// Admin: issues a device credential for `station_id` (an open station). The secret is in
/// the answer only.
pub async fn create(
    ctx: &Ctx,
    admin: &CurrentUser,
    station_id: i32,
    label: &str,
) -> AppResult<IssuedDevice> {
    admin.ensure_admin()?;
    issue(ctx, Actor::User(admin), station_id, label).await
}

/// Issues a credential on behalf of `by` (an admin, or the system for the demo's chargers).
pub async fn issue(
    ctx: &Ctx,
    by: Actor<'_>,
    station_id: i32,
    label: &str,
) -> AppResult<IssuedDevice> {
    let label = match crate::text::line("A device label", label, 100, false)? {
        l if l.is_empty() => "Station device".to_string(),
        l => l,
    };
    let mut change = Change::begin(ctx, by).await?;
    let secret = format!("{TOKEN_PREFIX}{}", credentials::new_secret());
    let inserted = entity::ActiveModel {
        station_id: Set(station_id),
        label: Set(label.clone()),
        token_hash: Set(credentials::digest(&secret)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(change.txn())
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => AppError::not_found("Station"),
        _ => e.into(),
    })?;
    // After the insert, so the check counts it. (On PostgreSQL two issues at the same moment
    // may both pass: the cap keeps tokens from piling up, it is not a hard limit.)
    crate::station::ssr::read::find_listed(change.txn(), station_id).await?;
    if live_at(change.txn(), station_id).await? > MAX_DEVICES_PER_STATION {
        return Err(AppError::validation(format!(
            "A station has at most {MAX_DEVICES_PER_STATION} devices: revoke one first."
        )));
    }
    let detail = format!("device {} ({label})", inserted.id);
    change.audit(Some(station_id), AuditAction::DeviceCreated, detail);
    change.commit().await?;
    Ok(IssuedDevice {
        id: inserted.id,
        station_id,
        label,
        token: secret,
    })
}

async fn live_at(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<u64> {
    Ok(entity::Entity::find()
        .filter(entity::Column::StationId.eq(station_id))
        .filter(entity::Column::RevokedAt.is_null())
        .count(conn)
        .await?)
}

/// Admin: every device credential, live ones first, newest first (never a secret).
pub async fn list(ctx: &Ctx, admin: &CurrentUser) -> AppResult<Vec<DeviceInfo>> {
    admin.ensure_admin()?;
    let names: HashMap<i32, String> = station::Entity::find()
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut devices = entity::Entity::find()
        .order_by_desc(entity::Column::Id)
        .all(&ctx.db)
        .await?;
    devices.sort_by_key(|d| d.revoked_at.is_some());
    Ok(devices
        .into_iter()
        .map(|d| DeviceInfo {
            id: d.id,
            station_id: d.station_id,
            station_name: names.get(&d.station_id).cloned().unwrap_or_default(),
            label: d.label,
            created_at: timestamp(d.created_at),
            last_report_at: d.last_report_at.map(timestamp),
            revoked_at: d.revoked_at.map(timestamp),
        })
        .collect())
}

/// Admin: revokes a device; its next report is refused. Revoking twice is "not found".
pub async fn revoke(ctx: &Ctx, admin: &CurrentUser, device_id: i32) -> AppResult<()> {
    admin.ensure_admin()?;
    revoke_as(ctx, Actor::User(admin), device_id).await
}

/// Revokes on behalf of `by` (an admin, or the system retiring the demo's old chargers).
pub async fn revoke_as(ctx: &Ctx, by: Actor<'_>, device_id: i32) -> AppResult<()> {
    let mut change = Change::begin(ctx, by).await?;
    let revoked = entity::Entity::update_many()
        .col_expr(entity::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(entity::Column::Id.eq(device_id))
        .filter(entity::Column::RevokedAt.is_null())
        .exec(change.txn())
        .await?;
    if revoked.rows_affected == 0 {
        return Err(AppError::not_found("Device"));
    }
    let device = entity::Entity::find_by_id(device_id)
        .one(change.txn())
        .await?
        .ok_or_else(|| AppError::not_found("Device"))?;
    let detail = format!("device {} ({})", device.id, device.label);
    change.audit(Some(device.station_id), AuditAction::DeviceRevoked, detail);
    change.commit().await
}

/// Live devices with `label` (the demo retires its previous chargers by name).
pub async fn live_labelled(conn: &impl ConnectionTrait, label: &str) -> AppResult<Vec<i32>> {
    Ok(entity::Entity::find()
        .filter(entity::Column::Label.eq(label))
        .filter(entity::Column::RevokedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect())
}

/// The device behind a request's `Authorization: Bearer bsd_…`. Anything else (no header, a
/// user's token, a session, an unknown or revoked token) is refused with a reason the device's
/// operator can act on.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    headers: &http::HeaderMap,
) -> AppResult<Device> {
    let Some(secret) = credentials::bearer(headers).filter(|t| t.starts_with(TOKEN_PREFIX)) else {
        return Err(AppError::DeviceUnauthorized(
            "Reports need a station device token: Authorization: Bearer bsd_…".into(),
        ));
    };
    let found = entity::Entity::find()
        .filter(entity::Column::TokenHash.eq(credentials::digest(&secret)))
        .one(conn)
        .await?;
    match found {
        None => Err(AppError::DeviceUnauthorized(
            "This device token is not known.".into(),
        )),
        Some(d) if d.revoked_at.is_some() => Err(revoked()),
        Some(d) => {
            crate::observe::station(d.station_id);
            Ok(Device {
                id: d.id,
                station_id: d.station_id,
                label: d.label,
            })
        }
    }
}

/// Marks a report of `device` as received, if the device is still live: the first statement
/// of a report's transaction, so a revocation that commits first wins.
async fn mark_reported(conn: &impl ConnectionTrait, device: &Device) -> AppResult<()> {
    let marked = entity::Entity::update_many()
        .col_expr(entity::Column::LastReportAt, Expr::value(Utc::now()))
        .filter(entity::Column::Id.eq(device.id))
        .filter(entity::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    if marked.rows_affected == 0 {
        return Err(revoked());
    }
    Ok(())
}

/// The answer to a revoked device, whether the revocation was seen before the report or won
/// the race with it.
fn revoked() -> AppError {
    AppError::DeviceUnauthorized("This device token was revoked.".into())
}
