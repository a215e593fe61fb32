//! Recording and reading the audit trail (server only).
use chrono::Utc;
use sea_orm::sea_query::InsertStatement;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect, QueryTrait, entity::prelude::*,
};
use std::net::IpAddr;

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

impl Actor<'_> {
    /// The actor as its audit rows name it, owned: what a unit of work keeps
    /// (`crate::change::Change`).
    pub fn named(&self) -> Named {
        match self {
            Actor::User(u) => Named {
                id: Some(u.id).filter(|id| *id > 0),
                name: u.email.clone(),
            },
            Actor::Device { id, label } => Named {
                id: None,
                name: format!("device {id} ({label})"),
            },
            Actor::System => Named {
                id: None,
                name: "system".to_string(),
            },
        }
    }
}

/// Who did it, as stored: the user's id (none for devices, the system and unknown emails)
/// and the name the trail shows.
#[derive(Debug, Clone)]
pub struct Named {
    pub id: Option<i32>,
    pub name: String,
}

/// One line of the audit trail, waiting for its change's commit.
#[derive(Debug, Clone)]
pub struct Line {
    pub station_id: Option<i32>,
    pub action: AuditAction,
    pub detail: String,
}

/// Records one change made outside a unit of work (a refused login, written on its own), from
/// the client address `from`.
pub async fn record(
    conn: &impl ConnectionTrait,
    (actor, from): (Actor<'_>, Option<IpAddr>),
    station_id: Option<i32>,
    action: AuditAction,
    detail: impl Into<String>,
) -> AppResult<()> {
    let line = Line {
        station_id,
        action,
        detail: detail.into(),
    };
    record_all(conn, &actor.named(), vec![line], Utc::now(), from).await
}

/// Records a change's lines in one statement; call inside the transaction that makes it.
pub async fn record_all(
    conn: &impl ConnectionTrait,
    by: &Named,
    lines: Vec<Line>,
    now: chrono::DateTime<Utc>,
    from: Option<IpAddr>,
) -> AppResult<()> {
    if let Some(insert) = insert_all(by, lines, now, from) {
        conn.execute(&insert).await?;
    }
    Ok(())
}

/// The statement that writes `lines`, all by `by` at `now` from the client address `from`, or
/// none for no lines: for a unit of work, which writes it at its commit
/// (`crate::change::Change`), in one round trip with its other rows where the engine allows.
pub fn insert_all(
    by: &Named,
    lines: Vec<Line>,
    now: chrono::DateTime<Utc>,
    from: Option<IpAddr>,
) -> Option<InsertStatement> {
    if lines.is_empty() {
        return None;
    }
    let rows = lines.into_iter().map(|line| entity::ActiveModel {
        actor_id: Set(by.id),
        actor: Set(by.name.clone()),
        station_id: Set(line.station_id),
        action: Set(line.action),
        detail: Set(line.detail),
        created_at: Set(now),
        client_addr: Set(from.map(|ip| ip.to_string())),
        ..Default::default()
    });
    Some(entity::Entity::insert_many(rows).into_query())
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
            // Riders' addresses are no business of station staff.
            address: m.client_addr.filter(|_| viewer.is_admin()),
        })
        .collect())
}
