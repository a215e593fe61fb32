//! Response headers that make the browser refuse what we never do: sniffing a type we did not
//! declare, framing our pages (clickjacking), leaking full URLs to other sites, caching
//! personal pages.
//!
//! Server-rendered pages set their own Content-Security-Policy with the response's script
//! nonce (`app::layout`); this layer's policy is the floor for any other HTML (no framing, no
//! foreign `<base>`, no plugins), and never replaces a page's own.
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderName, HeaderValue};

const CSP: &str = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/// Router layer: adds the headers to every response (a handler's own value wins).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let mut set = |name: HeaderName, value: &'static str| {
        res.headers_mut()
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    if page {
        set(header::CONTENT_SECURITY_POLICY, CSP);
        // The same for browsers that predate `frame-ancestors`.
        set(header::X_FRAME_OPTIONS, "DENY");
    }
    // Every page can show who is signed in, and several show emails and collection codes; API
    // answers carry the same. Nothing personal may sit in a shared or back-button cache.
    // Static files (`/pkg/…`, icons) stay cacheable.
    if page || api {
        set(header::CACHE_CONTROL, "no-store");
    }
    res
}
