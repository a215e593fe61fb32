//! The one error type of battery-swap, shared by server and browser.
//!
//! Domain functions, server fns and the WebSocket endpoints all speak `AppError`. It maps to an
//! HTTP status in one place ([`AppError::status`]) and travels to the browser as JSON, so a
//! refusal reads the same in every client. Database and other internal details never leave the
//! server: they are logged and become [`AppError::Internal`].
use leptos::server_fn::Bytes;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Decodes, Encodes};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("{0}")]
    Validation(String),
    #[error("Please log in first.")]
    Unauthenticated,
    #[error("Invalid email or password.")]
    InvalidCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// A station device report without a live device token: missing, unknown or revoked.
    #[error("{0}")]
    DeviceUnauthorized(String),
    /// A device named another station than the one its token is for.
    #[error("This device reports for station {0} only.")]
    WrongStation(i32),
    #[error("{0} not found.")]
    NotFound(String),
    #[error("An account with that email already exists.")]
    EmailTaken,
    #[error("A battery with that serial number already exists.")]
    DuplicateSerial,
    #[error("The station is {0} and is not taking bookings right now.")]
    StationNotOnline(String),
    #[error("No charged battery is available at this station right now.")]
    NoneAvailable,
    #[error("No charged {0} is available at this station right now.")]
    NoneOfModel(String),
    #[error("You already have an active booking.")]
    ActiveBookingExists,
    #[error("That booking is not yours.")]
    NotYours,
    #[error("That booking is already {0}.")]
    BookingClosed(String),
    #[error("The collection code does not match.")]
    WrongCode,
    /// An idempotency key sent again with another request than the one it first named.
    #[error("That idempotency key was used for another request.")]
    KeyReused,
    #[error("Too many requests; slow down.")]
    RateLimited,
    /// Too many failed logins (or registrations) for this account or client address: 429 with
    /// `Retry-After`. Says nothing about whether the account exists.
    #[error("Too many attempts; try again in {}.", wait_words(*.retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// Every password-hashing slot and its short queue are taken: 503 with `Retry-After`.
    #[error("The server is busy; please try again in a moment.")]
    Busy { retry_after_secs: u64 },
    /// The request was not complete in time (a slow or stalled client, or a stuck handler).
    #[error("The request took too long. Please try again.")]
    TimedOut,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport-level failure reported by the server-fn machinery (network down, bad request).
    #[error("{0}")]
    Request(String),
}

impl AppError {
    /// The HTTP status of each error: the only place this mapping lives.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) | AppError::Request(_) => 400,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::DeviceUnauthorized(_) => 401,
            AppError::Forbidden
            | AppError::NotYours
            | AppError::WrongCode
            | AppError::WrongStation(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::KeyReused => 422,
            AppError::EmailTaken
            | AppError::DuplicateSerial
            | AppError::StationNotOnline(_)
            | AppError::NoneAvailable
            | AppError::NoneOfModel(_)
            | AppError::ActiveBookingExists
            | AppError::BookingClosed(_) => 409,
            AppError::TimedOut => 408,
            AppError::RateLimited | AppError::TooManyAttempts { .. } => 429,
            AppError::Internal => 500,
            AppError::Busy { .. } => 503,
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`), for the refusals that
    /// have one. Sent wherever the status is (server fns and plain handlers).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some((*retry_after_secs).max(1)),
            _ => None,
        }
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        AppError::Validation(msg.into())
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::json_text::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Form fields that do not parse (`Args`), and JSON bodies that do not
            // (`Deserialization`, e.g. a device report naming an unknown state).
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::Validation(format!("Invalid input: {msg}"))
            }
            ServerFnErrorErr::Request(msg) => AppError::Request(msg),
            other => AppError::Request(other.to_string()),
        }
    }

    /// An error answer is always our JSON; one that is not came from something in between (a
    /// proxy's 502 while an instance restarted): a transport failure, which a keyed request
    /// may safely send again, not the client's fault.
    fn de(data: Bytes) -> Self {
        Self::Encoder::decode(data).unwrap_or_else(|_| {
            AppError::Request("No answer from the server; please try again.".into())
        })
    }

    /// Every server-fn error, whether from our code or from decoding the arguments, is encoded
    /// here on its way out: the one place its HTTP status is set.
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        server::set_response_status(self);
        Self::Encoder::encode(self)
            .unwrap_or_else(|_| Bytes::from_static(br#"{"error":"internal"}"#))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A wait in words for people: "42 seconds", "15 minutes".
fn wait_words(secs: u64) -> String {
    match secs {
        0..=1 => "a second".to_string(),
        2..=119 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

#[cfg(feature = "ssr")]
pub use server::unique_or;

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    /// A database error is ours, not the client's: logged with where it happened (the `?` or
    /// call that converted it: `#[track_caller]`) and what caused it, and answered `Internal`.
    impl From<sea_orm::DbErr> for AppError {
        #[track_caller]
        fn from(err: sea_orm::DbErr) -> Self {
            let at = std::panic::Location::caller();
            // The root cause, when the error wraps one (a driver's own error, an I/O error).
            let mut cause: &dyn std::error::Error = &err;
            while let Some(next) = cause.source() {
                cause = next;
            }
            let cause = (!std::ptr::addr_eq(cause, &err)).then(|| cause.to_string());
            tracing::error!(error = %err, cause, at = %at, "database error");
            AppError::Internal
        }
    }

    /// `on_unique` when a unique index refused the write (the index decides, never a read
    /// before it); any other database error is ours, logged where the caller is.
    #[track_caller]
    pub fn unique_or(err: sea_orm::DbErr, on_unique: AppError) -> AppError {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => on_unique,
            _ => err.into(),
        }
    }

    impl<E: Into<AppError> + std::error::Error> From<sea_orm::TransactionError<E>> for AppError {
        fn from(err: sea_orm::TransactionError<E>) -> Self {
            match err {
                sea_orm::TransactionError::Connection(db) => db.into(),
                sea_orm::TransactionError::Transaction(e) => e.into(),
            }
        }
    }

    impl axum::response::IntoResponse for AppError {
        fn into_response(self) -> axum::response::Response {
            let status = http::StatusCode::from_u16(self.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            // The same shape as a failed server fn (`{"error": kind, "detail": …}`), plus the
            // error in words for clients that show it as it is.
            let mut body = serde_json::to_value(&self).unwrap_or_default();
            if let Some(obj) = body.as_object_mut() {
                obj.insert("message".into(), self.to_string().into());
            }
            let mut res = (status, axum::Json(body)).into_response();
            if let Some(value) = self.retry_after().map(http::HeaderValue::from) {
                res.headers_mut().insert(http::header::RETRY_AFTER, value);
            }
            res
        }
    }

    /// Sets the status of a failed server-fn call, so API clients see 401/403/409 rather than
    /// a blanket 500, and its `Retry-After` when it has one. A browser's plain form post (no
    /// JavaScript) keeps the framework's redirect back to the form, which then shows the error.
    pub(super) fn set_response_status(err: &AppError) {
        use leptos::prelude::use_context;
        if let (Some(opts), Some(secs)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            err.retry_after(),
        ) {
            opts.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
        let form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if form_post {
            return;
        }
        if let (Some(opts), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(err.status()),
        ) {
            opts.set_status(status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_as_tagged_json() {
        let json = serde_json::to_string(&AppError::NoneAvailable).unwrap();
        assert_eq!(json, r#"{"error":"none_available"}"#);
        let json = serde_json::to_string(&AppError::validation("bad")).unwrap();
        assert_eq!(json, r#"{"error":"validation","detail":"bad"}"#);
    }

    #[test]
    fn statuses_are_http_like() {
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::NoneAvailable.status(), 409);
        assert_eq!(AppError::Internal.status(), 500);
        let throttled = AppError::TooManyAttempts {
            retry_after_secs: 900,
        };
        assert_eq!(
            (throttled.status(), throttled.retry_after()),
            (429, Some(900))
        );
        assert!(throttled.to_string().contains("15 minutes"), "{throttled}");
        let busy = AppError::Busy {
            retry_after_secs: 0,
        };
        assert_eq!((busy.status(), busy.retry_after()), (503, Some(1)));
        assert_eq!(AppError::Forbidden.retry_after(), None);
        let json = serde_json::to_string(&busy).unwrap();
        assert_eq!(json, r#"{"error":"busy","detail":{"retry_after_secs":0}}"#);
    }
}
