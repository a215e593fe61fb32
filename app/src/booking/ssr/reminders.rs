//! A reminder before a hold runs out: one notification per booking, a few minutes before it
//! expires, through the rider's notifications feed, so a rider on their way is not caught out.
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, entity::prelude::*};

use super::{booking_view, entity};
use crate::audit::ssr::Actor;
use crate::booking::BookingStatus;
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::AppResult;

/// How long before expiry riders are reminded: the configured lead, but at most half the hold,
/// so a short hold is not "ending soon" the moment it is made. Zero: no reminders.
pub fn reminder_lead(hold: Duration, configured: Duration) -> Duration {
    configured.min(hold / 2).max(Duration::zero())
}

/// Reminds every rider whose active hold ends within the lead and who was not reminded yet;
/// returns how many were. A failure is logged and retried at the next sweep.
pub async fn remind_due(ctx: &Ctx) -> AppResult<usize> {
    let lead = reminder_lead(ctx.rules.hold, ctx.rules.hold_reminder);
    if lead.is_zero() {
        return Ok(0);
    }
    let now = Utc::now();
    let due: Vec<i32> = entity::Entity::find()
        .filter(entity::Column::Status.is_in(BookingStatus::ACTIVE))
        .filter(entity::Column::RemindedAt.is_null())
        .filter(entity::Column::ExpiresAt.gt(now))
        .filter(entity::Column::ExpiresAt.lte(now + lead))
        .order_by_asc(entity::Column::ExpiresAt)
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut sent = 0;
    for id in due {
        match remind(ctx, id).await {
            Ok(true) => sent += 1,
            Ok(false) => {} // reminded by another instance, or ended, meanwhile
            Err(e) => {
                tracing::error!(booking_id = id, error = %e, "could not send a hold reminder")
            }
        }
    }
    Ok(sent)
}

/// Marks the booking reminded (the conditional write that makes it once only) and tells its
/// rider. `false`: nothing to do any more.
async fn remind(ctx: &Ctx, booking_id: i32) -> AppResult<bool> {
    let mut change = Change::begin(ctx, Actor::System).await?;
    let now = change.at();
    let marked = entity::Entity::update_many()
        .col_expr(entity::Column::RemindedAt, Expr::value(now))
        .filter(entity::Column::Id.eq(booking_id))
        .filter(entity::Column::RemindedAt.is_null())
        .filter(entity::Column::Status.is_in(BookingStatus::ACTIVE))
        .exec(change.txn())
        .await?;
    if marked.rows_affected == 0 {
        return Ok(false);
    }
    let booking = booking_view(change.txn(), booking_id).await?;
    let left = chrono::DateTime::parse_from_rfc3339(&booking.expires_at)
        .map(|t| (t.to_utc() - now).num_seconds().max(0))
        .unwrap_or(0);
    let minutes = (left + 59) / 60;
    change.raise(Event::HoldEnding {
        rider_id: booking.rider_id,
        station_name: booking.station_name,
        minutes,
    });
    change.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_is_at_most_half_the_hold() {
        let m = Duration::minutes;
        assert_eq!(reminder_lead(m(30), m(5)), m(5));
        assert_eq!(reminder_lead(m(6), m(5)), m(3));
        assert_eq!(reminder_lead(m(1), m(5)), Duration::seconds(30));
        assert!(reminder_lead(m(30), m(0)).is_zero());
    }
}
