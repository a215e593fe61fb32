//! Ending a booking without collection: cancelled (by its rider, the station's staff or an
//! admin) or expired (by the sweeper). The pack goes back on the shelf and the rider is told,
//! in one transaction that starts with the booking's conditional status change.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{Condition, QueryOrder, entity::prelude::*};

use super::lifecycle::{find, transition};
use super::{booking_view, entity, written_view};
use crate::account::{CurrentUser, Role};
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::battery::BatteryState;
use crate::battery::ssr as battery;
use crate::booking::{BookingStatus, BookingView};
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::idempotency::ssr::Retry;

/// Cancels an active booking: its rider, the station's staff, or an admin. The battery goes
/// back on the shelf; the rider is told. Announces `inventory_update(update)`. Who may is a
/// condition of the cancelling write (one read fewer on the hot path); only a refused cancel
/// reads the booking, to say why.
pub async fn cancel(
    ctx: &Ctx,
    actor: &CurrentUser,
    booking_id: i32,
    reason: &str,
) -> AppResult<BookingView> {
    cancel_keyed(ctx, actor, booking_id, reason, None).await
}

/// [`cancel`] under an idempotency `key`: a request sent again gets its first answer
/// (`crate::idempotency`).
pub async fn cancel_keyed(
    ctx: &Ctx,
    actor: &CurrentUser,
    booking_id: i32,
    reason: &str,
    key: Option<String>,
) -> AppResult<BookingView> {
    let reason = crate::text::paragraph("A reason", reason, 255, false)?;
    let asked = format!("cancel_booking booking_id={booking_id} reason={reason}");
    let retry = Retry::of(actor.id, key, asked);
    let (by, keyed) = (actor.clone(), retry.clone());
    let cancelled = ctx
        .write_for(actor.id, move |ctx| async move {
            let only = cancellable_by(&by);
            let to = BookingStatus::Cancelled;
            let why = Why {
                only,
                reason: &reason,
                retry: keyed.as_ref(),
            };
            close(&ctx, Actor::User(&by), booking_id, to, why).await
        })
        .await;
    let cancelled = Retry::or_first_answer(retry.as_ref(), &ctx.db, cancelled).await;
    match cancelled {
        Ok(closed) => Ok(closed),
        Err(AppError::BookingClosed(status)) => {
            let existing = find(&ctx.db, booking_id).await?;
            if existing.rider_id != actor.id && !actor.can_manage(existing.station_id) {
                return Err(AppError::NotYours);
            }
            Err(AppError::BookingClosed(status))
        }
        Err(e) => Err(e),
    }
}

/// The bookings `actor` may cancel: their own, and those at the stations they manage
/// (`CurrentUser::can_manage`, as a condition of the write).
fn cancellable_by(actor: &CurrentUser) -> Condition {
    let own = entity::Column::RiderId.eq(actor.id);
    match actor.role {
        Role::Admin => Condition::all(),
        Role::Staff => Condition::any()
            .add(own)
            .add(entity::Column::StationId.is_in(actor.stations.clone())),
        Role::Rider => Condition::all().add(own),
    }
}

/// Why a booking is closed: which bookings the closer may close, the reason given, and the
/// closer's keyed request, if any (its answer is kept with the change).
struct Why<'a> {
    only: Condition,
    reason: &'a str,
    retry: Option<&'a Retry>,
}

/// Releases a booking's battery as `cancelled` or `expired`, if it is one of `only`; answers
/// the booking as its closer sees it.
async fn close(
    ctx: &Ctx,
    actor: Actor<'_>,
    booking_id: i32,
    to: BookingStatus,
    Why {
        only,
        reason,
        retry,
    }: Why<'_>,
) -> AppResult<BookingView> {
    let closer = match &actor {
        Actor::User(u) => Some(u.id),
        _ => None,
    };
    let mut change = Change::begin(ctx, actor).await?;
    let now = change.at();
    let booking = transition(
        change.txn(),
        booking_id,
        (&BookingStatus::ACTIVE, only),
        to,
        vec![
            (entity::Column::ClosedAt, Expr::value(now)),
            (entity::Column::CancelReason, Expr::value(reason)),
        ],
    )
    .await?;
    let pack =
        battery::set_booked_pack(change.txn(), booking.battery_id, BatteryState::Available).await?;
    let action = if to == BookingStatus::Expired {
        AuditAction::BookingExpired
    } else {
        AuditAction::BookingCancelled
    };
    let detail = if reason.is_empty() {
        format!("booking {booking_id}")
    } else {
        format!("booking {booking_id}: {reason}")
    };
    change.audit(Some(booking.station_id), action, detail);
    let summary = change.recount(booking.station_id).await?;
    let closed = match pack {
        Some(pack) => written_view(booking, summary.name.clone(), pack.model),
        None => booking_view(change.txn(), booking_id).await?,
    };
    change.raise(Event::Released {
        station: summary,
        booking_id,
        rider_id: closed.rider_id,
        status: to,
        reason: reason.to_string(),
    });
    let closed = match closer {
        Some(id) => closed.seen_by(id),
        None => closed,
    };
    if let Some(retry) = retry {
        change.keep(retry.row(&closed)?);
    }
    change.commit().await?;
    Ok(closed)
}

/// Expires every active booking whose hold has run out; returns how many. A booking that fails
/// to expire is logged and left for the next sweep: one bad row never holds the others' packs.
pub async fn expire_due(ctx: &Ctx) -> AppResult<usize> {
    let due: Vec<i32> = entity::Entity::find()
        .filter(entity::Column::Status.is_in(BookingStatus::ACTIVE))
        .filter(entity::Column::ExpiresAt.lte(Utc::now()))
        .order_by_asc(entity::Column::ExpiresAt)
        .order_by_asc(entity::Column::Id)
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut expired = 0;
    for id in due {
        let every = Why {
            only: Condition::all(),
            reason: "",
            retry: None,
        };
        match close(ctx, Actor::System, id, BookingStatus::Expired, every).await {
            Ok(_) => expired += 1,
            Err(AppError::BookingClosed(_)) => {} // collected or cancelled meanwhile
            Err(e) => {
                tracing::error!(booking_id = id, error = %e, "could not expire a booking; will retry")
            }
        }
    }
    Ok(expired)
}
