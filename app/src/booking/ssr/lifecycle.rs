//! What happens to a booking after it is made and before it ends: ready, then collected (with
//! the returned pack checked in). Ending without collection is in `release.rs`. Each step is
//! one transaction that starts with its conditional write, records itself in the audit trail,
//! and publishes after commit.
use chrono::Utc;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait, entity::prelude::*};

use super::{booking_view, entity};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::{self as audit, Actor};
use crate::battery::BatteryState;
use crate::battery::ssr::{self as battery, ReturnedPack};
use crate::booking::{BookingStatus, BookingView};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, InventoryAction, timestamp};
use crate::notification::Level;
use crate::notification::ssr::{NewNotification, notify, store};
use crate::station;

pub(super) async fn find(conn: &impl ConnectionTrait, booking_id: i32) -> AppResult<entity::Model> {
    entity::Entity::find_by_id(booking_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Booking"))
}

/// Moves an active booking to `to` (only from `from`); the caller has authorised. A booking
/// that moved on meanwhile gives `BookingClosed` with its current status.
pub(super) async fn transition(
    txn: &DatabaseTransaction,
    booking_id: i32,
    from: &[BookingStatus],
    to: BookingStatus,
    extra: Vec<(entity::Column, SimpleExpr)>,
) -> AppResult<entity::Model> {
    let mut update = entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value(to))
        .filter(entity::Column::Id.eq(booking_id))
        .filter(entity::Column::Status.is_in(from.iter().copied()));
    for (col, expr) in extra {
        update = update.col_expr(col, expr);
    }
    // The changed row comes back with the write; only a refused change reads why.
    match update.exec_with_returning(txn).await?.pop() {
        Some(booking) => Ok(booking),
        None => Err(AppError::BookingClosed(
            find(txn, booking_id).await?.status.as_str().to_string(),
        )),
    }
}

/// Staff: the battery is at the counter. Announces `booking_ready` to the rider.
pub async fn mark_ready(ctx: &Ctx, actor: &CurrentUser, booking_id: i32) -> AppResult<BookingView> {
    let existing = find(&ctx.db, booking_id).await?;
    actor.ensure_manages(existing.station_id)?;
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let booking = transition(
        &txn,
        booking_id,
        &[BookingStatus::Confirmed],
        BookingStatus::Ready,
        vec![(entity::Column::ReadyAt, Expr::value(now))],
    )
    .await?;
    let ready = booking_view(&txn, booking.id).await?;
    let text = format!(
        "Your battery is ready for collection at {}",
        ready.station_name
    );
    store(
        &txn,
        NewNotification {
            user_id: ready.rider_id,
            kind: "booking_ready",
            title: "Battery ready",
            message: &text,
            level: Level::Success,
            at: now,
        },
    )
    .await?;
    let event = DomainEvent::user(
        ready.rider_id,
        FeedMessage::BookingReady {
            booking_id,
            station_name: ready.station_name.clone(),
            message: text,
            timestamp: timestamp(now),
            station_id: Some(ready.station_id),
        },
    );
    let detail = format!("booking {booking_id}");
    audit::record(
        &txn,
        Actor::User(actor),
        Some(ready.station_id),
        AuditAction::BookingReady,
        detail,
    )
    .await?;
    let update = DomainEvent::booking_update(
        ready.station_id,
        booking_id,
        BookingStatus::Ready,
        timestamp(now),
    );
    ctx.commit(txn, vec![event, update]).await?;
    Ok(ready.seen_by(actor.id))
}

/// Hands the battery over: staff of the station (or an admin), with the code the rider shows
/// at the counter, checking in the pack the rider returns. Never the rider: a rider who could
/// close their own booking could also check in packs they invented.
/// Announces `battery_collected` and `inventory_update(collect)`.
pub async fn collect(
    ctx: &Ctx,
    actor: &CurrentUser,
    booking_id: i32,
    code: &str,
    returned: Option<ReturnedPack>,
) -> AppResult<BookingView> {
    if let Some(pack) = &returned {
        battery::check_returned(pack)?;
    }
    let existing = find(&ctx.db, booking_id).await?;
    actor.ensure_manages(existing.station_id)?;
    if !code.trim().eq_ignore_ascii_case(&existing.collection_code) {
        return Err(AppError::WrongCode);
    }
    let now = Utc::now();
    let txn = ctx.db.begin().await?;
    let booking = transition(
        &txn,
        booking_id,
        &BookingStatus::ACTIVE,
        BookingStatus::Collected,
        vec![
            (entity::Column::CollectedAt, Expr::value(now)),
            (entity::Column::ClosedAt, Expr::value(now)),
        ],
    )
    .await?;
    battery::set_booked_pack(&txn, booking.battery_id, BatteryState::Collected).await?;
    let detail = format!("booking {booking_id}");
    audit::record(
        &txn,
        Actor::User(actor),
        Some(booking.station_id),
        AuditAction::BookingCollected,
        detail,
    )
    .await?;
    if let Some(pack) = returned {
        let charge = pack.charge_percent;
        let min_charge = ctx.rules.min_charge_percent;
        if let Some(serial) = battery::check_in(&txn, booking.station_id, pack, min_charge).await? {
            let detail = format!("pack {serial} checked in at {charge}%");
            let at = Some(booking.station_id);
            audit::record(
                &txn,
                Actor::User(actor),
                at,
                AuditAction::PackReturned,
                detail,
            )
            .await?;
        }
    }
    let (summary, alerts) =
        station::ssr::bump_version_and_recount(&txn, &ctx.rules, booking.station_id).await?;
    let collected = booking_view(&txn, booking.id).await?;
    let (c, ts) = (summary.counts, timestamp(now));
    let note = format!("You collected your battery at {}. Ride safe!", summary.name);
    let events = vec![
        DomainEvent::at(
            &summary,
            FeedMessage::BatteryCollected {
                station_id: summary.id,
                station_name: summary.name.clone(),
                battery_id: collected.battery_id,
                available_batteries: c.available,
                booked_batteries: c.booked,
                total_batteries: Some(c.total),
                timestamp: ts.clone(),
                available_by_model: Some(summary.available_by_model.clone()),
            },
        ),
        DomainEvent::inventory(&summary, InventoryAction::Collect, ts),
        notify(
            &txn,
            NewNotification {
                user_id: collected.rider_id,
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
    ctx.commit(txn, alerts.after(events)).await?;
    Ok(collected.seen_by(actor.id))
}
