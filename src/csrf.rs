//! Cross-site request forgery guard for the server fns (`/api/*`).
//!
//! `SameSite=Lax` keeps the session cookie off another site's form posts, but not off a login:
//! a hostile page could post its own credentials to `/api/login` and sign the victim in as the
//! attacker (or post `/api/logout`). Every server fn is a `POST`, so the rule is simple: a
//! non-`GET` request to `/api/*` that a browser marks as coming from another origin gets 403.
//! Browsers always send `Origin` on such posts; it must be one of ours, the same allowlist as
//! the WebSockets'. Without `Origin` a request is not from a browser page (curl, scripts), and
//! `Sec-Fetch-Site: cross-site` alone (an old or odd browser) is refused too.
use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method};
use std::sync::Arc;

use crate::state::WsSettings;
use crate::ws::guard::origin_allowed;

/// The middleware: passes same-origin and non-browser requests, refuses cross-site ones.
pub async fn refuse_cross_site(
    State(ws): State<Arc<WsSettings>>,
    req: Request,
    next: Next,
) -> Response {
    let guarded = req.uri().path().starts_with("/api/")
        && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if guarded && !same_site(req.headers(), &ws.allowed_origins) {
        tracing::warn!(
            path = req.uri().path(),
            origin = ?req.headers().get(http::header::ORIGIN),
            "cross-site request refused"
        );
        let mut refused = AppError::Forbidden.into_response();
        refused
            .extensions_mut()
            .insert(crate::request::Refusal("origin"));
        return refused;
    }
    next.run(req).await
}

/// Whether a request may act on the caller's session: its `Origin` is allowed, or it has none
/// and the browser (if any) does not call it cross-site.
fn same_site(headers: &HeaderMap, allowed: &[String]) -> bool {
    if headers.contains_key(http::header::ORIGIN) {
        return origin_allowed(headers, allowed);
    }
    headers
        .get("sec-fetch-site")
        .is_none_or(|v| !v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_our_origins_and_non_browsers_pass() {
        let ours = vec!["https://swap.example".to_string()];
        assert!(same_site(&headers(&[]), &ours), "curl, scripts");
        assert!(same_site(
            &headers(&[("origin", "https://swap.example")]),
            &ours
        ));
        assert!(!same_site(
            &headers(&[("origin", "https://evil.example")]),
            &ours
        ));
        assert!(!same_site(&headers(&[("origin", "null")]), &ours));
        assert!(!same_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            &ours
        ));
        assert!(same_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            &ours
        ));
        // An extra origin the operator allowed is cross-site to the browser, and fine.
        let both = vec!["https://swap.example".into(), "https://app.example".into()];
        let from_app = headers(&[
            ("origin", "https://app.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(same_site(&from_app, &both));
    }
}
