//! The outermost layer of every request: its id, its log span, its access line and its
//! metrics.
//!
//! - **Request id.** A sane `x-request-id` from the client (or the proxy in front) is kept, so
//!   one id follows a request through every hop; anything else (missing, longer than
//!   [`MAX_ID_LEN`], characters outside `A-Z a-z 0-9 - _ . :`) is replaced by a fresh random
//!   one, so a client can neither flood the logs nor forge their structure. The id is sent
//!   back in the response's `x-request-id`.
//! - **Span.** Every line logged while the request is served carries `request_id`, `method`,
//!   `route` (the matched template, `/stations/{id}`), and `user_id` / `station_id` once the
//!   code learns them (`app::observe`). Never the query string: `?token=` lives there. The
//!   span is at ERROR level so it stays attached with `RUST_LOG=warn`.
//! - **Access line** (target `battery_swap::access`): status and latency, one per request
//!   (health checks and served files only at debug).
//! - **Metrics**: requests by method, route and status, latency by method and route, and
//!   refusals by reason.
//!
//! tower-http's `SetRequestId` keeps whatever id a client sends, unchecked, and its trace
//! layer would be a second place for the same span; one small layer does both.
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode};
use metrics::{counter, histogram};
use std::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::metrics::{HTTP_REQUESTS, HTTP_SECONDS, REFUSALS};

pub const REQUEST_ID: &str = "x-request-id";

/// Longest request id kept from a client.
pub const MAX_ID_LEN: usize = 64;

/// The route label of a request no route matched (static files, not-found pages).
const UNMATCHED: &str = "unmatched";

/// Set on a response by the code that refused it, when its status alone does not say why
/// (a 403 for a foreign `Origin` reads like any other 403).
#[derive(Debug, Clone, Copy)]
pub struct Refusal(pub &'static str);

/// The request's id, in the request's extensions for handlers that start work of their own.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

pub async fn observe(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(req.headers().get(REQUEST_ID));
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_string();
    let method = method_label(req.method());
    let span = tracing::error_span!(
        "request",
        request_id = id.to_str().unwrap_or_default(),
        method,
        route = route.as_str(),
        user_id = Empty,
        station_id = Empty,
    );
    req.headers_mut().insert(REQUEST_ID, id.clone());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).instrument(span.clone()).await;
    let took = started.elapsed();
    let status = res.status();
    span.in_scope(|| access_line(&route, status, took));
    let status_label = status.as_u16().to_string();
    counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status_label)
        .increment(1);
    if let Some(reason) = refusal(&res, &route) {
        counter!(REFUSALS, "reason" => reason, "route" => route.clone()).increment(1);
    }
    histogram!(HTTP_SECONDS, "method" => method, "route" => route).record(took.as_secs_f64());
    res.headers_mut().insert(REQUEST_ID, id);
    res
}

/// The client's id if it is sane, else a new one (128 random bits in hex).
fn request_id(given: Option<&HeaderValue>) -> HeaderValue {
    given
        .filter(|v| sane_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(|| {
            let hex = format!("{:032x}", rand::random::<u128>());
            HeaderValue::from_str(&hex).unwrap_or(HeaderValue::from_static("unknown"))
        })
}

fn sane_id(id: &[u8]) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Methods as labels: the standard ones, anything else counted as `other`.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Why a response refused its request, if it did: as marked by the refusing code, else by
/// status. 400, 404 and 409 are answers about the request's content, not refusals.
fn refusal(res: &Response, route: &str) -> Option<&'static str> {
    if let Some(Refusal(reason)) = res.extensions().get::<Refusal>() {
        return Some(reason);
    }
    Some(match res.status() {
        StatusCode::UNAUTHORIZED => "auth",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "size",
        StatusCode::TOO_MANY_REQUESTS => "rate",
        StatusCode::SERVICE_UNAVAILABLE if route != "/healthz" => "busy",
        _ => return None,
    })
}

/// One line per request; the routine ones (health checks, files, station devices' accepted
/// reports, which arrive every few seconds from every cabinet) only at debug level.
fn access_line(route: &str, status: StatusCode, took: std::time::Duration) {
    let ms = took.as_secs_f64() * 1000.0;
    let status = status.as_u16();
    let routine = status < 400
        && (route == "/healthz" || route == UNMATCHED || route == "/api/report_batteries");
    if status >= 500 {
        tracing::warn!(target: "battery_swap::access", status, ms, "request failed");
    } else if routine {
        tracing::debug!(target: "battery_swap::access", status, ms, "request");
    } else {
        tracing::info!(target: "battery_swap::access", status, ms, "request");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        for ok in ["abc", "0f8e-12.ab:cd_EF", &"a".repeat(MAX_ID_LEN)] {
            let v = HeaderValue::from_str(ok).unwrap();
            assert_eq!(request_id(Some(&v)), v, "{ok}");
        }
        for bad in [
            "".to_string(),
            "a".repeat(MAX_ID_LEN + 1),
            "a b".into(),
            "a\"b".into(),
            "{\"x\":1}".into(),
        ] {
            let v = HeaderValue::from_str(&bad).unwrap();
            let got = request_id(Some(&v));
            assert_ne!(got, v, "{bad:?}");
            assert_eq!(got.len(), 32);
        }
        let obs_text = HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap();
        assert_ne!(request_id(Some(&obs_text)), obs_text);
        assert_ne!(request_id(None), request_id(None));
    }
}
