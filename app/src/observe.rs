//! What the domain tells operators (server only): the metrics only a domain function can
//! count, and the user and station of the request being served, for its log span.
//!
//! The server (`src/metrics.rs`) installs the recorder and describes every metric; without it
//! (tests, tools) these calls cost next to nothing and record nowhere. Labels are bounded: an
//! outcome is one of a fixed set of names, never an id or a message.
use std::time::Duration;

use crate::error::AppError;

/// Booking attempts by `outcome` (`booked`, or the refusal's name).
pub const BOOKINGS: &str = "battery_swap_bookings_total";
/// How long a booking attempt took, by `outcome`, from its first statement to its commit.
pub const BOOKING_SECONDS: &str = "battery_swap_booking_duration_seconds";

/// Device reports by `outcome` (`accepted`, or the refusal's name).
pub const DEVICE_REPORTS: &str = "battery_swap_device_reports_total";
/// Packs device reports changed.
pub const DEVICE_PACKS_CHANGED: &str = "battery_swap_device_packs_changed_total";

/// Names the signed-in user on the current request's span (`src/request.rs` declares the
/// field; on any other span this does nothing).
pub fn user(id: i32) {
    tracing::Span::current().record("user_id", id);
}

/// Names the station the current request acts on, on its span.
pub fn station(id: i32) {
    tracing::Span::current().record("station_id", id);
}

/// Counts one booking attempt and its latency.
pub(crate) fn booking(refused: Option<&AppError>, took: Duration) {
    let outcome = refused.map_or("booked", outcome);
    metrics::counter!(BOOKINGS, "outcome" => outcome).increment(1);
    metrics::histogram!(BOOKING_SECONDS, "outcome" => outcome).record(took.as_secs_f64());
}

/// Counts one device report, and the packs it changed.
pub(crate) fn device_report(result: Result<u32, &AppError>) {
    let outcome = match result {
        Ok(_) => "accepted",
        Err(e) => outcome(e),
    };
    metrics::counter!(DEVICE_REPORTS, "outcome" => outcome).increment(1);
    if let Ok(changed) = result {
        metrics::counter!(DEVICE_PACKS_CHANGED).increment(u64::from(changed));
    }
}

/// A refusal's name, as the API spells it (`error` in the JSON body).
fn outcome(e: &AppError) -> &'static str {
    match e {
        AppError::NoneAvailable => "none_available",
        AppError::NoneOfModel(_) => "none_of_model",
        AppError::StationNotOnline(_) => "station_not_online",
        AppError::ActiveBookingExists => "active_booking_exists",
        AppError::NotFound(_) => "not_found",
        AppError::Validation(_) | AppError::Request(_) => "validation",
        AppError::Unauthenticated
        | AppError::InvalidCredentials
        | AppError::DeviceUnauthorized(_) => "unauthenticated",
        AppError::Forbidden
        | AppError::NotYours
        | AppError::WrongCode
        | AppError::WrongStation(_) => "forbidden",
        AppError::RateLimited | AppError::TooManyAttempts { .. } => "rate_limited",
        AppError::Busy { .. } | AppError::TimedOut => "busy",
        AppError::EmailTaken | AppError::DuplicateSerial | AppError::BookingClosed(_) => "conflict",
        AppError::KeyReused => "key_reused",
        AppError::Internal => "internal",
    }
}
