//! Recording and reading the audit trail (server only).
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect, entity::prelude::*};

use super::{AuditAction, AuditEntry};
use crate::account::CurrentUser;
use crate::error::{AppError, AppResult};

pub mod entity;

/// Who did it: a user, a station device (its reports), or the system (the expiry sweeper).
pub enum Actor<'a> {
    User(&'a CurrentUser),
    Device { id: i32, label: &'a str },
    System,
}

/// Records one change; call inside the transaction that makes it.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: Actor<'_>,
    station_id: Option<i32>,
    action: AuditAction,
    detail: impl Into<String>,
) -> AppResult<()> {
    let (actor_id, name) = match actor {
        Actor::User(u) => (Some(u.id).filter(|id| *id > 0), u.email.clone()),
        Actor::Device { id, label } => (None, format!("device {id} ({label})")),
        Actor::System => (None, "system".to_string()),
    };
    entity::ActiveModel {
        actor_id: Set(actor_id),
        actor: Set(name),
        station_id: Set(station_id),
        action: Set(action),
        detail: Set(detail.into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Recent history, newest first: staff see their stations', admins everything.
pub async fn recent(
    conn: &impl ConnectionTrait,
    viewer: &CurrentUser,
    station_id: Option<i32>,
    action: Option<AuditAction>,
    limit: u64,
) -> AppResult<Vec<AuditEntry>> {
    let mut query = entity::Entity::find()
        .order_by_desc(entity::Column::Id)
        .limit(limit.min(500));
    match station_id {
        Some(id) if viewer.can_manage(id) => query = query.filter(entity::Column::StationId.eq(id)),
        Some(_) => return Err(AppError::Forbidden),
        None if viewer.is_admin() => {}
        None if !viewer.stations.is_empty() && viewer.role == crate::account::Role::Staff => {
            query = query.filter(entity::Column::StationId.is_in(viewer.stations.clone()));
        }
        None => return Err(AppError::Forbidden),
    }
    if let Some(action) = action {
        query = query.filter(entity::Column::Action.eq(action));
    }
    Ok(query
        .all(conn)
        .await?
        .into_iter()
        .map(|m| AuditEntry {
            id: m.id,
            at: crate::feed::timestamp(m.created_at),
            actor: m.actor,
            station_id: m.station_id,
            action: m.action,
            detail: m.detail,
        })
        .collect())
}
