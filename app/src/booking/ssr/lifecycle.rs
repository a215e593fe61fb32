//! What happens to a booking after it is made and before it ends: ready, then collected (with
//! the returned pack checked in). Ending without collection is in `release.rs`. Each step is
//! one transaction that starts with its conditional write, records itself in the audit trail,
//! and publishes after commit.
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseTransaction, QueryOrder, QuerySelect, entity::prelude::*,
};

use super::{booking_view, entity};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::battery::BatteryState;
use crate::battery::ssr::{self as battery, ReturnedPack};
use crate::booking::{BookingStatus, BookingView};
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

pub(super) async fn find(conn: &impl ConnectionTrait, booking_id: i32) -> AppResult<entity::Model> {
    entity::Entity::find_by_id(booking_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Booking"))
}

/// Moves an active booking to `to` (only from `from`, and only if it is one of `only`: the
/// bookings the actor may move, when the caller has not authorised already). A booking that
/// moved on meanwhile, or is not one of `only`, gives `BookingClosed` with its current status.
pub(super) async fn transition(
    txn: &DatabaseTransaction,
    booking_id: i32,
    (from, only): (&[BookingStatus], Condition),
    to: BookingStatus,
    extra: Vec<(entity::Column, SimpleExpr)>,
) -> AppResult<entity::Model> {
    let mut update = entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value(to))
        .filter(entity::Column::Id.eq(booking_id))
        .filter(entity::Column::Status.is_in(from.iter().copied()))
        .filter(only);
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
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let now = change.at();
    let booking = transition(
        change.txn(),
        booking_id,
        (&[BookingStatus::Confirmed], Condition::all()),
        BookingStatus::Ready,
        vec![(entity::Column::ReadyAt, Expr::value(now))],
    )
    .await?;
    let ready = booking_view(change.txn(), booking.id).await?;
    change.audit(
        Some(ready.station_id),
        AuditAction::BookingReady,
        format!("booking {booking_id}"),
    );
    change.raise(Event::Ready {
        station_id: ready.station_id,
        station_name: ready.station_name.clone(),
        booking_id,
        rider_id: ready.rider_id,
    });
    change.commit().await?;
    Ok(ready.seen_by(actor.id))
}

/// The counter's collection: the rider's code (scanned or typed) names the booking among the
/// station's active ones, so staff need not find it in the queue first. Everything is checked
/// before the code is looked up: that the caller runs the station (so staff elsewhere learn
/// nothing of which codes are live), the returned pack as typed, and the code's shape (a code
/// with a NUL byte never reaches the database). Then it is [`collect`], with its refusals.
pub async fn collect_at_counter(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    code: &str,
    returned: Option<ReturnedPack>,
) -> AppResult<BookingView> {
    actor.ensure_manages(station_id)?;
    if let Some(pack) = &returned {
        battery::check_returned(pack)?;
    }
    let code = normal_code(code);
    if !super::is_code(&code) {
        return Err(AppError::WrongCode);
    }
    let with_code = || {
        entity::Entity::find()
            .filter(entity::Column::StationId.eq(station_id))
            .filter(entity::Column::CollectionCode.eq(code.clone()))
    };
    let active = with_code()
        .filter(entity::Column::Status.is_in(BookingStatus::ACTIVE))
        .limit(2)
        .all(&ctx.db)
        .await?;
    match active.as_slice() {
        [booking] => collect(ctx, actor, booking.id, &code, returned).await,
        // Two active bookings of one station sharing a code (a chance in tens of millions):
        // the queue, where each booking is confirmed on its own, tells them apart.
        [_, _, ..] => Err(AppError::validation(
            "Two bookings here have this code: confirm the collection from the booking queue.",
        )),
        // Handed over already (a second tap, an answer that was lost) or ended: say so, rather
        // than blame the rider's code.
        [] => match with_code()
            .order_by_desc(entity::Column::Id)
            .one(&ctx.db)
            .await?
        {
            Some(ended) => Err(AppError::BookingClosed(ended.status.as_str().to_string())),
            None => Err(AppError::WrongCode),
        },
    }
}

/// A code as typed, scanned by the camera or typed by a hand-held scanner (which types the QR
/// code's whole text, `BSWAP:CODE:` first).
fn normal_code(code: &str) -> String {
    crate::ui::qr::strip(code.trim(), crate::ui::qr::CODE_PREFIX)
        .trim()
        .to_ascii_uppercase()
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
    if normal_code(code) != existing.collection_code {
        return Err(AppError::WrongCode);
    }
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let now = change.at();
    let booking = transition(
        change.txn(),
        booking_id,
        (&BookingStatus::ACTIVE, Condition::all()),
        BookingStatus::Collected,
        vec![
            (entity::Column::CollectedAt, Expr::value(now)),
            (entity::Column::ClosedAt, Expr::value(now)),
        ],
    )
    .await?;
    battery::set_booked_pack(change.txn(), booking.battery_id, BatteryState::Collected).await?;
    let at = Some(booking.station_id);
    change.audit(
        at,
        AuditAction::BookingCollected,
        format!("booking {booking_id}"),
    );
    if let Some(pack) = returned {
        let charge = pack.charge_percent;
        let min_charge = ctx.rules.min_charge_percent;
        let checked_in = battery::check_in(change.txn(), booking.station_id, pack, min_charge);
        if let Some(serial) = checked_in.await? {
            let detail = format!("pack {serial} checked in at {charge}%");
            change.audit(at, AuditAction::PackReturned, detail);
        }
    }
    let summary = change.recount(booking.station_id).await?;
    let collected = booking_view(change.txn(), booking.id).await?;
    change.raise(Event::Collected {
        station: summary,
        booking_id,
        battery_id: collected.battery_id,
        rider_id: collected.rider_id,
    });
    change.commit().await?;
    Ok(collected.seen_by(actor.id))
}
