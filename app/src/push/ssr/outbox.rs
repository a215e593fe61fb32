//! What is still to push: one row per stored notification and device of its user, written in
//! the change that stores the notification, claimed by one instance, deleted once pushed.
use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter,
};

use super::entity::{device, outbox};
use crate::error::AppResult;
use crate::notification::ssr::entity as notification;

/// A claim older than this is an instance that died while pushing: another takes it over. A
/// round of pushes takes at most the push timeout (`src/push.rs`), well within it.
pub const CLAIM_FOR: Duration = Duration::seconds(60);
/// Sends a push is tried at before it is given up (a device's push service down for that long
/// is told nothing of it; the notification stays on the Notifications page).
pub const ATTEMPTS: i32 = 5;
/// Notifications not pushed: the rider just made the booking, on the device in their hand.
const NOT_PUSHED: &[&str] = &["booking_confirmed"];

/// Queues `stored` (notification rows, in the changing transaction) for each device of their
/// users. One read and at most one insert per thousand rows.
pub async fn enqueue(conn: &impl ConnectionTrait, stored: &[notification::Model]) -> AppResult<()> {
    let pushed: Vec<&notification::Model> = (stored.iter())
        .filter(|n| !NOT_PUSHED.contains(&n.kind.as_str()))
        .collect();
    if pushed.is_empty() {
        return Ok(());
    }
    let mut users: Vec<i32> = pushed.iter().map(|n| n.user_id).collect();
    users.sort_unstable();
    users.dedup();
    let mut devices: Vec<(i32, i32)> = Vec::new();
    for chunk in users.chunks(1000) {
        let found = device::Entity::find()
            .filter(device::Column::UserId.is_in(chunk.to_vec()))
            .all(conn)
            .await?;
        devices.extend(found.into_iter().map(|d| (d.user_id, d.id)));
    }
    if devices.is_empty() {
        return Ok(());
    }
    devices.sort_unstable();
    let rows: Vec<outbox::ActiveModel> = (pushed.iter())
        .flat_map(|n| {
            let from = devices.partition_point(|d| d.0 < n.user_id);
            let to = devices.partition_point(|d| d.0 <= n.user_id);
            devices[from..to].iter().map(|d| outbox::ActiveModel {
                notification_id: Set(n.id),
                device_id: Set(d.1),
                attempts: Set(0),
                claimed_at: Set(None),
                ..Default::default()
            })
        })
        .collect();
    for chunk in rows.chunks(1000) {
        outbox::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// One claimed push: the notification, the device, and the claim's token (its time), without
/// which the row is no longer this instance's to finish.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i32,
    pub attempts: i32,
    pub claimed_at: DateTime<Utc>,
    pub notification: notification::Model,
    pub device: device::Model,
}

fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(outbox::Column::ClaimedAt.is_null())
        .add(outbox::Column::ClaimedAt.lt(now - CLAIM_FOR))
}

/// Whether anything is due: a read, so that an idle instance never takes SQLite's write lock.
pub async fn any_due(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(outbox::Entity::find().filter(due(now)).count(conn).await? > 0)
}

/// Claims up to `limit` unclaimed (or abandoned) rows for this instance at `now`, which is the
/// claim's token. The condition is on the updated rows themselves, so two instances never both
/// claim one: the second's update finds it claimed (PostgreSQL checks it again once the first
/// has committed).
pub async fn claim(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<Claimed>> {
    // The token is compared with what the database kept: milliseconds, which both keep exactly.
    let now = now.trunc_subsecs(3);
    let oldest = Query::select()
        .column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(due(now))
        .order_by(outbox::Column::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    let claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimedAt, Expr::value(now))
        .filter(due(now))
        .filter(outbox::Column::Id.in_subquery(oldest))
        .exec_with_returning(conn)
        .await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let notes = notification::Entity::find()
        .filter(notification::Column::Id.is_in(claimed.iter().map(|c| c.notification_id)))
        .all(conn)
        .await?;
    let devices = device::Entity::find()
        .filter(device::Column::Id.is_in(claimed.iter().map(|c| c.device_id)))
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(claimed.len());
    for row in claimed {
        let note = notes.iter().find(|n| n.id == row.notification_id);
        let device = devices.iter().find(|d| d.id == row.device_id);
        // Either deleted since took the row with it (cascade): nothing left to push.
        let (Some(note), Some(device)) = (note, device) else {
            continue;
        };
        out.push(Claimed {
            id: row.id,
            attempts: row.attempts,
            claimed_at: now,
            notification: note.clone(),
            device: device.clone(),
        });
    }
    Ok(out)
}

/// Pushed (or given up): the row goes, if it is still this claim's.
pub async fn done(conn: &impl ConnectionTrait, claimed: &Claimed) -> AppResult<()> {
    outbox::Entity::delete_many()
        .filter(outbox::Column::Id.eq(claimed.id))
        .filter(outbox::Column::ClaimedAt.eq(claimed.claimed_at))
        .exec(conn)
        .await?;
    Ok(())
}

/// Not pushed this time: due again after a wait that doubles from 5 s, unless it has been
/// tried [`ATTEMPTS`] times, then given up. Only while it is still this claim's.
pub async fn later(
    conn: &impl ConnectionTrait,
    claimed: &Claimed,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if claimed.attempts + 1 >= ATTEMPTS {
        tracing::warn!(
            notification = claimed.notification.id,
            device = claimed.device.id,
            "push given up after {ATTEMPTS} attempts"
        );
        return done(conn, claimed).await;
    }
    // Claimed as if in the past, so that it is due again that much later.
    let again = now - CLAIM_FOR + Duration::seconds(5 << claimed.attempts.min(4));
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::value(claimed.attempts + 1))
        .col_expr(outbox::Column::ClaimedAt, Expr::value(again))
        .filter(outbox::Column::Id.eq(claimed.id))
        .filter(outbox::Column::ClaimedAt.eq(claimed.claimed_at))
        .exec(conn)
        .await?;
    Ok(())
}
