//! Server-fn form bodies must be UTF-8 once percent-decoded.
//!
//! The form decoder replaces bytes that are not UTF-8 with U+FFFD, so `name=%FF` would store
//! "�" where the client sent something else: input silently lost. Such a body is refused here,
//! at the door, with a 400 and a plain message, before any server fn sees it.
use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn require_utf8_forms(req: Request, next: Next) -> Response {
    let is_form = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_REQUEST_BYTES).await else {
        return (
            http::StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large",
        )
            .into_response();
    };
    if !form_is_utf8(&bytes) {
        return AppError::validation("The form is not valid UTF-8 text.").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether every key and value of an `application/x-www-form-urlencoded` body decodes to UTF-8.
fn form_is_utf8(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .flat_map(|pair| pair.split(|b| *b == b'='))
        .all(|part| std::str::from_utf8(&percent_decode(part)).is_ok())
}

/// `+` is a space and `%XY` a byte; a `%` not followed by two hex digits stays as it is (as
/// the form decoder does).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_forms_pass_and_others_do_not() {
        assert!(form_is_utf8(b"name=Caf%C3%A9+Nord&lat=1.5"));
        assert!(form_is_utf8(b"note=100%25&odd=%ZZ&end=%"));
        assert!(form_is_utf8(b""));
        assert!(!form_is_utf8(b"name=%FF%FE"));
        assert!(!form_is_utf8(b"name=ok&other=%C3"));
        assert!(!form_is_utf8(b"%FF=value"));
        assert!(!form_is_utf8(&[b'n', b'=', 0xFF]));
    }

    #[test]
    fn percent_decoding_matches_the_form_rules() {
        assert_eq!(percent_decode(b"a+b%20c"), b"a b c");
        assert_eq!(percent_decode(b"%4"), b"%4");
        assert_eq!(percent_decode(b"%"), b"%");
        assert_eq!(percent_decode(b"%41%42"), b"AB");
    }
}
