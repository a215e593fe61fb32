//! The Content-Security-Policy of server-rendered pages (server only).
//!
//! Only our own scripts run: the files under `/pkg` and the inline scripts Leptos writes for
//! hydration and streamed resources, which carry the response's nonce. `wasm-unsafe-eval` lets
//! the browser compile our wasm and nothing else. Connections go to our own origins only, with
//! their WebSocket forms spelled out: a page at `http://127.0.0.1:8000` must still reach
//! `ws://localhost:8000` (the spec's console snippet does exactly that).
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ContentPolicy {
    connect_src: Arc<str>,
}

impl ContentPolicy {
    /// For a site reached at `origins` (`http://…` / `https://…`, as `--allowed-origins`).
    pub fn for_origins(origins: &[String]) -> Self {
        let mut sources = vec!["'self'".to_string()];
        for origin in origins {
            sources.push(origin.clone());
            if let Some(host) = origin.strip_prefix("https://") {
                sources.push(format!("wss://{host}"));
            } else if let Some(host) = origin.strip_prefix("http://") {
                sources.push(format!("ws://{host}"));
            }
        }
        Self {
            connect_src: sources.join(" ").into(),
        }
    }

    /// The header value for a response whose inline scripts carry `nonce`.
    pub fn header(&self, nonce: &str) -> String {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src {}; \
             frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'",
            self.connect_src
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_may_reach_every_allowed_origin() {
        let origins = [
            "http://127.0.0.1:8000".to_string(),
            "https://swap.example".to_string(),
        ];
        let header = ContentPolicy::for_origins(&origins).header("abc");
        assert!(header.contains(
            "connect-src 'self' http://127.0.0.1:8000 ws://127.0.0.1:8000 https://swap.example wss://swap.example;"
        ));
        assert!(header.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!header.contains("unsafe-inline"));
    }
}
