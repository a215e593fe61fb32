//! Booking server fns.
use leptos::prelude::*;

use super::BookingView;
use crate::error::AppError;

/// `POST /api/book_battery` (`station_id`, `model` optional): books one charged battery there,
/// of that pack model when one is named (empty: any model). An `Idempotency-Key` header (or
/// the `idempotency_key` field) makes it safe to send again (`crate::idempotency`).
#[server(prefix = "/api", endpoint = "book_battery", output = crate::json_text::JsonAnswer)]
pub async fn book_battery(
    station_id: i32,
    #[server(default)] model: String,
    #[server(default)] idempotency_key: String,
) -> Result<BookingView, AppError> {
    let ctx = crate::context::ctx()?;
    let rider = crate::account::ssr::require_user(&ctx).await?;
    let key = crate::idempotency::ssr::key_of_request(&idempotency_key).await?;
    let booking = super::ssr::book_model(&ctx, &rider, station_id, &model, key).await?;
    // Where the code and the countdown are; a plain form post follows this redirect.
    leptos_axum::redirect("/bookings");
    Ok(booking)
}

/// `POST /api/my_bookings`: the caller's bookings, newest first; an active one with its
/// collection code also as a QR code (`collection_qr`, inline SVG).
#[server(prefix = "/api", endpoint = "my_bookings", output = crate::json_text::JsonAnswer)]
pub async fn my_bookings() -> Result<Vec<BookingView>, AppError> {
    let ctx = crate::context::ctx()?;
    let rider = crate::account::ssr::require_user(&ctx).await?;
    let list = super::ssr::for_rider(&ctx.db, rider.id).await?;
    Ok(list.into_iter().map(BookingView::with_qr).collect())
}

/// `POST /api/mark_ready` (`booking_id`): staff of the station or admin.
#[server(prefix = "/api", endpoint = "mark_ready", output = crate::json_text::JsonAnswer)]
pub async fn mark_ready(booking_id: i32) -> Result<BookingView, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::mark_ready(&ctx, &actor, booking_id).await
}

/// `POST /api/collect_booking` (`booking_id`, `code`; for a swap also `returned_serial`,
/// `returned_model`, `returned_charge`): staff of the station, admin, or the rider.
#[server(prefix = "/api", endpoint = "collect_booking", output = crate::json_text::JsonAnswer)]
pub async fn collect_booking(
    booking_id: i32,
    code: String,
    #[server(default)] returned_serial: String,
    #[server(default)] returned_model: String,
    #[server(default)] returned_charge: Option<i16>,
) -> Result<BookingView, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let returned = returned_pack(returned_serial, returned_model, returned_charge);
    super::ssr::collect(&ctx, &actor, booking_id, &code, returned).await
}

/// `POST /api/collect_at_counter` (`station_id`, `code`; for a swap also `returned_serial`,
/// `returned_model`, `returned_charge`): like `collect_booking`, with the booking named by the
/// rider's code among the station's active ones (the console's counter, where the code is
/// scanned). Staff of the station or admin.
#[server(prefix = "/api", endpoint = "collect_at_counter", output = crate::json_text::JsonAnswer)]
pub async fn collect_at_counter(
    station_id: i32,
    code: String,
    #[server(default)] returned_serial: String,
    #[server(default)] returned_model: String,
    #[server(default)] returned_charge: Option<i16>,
) -> Result<BookingView, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let returned = returned_pack(returned_serial, returned_model, returned_charge);
    super::ssr::collect_at_counter(&ctx, &actor, station_id, &code, returned).await
}

/// What the counter said about a returned pack: nothing when no serial was given.
#[cfg(feature = "ssr")]
fn returned_pack(
    serial: String,
    model: String,
    charge: Option<i16>,
) -> Option<super::ssr::ReturnedPack> {
    // A hand-held scanner types the label's whole text.
    let serial = crate::ui::qr::strip(serial.trim(), crate::ui::qr::PACK_PREFIX).to_string();
    (!serial.is_empty()).then(|| super::ssr::ReturnedPack {
        serial,
        model,
        charge_percent: charge.unwrap_or(0),
    })
}

/// `POST /api/station_queue` (`station_id`): the station's active bookings, oldest first, for
/// its staff and admins.
#[server(prefix = "/api", endpoint = "station_queue", output = crate::json_text::JsonAnswer)]
pub async fn station_queue(station_id: i32) -> Result<Vec<BookingView>, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    actor.ensure_manages(station_id)?;
    super::ssr::queue(&ctx.db, station_id).await
}

/// `POST /api/cancel_booking` (`booking_id`, `reason` optional): the rider, station staff or
/// admin. Safe to send again under an idempotency key, like `book_battery`.
#[server(prefix = "/api", endpoint = "cancel_booking", output = crate::json_text::JsonAnswer)]
pub async fn cancel_booking(
    booking_id: i32,
    #[server(default)] reason: String,
    #[server(default)] idempotency_key: String,
) -> Result<BookingView, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let key = crate::idempotency::ssr::key_of_request(&idempotency_key).await?;
    super::ssr::cancel_keyed(&ctx, &actor, booking_id, &reason, key).await
}
