//! What happens to a booking after it is made: ready, collected (with the returned pack
//! checked in), cancelled, expired. Each step is one transaction that starts with its
//! conditional write, records itself in the audit trail, and publishes after commit.
use chrono::Utc;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait, entity::prelude::*};

use super::{active, entity, view};
use crate::account::CurrentUser;
use crate::audit::ssr::{self as audit, Actor};
use crate::battery::BatteryState;
use crate::battery::ssr::{self as battery, entity as bat};
use crate::booking::{BookingStatus, BookingView};
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::notification::Level;
use crate::notification::ssr::{NewNotification, notify, store};
use crate::ssr::Ctx;
use crate::station;

/// The pack a rider hands back when collecting: checked in at the station.
#[derive(Debug, Clone)]
pub struct ReturnedPack {
    pub serial: String,
    /// Needed only for a pack the network has not seen before.
    pub model: String,
    pub charge_percent: i16,
}

async fn find(conn: &impl ConnectionTrait, booking_id: i32) -> AppResult<entity::Model> {
    entity::Entity::find_by_id(booking_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Booking"))
}

/// Moves an active booking to `to` (only from `from`); the caller has authorised. A booking
/// that moved on meanwhile gives `BookingClosed` with its current status.
async fn transition(
    txn: &DatabaseTransaction,
    booking_id: i32,
    from: &[&str],
    to: BookingStatus,
    extra: Vec<(entity::Column, SimpleExpr)>,
) -> AppResult<entity::Model> {
    let mut update = entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value(to.as_str()))
        .filter(entity::Column::Id.eq(booking_id))
        .filter(entity::Column::Status.is_in(from.iter().copied()));
    for (col, expr) in extra {
        update = update.col_expr(col, expr);
    }
    let changed = update.exec(txn).await?;
    let booking = find(txn, booking_id).await?;
    if changed.rows_affected == 0 {
        return Err(AppError::BookingClosed(booking.status));
    }
    Ok(booking)
}

async fn set_battery_state(
    txn: &DatabaseTransaction,
    battery_id: i32,
    state: BatteryState,
) -> AppResult<()> {
    bat::Entity::update_many()
        .col_expr(bat::Column::State, Expr::value(state.as_str()))
        .col_expr(bat::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(bat::Column::Id.eq(battery_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Staff: the battery is at the counter. Announces `booking_ready` to the rider.
pub async fn mark_ready(ctx: &Ctx, actor: &CurrentUser, booking_id: i32) -> AppResult<BookingView> {
    let existing = find(&ctx.db, booking_id).await?;
    station::ssr::authorize_manage(actor, existing.station_id)?;
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let booking = transition(
        &txn,
        booking_id,
        &["confirmed"],
        BookingStatus::Ready,
        vec![(entity::Column::ReadyAt, Expr::value(now))],
    )
    .await?;
    let view = view(&txn, booking).await?;
    let text = format!(
        "Your battery is ready for collection at {}",
        view.station_name
    );
    store(
        &txn,
        NewNotification {
            user_id: view.rider_id,
            kind: "booking_ready",
            title: "Battery ready",
            message: &text,
            level: Level::Success,
            at: now,
        },
    )
    .await?;
    let event = DomainEvent::user(
        view.rider_id,
        FeedMessage::BookingReady {
            booking_id,
            station_name: view.station_name.clone(),
            message: text,
            timestamp: timestamp(now),
            station_id: Some(view.station_id),
        },
    );
    let detail = format!("booking {booking_id}");
    audit::record(
        &txn,
        Actor::User(actor),
        Some(view.station_id),
        "booking_ready",
        detail,
    )
    .await?;
    let update = DomainEvent::booking_update(
        view.station_id,
        booking_id,
        BookingStatus::Ready,
        timestamp(now),
    );
    ctx.commit(txn, vec![event, update]).await?;
    Ok(view)
}

/// Hands the battery over: staff of the station (or the rider at a self-service station) with
/// the booking's collection code. Announces `battery_collected` and `inventory_update(collect)`.
pub async fn collect(
    ctx: &Ctx,
    actor: &CurrentUser,
    booking_id: i32,
    code: &str,
    returned: Option<ReturnedPack>,
) -> AppResult<BookingView> {
    let existing = find(&ctx.db, booking_id).await?;
    if !actor.can_manage(existing.station_id) && existing.rider_id != actor.id {
        return Err(AppError::NotYours);
    }
    if !code.trim().eq_ignore_ascii_case(&existing.collection_code) {
        return Err(AppError::WrongCode);
    }
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let booking = transition(
        &txn,
        booking_id,
        &active(),
        BookingStatus::Collected,
        vec![
            (entity::Column::CollectedAt, Expr::value(now)),
            (entity::Column::ClosedAt, Expr::value(now)),
        ],
    )
    .await?;
    set_battery_state(&txn, booking.battery_id, BatteryState::Collected).await?;
    let detail = format!("booking {booking_id}");
    audit::record(
        &txn,
        Actor::User(actor),
        Some(booking.station_id),
        "booking_collected",
        detail,
    )
    .await?;
    if let Some(pack) = returned {
        check_in(&txn, ctx, actor, booking.station_id, pack).await?;
    }
    let summary = station::ssr::changed(&txn, booking.station_id).await?;
    let view = view(&txn, booking).await?;
    let (c, ts) = (summary.counts, timestamp(now));
    let note = format!("You collected your battery at {}. Ride safe!", summary.name);
    let events = vec![
        DomainEvent::at(
            &summary,
            FeedMessage::BatteryCollected {
                station_id: summary.id,
                station_name: summary.name.clone(),
                battery_id: view.battery_id,
                available_batteries: c.available,
                booked_batteries: c.booked,
                total_batteries: Some(c.total),
                timestamp: ts.clone(),
            },
        ),
        DomainEvent::inventory(&summary, InventoryAction::Collect, ts),
        notify(
            &txn,
            NewNotification {
                user_id: view.rider_id,
                kind: "notification",
                title: "Battery collected",
                message: &note,
                level: Level::Info,
                at: now,
            },
        )
        .await?,
        DomainEvent::booking_update(
            summary.id,
            booking_id,
            BookingStatus::Collected,
            timestamp(now),
        ),
    ];
    ctx.commit(txn, events).await?;
    Ok(view)
}

/// Checks a rider's returned pack in at `station_id`: `charging`, or `available` when charged
/// enough. A pack of ours must be out with a rider (`collected`); an unknown serial is a new pack.
async fn check_in(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    pack: ReturnedPack,
) -> AppResult<()> {
    let serial = pack.serial.trim().to_string();
    if serial.is_empty() {
        return Ok(());
    }
    battery::validate_charge(pack.charge_percent)?;
    let state = battery::resting_state(pack.charge_percent, ctx.rules.min_charge_percent);
    let now = Utc::now();
    let moved = bat::Entity::update_many()
        .col_expr(bat::Column::StationId, Expr::value(station_id))
        .col_expr(bat::Column::State, Expr::value(state.as_str()))
        .col_expr(bat::Column::ChargePercent, Expr::value(pack.charge_percent))
        .col_expr(bat::Column::UpdatedAt, Expr::value(now))
        .filter(bat::Column::Serial.eq(serial.clone()))
        .filter(bat::Column::State.eq(BatteryState::Collected.as_str()))
        .exec(txn)
        .await?;
    if moved.rows_affected == 0 {
        if let Some(known) = bat::Entity::find()
            .filter(bat::Column::Serial.eq(serial.clone()))
            .one(txn)
            .await?
        {
            return Err(AppError::validation(format!(
                "Pack {serial} is not out with a rider: it is {} at station {}.",
                known.state, known.station_id
            )));
        }
        let new = battery::NewBattery {
            station_id,
            serial: serial.clone(),
            model: pack.model,
            charge_percent: pack.charge_percent,
        };
        battery::validate(&new)?;
        battery::insert(txn, &new, state, now).await?;
    }
    let detail = format!("pack {serial} checked in at {}%", pack.charge_percent);
    audit::record(
        txn,
        Actor::User(actor),
        Some(station_id),
        "pack_returned",
        detail,
    )
    .await
}

/// Cancels an active booking: its rider, the station's staff, or an admin. The battery goes
/// back on the shelf; the rider is told. Announces `inventory_update(update)`.
pub async fn cancel(
    ctx: &Ctx,
    actor: &CurrentUser,
    booking_id: i32,
    reason: &str,
) -> AppResult<BookingView> {
    let existing = find(&ctx.db, booking_id).await?;
    if existing.rider_id != actor.id && !actor.can_manage(existing.station_id) {
        return Err(AppError::NotYours);
    }
    let reason = reason.trim();
    if reason.chars().count() > 255 {
        return Err(AppError::validation("A reason is at most 255 characters."));
    }
    close(
        ctx,
        Actor::User(actor),
        booking_id,
        BookingStatus::Cancelled,
        reason,
    )
    .await
}

/// Releases a booking's battery as `cancelled` or `expired`.
async fn close(
    ctx: &Ctx,
    actor: Actor<'_>,
    booking_id: i32,
    to: BookingStatus,
    reason: &str,
) -> AppResult<BookingView> {
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let booking = transition(
        &txn,
        booking_id,
        &active(),
        to,
        vec![
            (entity::Column::ClosedAt, Expr::value(now)),
            (entity::Column::CancelReason, Expr::value(reason)),
        ],
    )
    .await?;
    set_battery_state(&txn, booking.battery_id, BatteryState::Available).await?;
    let action = if to == BookingStatus::Expired {
        "booking_expired"
    } else {
        "booking_cancelled"
    };
    let detail = if reason.is_empty() {
        format!("booking {booking_id}")
    } else {
        format!("booking {booking_id}: {reason}")
    };
    audit::record(&txn, actor, Some(booking.station_id), action, detail).await?;
    let summary = station::ssr::changed(&txn, booking.station_id).await?;
    let view = view(&txn, booking).await?;
    let (title, mut text) = match to {
        BookingStatus::Expired => (
            "Booking expired",
            format!(
                "Your booking at {} expired before collection.",
                summary.name
            ),
        ),
        _ => (
            "Booking cancelled",
            format!("Your booking at {} was cancelled.", summary.name),
        ),
    };
    if !reason.is_empty() {
        text = format!("{text} Reason: {reason}");
    }
    let events = vec![
        DomainEvent::inventory(&summary, InventoryAction::Update, timestamp(now)),
        notify(
            &txn,
            NewNotification {
                user_id: view.rider_id,
                kind: "notification",
                title,
                message: &text,
                level: Level::Warning,
                at: now,
            },
        )
        .await?,
        DomainEvent::booking_update(summary.id, booking_id, to, timestamp(now)),
    ];
    ctx.commit(txn, events).await?;
    Ok(view)
}

/// Expires every active booking whose hold has run out; returns how many.
pub async fn expire_due(ctx: &Ctx) -> AppResult<usize> {
    let due: Vec<i32> = entity::Entity::find()
        .filter(entity::Column::Status.is_in(active()))
        .filter(entity::Column::ExpiresAt.lte(Utc::now()))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut expired = 0;
    for id in due {
        match close(ctx, Actor::System, id, BookingStatus::Expired, "").await {
            Ok(_) => expired += 1,
            Err(AppError::BookingClosed(_)) => {} // collected or cancelled meanwhile
            Err(e) => return Err(e),
        }
    }
    Ok(expired)
}
