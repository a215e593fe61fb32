//! Booking domain operations (server only). Every one runs in one transaction whose first
//! statement is a conditional write, so it is atomic on PostgreSQL and never hits SQLITE_BUSY
//! on an upgraded read lock; events go out only after commit.
use chrono::Utc;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseTransaction, QueryOrder, TransactionTrait,
    entity::prelude::*,
};

pub mod entity;
mod lifecycle;

pub use lifecycle::{ReturnedPack, cancel, collect, expire_due, mark_ready};

use super::{BookingStatus, BookingView};
use crate::account::CurrentUser;
use crate::audit::ssr::{self as audit, Actor};
use crate::battery::{BatteryState, ssr::entity as bat};
use crate::error::{AppError, AppResult};
use crate::feed::ssr::{DomainEvent, mask_email};
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::notification::Level;
use crate::notification::ssr::{NewNotification, store};
use crate::ssr::Ctx;
use crate::station::{self, StationStatus, ssr::entity as st};

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A short code the rider shows staff; no 0/O or 1/I to misread.
fn collection_code() -> String {
    (0..6)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

fn active() -> [&'static str; 2] {
    BookingStatus::ACTIVE.map(BookingStatus::as_str)
}

async fn view(conn: &impl ConnectionTrait, b: entity::Model) -> AppResult<BookingView> {
    let station_name = st::Entity::find_by_id(b.station_id)
        .one(conn)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let battery_info = bat::Entity::find_by_id(b.battery_id)
        .one(conn)
        .await?
        .map(|m| m.model)
        .unwrap_or_default();
    Ok(BookingView {
        id: b.id,
        rider_id: b.rider_id,
        station_id: b.station_id,
        station_name,
        battery_id: b.battery_id,
        battery_info,
        status: BookingStatus::parse(&b.status).unwrap_or(BookingStatus::Cancelled),
        collection_code: b.collection_code,
        created_at: timestamp(b.created_at),
        expires_at: timestamp(b.expires_at),
        ready_at: b.ready_at.map(timestamp),
        collected_at: b.collected_at.map(timestamp),
    })
}

/// Claims the best-charged available battery of an online station, or nothing.
///
/// SQLite (writers serialised): one conditional `UPDATE … WHERE id IN (pick) AND state =
/// 'available'`, a write first, so no read lock is ever upgraded (which fails with SQLITE_BUSY).
///
/// PostgreSQL: first lock exactly one row with `SELECT … FOR UPDATE SKIP LOCKED`, so
/// concurrent bookings take different batteries instead of queueing on one, then update that
/// row. (A locking subquery inside `IN (…)` is not safe there: the planner may run it once per
/// outer row and claim many batteries.) On both, the update re-checks `state = 'available'`, a
/// lost race picks again, and more than one claimed row aborts the transaction.
async fn claim_battery(
    txn: &DatabaseTransaction,
    station_id: i32,
    min_charge: i16,
) -> AppResult<Option<bat::Model>> {
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    for _ in 0..8 {
        let online = Query::select()
            .expr(Expr::val(1))
            .from(st::Entity)
            .and_where(Expr::col((st::Entity, st::Column::Id)).eq(station_id))
            .and_where(
                Expr::col((st::Entity, st::Column::Status)).eq(StationStatus::Online.as_str()),
            )
            .to_owned();
        let mut pick = Query::select()
            .column(bat::Column::Id)
            .from(bat::Entity)
            .and_where(Expr::col(bat::Column::StationId).eq(station_id))
            .and_where(Expr::col(bat::Column::State).eq(BatteryState::Available.as_str()))
            .and_where(Expr::col(bat::Column::ChargePercent).gte(min_charge))
            .and_where(Expr::exists(online))
            .order_by(bat::Column::ChargePercent, Order::Desc)
            .order_by(bat::Column::Id, Order::Asc)
            .limit(1)
            .to_owned();
        let target = if postgres {
            pick.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            let stmt = txn.get_database_backend().build(&pick);
            match txn.query_one_raw(stmt).await? {
                Some(row) => Expr::value(row.try_get::<i32>("", "id")?),
                None => return Ok(None),
            }
        } else {
            Expr::col(bat::Column::Id).in_subquery(pick)
        };
        let mut claimed = bat::Entity::update_many()
            .col_expr(
                bat::Column::State,
                Expr::value(BatteryState::Booked.as_str()),
            )
            .col_expr(bat::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(if postgres {
                Expr::col(bat::Column::Id).eq(target)
            } else {
                target
            })
            .filter(bat::Column::State.eq(BatteryState::Available.as_str()))
            .exec_with_returning(txn)
            .await?;
        if claimed.len() > 1 {
            tracing::error!(
                station_id,
                claimed = claimed.len(),
                "a booking claimed several batteries; rolled back"
            );
            return Err(AppError::Internal);
        }
        if let Some(b) = claimed.pop() {
            return Ok(Some(b));
        }
        let still_free = bat::Entity::find()
            .filter(bat::Column::StationId.eq(station_id))
            .filter(bat::Column::State.eq(BatteryState::Available.as_str()))
            .filter(bat::Column::ChargePercent.gte(min_charge))
            .one(txn)
            .await?;
        if still_free.is_none() {
            return Ok(None);
        }
    }
    Ok(None)
}

/// Books one charged battery at `station_id` for `rider`, atomically.
/// Announces `battery_booked`, `inventory_update(book)`, and `booking_confirmed` to the rider.
pub async fn book(ctx: &Ctx, rider: &CurrentUser, station_id: i32) -> AppResult<BookingView> {
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let Some(battery) = claim_battery(&txn, station_id, ctx.rules.min_charge_percent).await? else {
        let station = station::ssr::find(&txn, station_id).await?;
        return Err(match StationStatus::parse(&station.status) {
            Some(StationStatus::Online) => AppError::NoneAvailable,
            _ => AppError::StationNotOnline(station.status),
        });
    };
    let inserted = entity::ActiveModel {
        rider_id: Set(rider.id),
        battery_id: Set(battery.id),
        station_id: Set(station_id),
        status: Set(BookingStatus::Confirmed.as_str().into()),
        collection_code: Set(collection_code()),
        cancel_reason: Set(String::new()),
        created_at: Set(now),
        expires_at: Set(now + ctx.rules.hold),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let booking = match inserted {
        Ok(b) => b,
        // The partial unique index on active bookings per rider; dropping `txn` releases the battery.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Err(AppError::ActiveBookingExists);
        }
        Err(e) => return Err(e.into()),
    };
    let summary = station::ssr::changed(&txn, station_id).await?;
    let text = format!("Battery booked successfully at {}", summary.name);
    store(
        &txn,
        NewNotification {
            user_id: rider.id,
            kind: "booking_confirmed",
            title: "Booking confirmed",
            message: &text,
            level: Level::Success,
            at: now,
        },
    )
    .await?;
    let ts = timestamp(now);
    let c = summary.counts;
    let booked = |user: String| FeedMessage::BatteryBooked {
        station_id,
        station_name: summary.name.clone(),
        battery_id: battery.id,
        available_batteries: c.available,
        booked_batteries: c.booked,
        total_batteries: Some(c.total),
        user,
        timestamp: ts.clone(),
    };
    let events = vec![
        DomainEvent::Station {
            station_id,
            seq: Some(summary.version),
            message: booked(mask_email(&rider.email)),
            privileged: Some(booked(rider.email.clone())),
        },
        DomainEvent::inventory(&summary, InventoryAction::Book, ts.clone()),
        DomainEvent::user(
            rider.id,
            FeedMessage::BookingConfirmed {
                booking_id: booking.id,
                station_name: summary.name.clone(),
                battery_info: battery.model.clone(),
                message: text,
                timestamp: ts,
                station_id: Some(station_id),
                collection_code: Some(booking.collection_code.clone()),
                expires_at: Some(timestamp(booking.expires_at)),
            },
        ),
        DomainEvent::booking_update(
            station_id,
            booking.id,
            BookingStatus::Confirmed,
            timestamp(now),
        ),
    ];
    let detail = format!(
        "booking {} of battery {} for {}",
        booking.id, battery.serial, rider.email
    );
    audit::record(
        &txn,
        Actor::User(rider),
        Some(station_id),
        "booking_created",
        detail,
    )
    .await?;
    let view = view(&txn, booking).await?;
    ctx.commit(txn, events).await?;
    Ok(view)
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<entity::Model>,
) -> AppResult<Vec<BookingView>> {
    let mut out = Vec::with_capacity(rows.len());
    for b in rows {
        out.push(view(conn, b).await?);
    }
    Ok(out)
}

/// The rider's bookings, newest first.
pub async fn for_rider(conn: &impl ConnectionTrait, rider_id: i32) -> AppResult<Vec<BookingView>> {
    let rows = entity::Entity::find()
        .filter(entity::Column::RiderId.eq(rider_id))
        .order_by_desc(entity::Column::Id)
        .all(conn)
        .await?;
    views(conn, rows).await
}

/// Active bookings at a station, oldest first: the staff queue.
pub async fn queue(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<Vec<BookingView>> {
    let rows = entity::Entity::find()
        .filter(entity::Column::StationId.eq(station_id))
        .filter(entity::Column::Status.is_in(active()))
        .order_by_asc(entity::Column::Id)
        .all(conn)
        .await?;
    views(conn, rows).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_short_and_unambiguous() {
        let code = super::collection_code();
        assert_eq!(code.len(), 6);
        assert!(!code.contains(['0', 'O', '1', 'I']));
    }
}
