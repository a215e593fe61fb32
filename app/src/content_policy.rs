//! The Content-Security-Policy of server-rendered pages (server only).
//!
//! Only our own scripts run: the files under `/pkg` and the inline scripts Leptos writes for
//! hydration and streamed resources, which carry the response's nonce. `wasm-unsafe-eval` lets
//! the browser compile our wasm and nothing else. Connections go to our own origins only, with
//! their WebSocket forms spelled out: a page at `http://127.0.0.1:8000` must still reach
//! `ws://localhost:8000` (the spec's console snippet does exactly that). Images come from here
//! and from the street map's tile server (`--map-tiles`), whose host is admitted by name.
use std::sync::Arc;

use crate::station::map::{MapTiles, tile_origin};

#[derive(Debug, Clone)]
pub struct ContentPolicy {
    connect_src: Arc<str>,
    img_src: Arc<str>,
}

impl ContentPolicy {
    /// For a site reached at `origins` (`http://…` / `https://…`, as `--allowed-origins`)
    /// whose map draws `tiles`.
    pub fn for_site(origins: &[String], tiles: &MapTiles) -> Self {
        let mut sources = vec!["'self'".to_string()];
        for origin in origins {
            sources.push(origin.clone());
            if let Some(host) = origin.strip_prefix("https://") {
                sources.push(format!("wss://{host}"));
            } else if let Some(host) = origin.strip_prefix("http://") {
                sources.push(format!("ws://{host}"));
            }
        }
        let mut images = "'self' data:".to_string();
        if let Some(host) = tile_origin(&tiles.url) {
            images = format!("{images} {host}");
        }
        Self {
            connect_src: sources.join(" ").into(),
            img_src: images.into(),
        }
    }

    /// The header value for a response whose inline scripts carry `nonce`.
    pub fn header(&self, nonce: &str) -> String {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src {}; connect-src {}; \
             frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'",
            self.img_src, self.connect_src
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
        let header = ContentPolicy::for_site(&origins, &MapTiles::default()).header("abc");
        assert!(header.contains(
            "connect-src 'self' http://127.0.0.1:8000 ws://127.0.0.1:8000 https://swap.example wss://swap.example;"
        ));
        assert!(header.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!header.contains("unsafe-inline"));
        assert!(header.contains("img-src 'self' data:;"));
    }

    #[test]
    fn images_may_come_from_the_map_tiles_host() {
        let tiles = MapTiles {
            url: "https://{s}.tiles.example/{z}/{x}/{y}.png".into(),
            attribution: String::new(),
        };
        let header = ContentPolicy::for_site(&[], &tiles).header("abc");
        assert!(header.contains("img-src 'self' data: https://*.tiles.example;"));
    }
}
