//! HTTP: where the server listens, the address users reach it at, who is believed about the
//! client's address, and how long a request may take.
use clap::Args;
use std::net::SocketAddr;
use std::time::Duration;

use super::ranges::at_least;

#[derive(Debug, Clone, Args)]
pub struct Http {
    /// Address to listen on.
    #[arg(
        long = "addr",
        env = "BATTERY_SWAP_ADDR",
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8000"
    )]
    pub addr: SocketAddr,

    /// The URL users reach the app at; `https://...` marks cookies `Secure`.
    #[arg(
        long = "public-url",
        env = "BATTERY_SWAP_PUBLIC_URL",
        value_name = "URL",
        value_parser = public_origin
    )]
    pub public_url: Option<String>,

    /// Browser origins allowed to open WebSockets (comma-separated). Default: the public URL,
    /// or `http://<addr>` and `http://localhost:<port>`.
    #[arg(
        long = "allowed-origins",
        env = "BATTERY_SWAP_ALLOWED_ORIGINS",
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Reverse proxies (CIDRs or addresses, comma-separated) whose `Forwarded` /
    /// `X-Forwarded-For` is believed; the client is the rightmost address they did not add.
    /// Without it the TCP peer is the client.
    #[arg(
        long = "trusted-proxies",
        env = "BATTERY_SWAP_TRUSTED_PROXIES",
        value_name = "PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// How long a client may take to send a request's headers, in milliseconds (also how long
    /// an idle keep-alive connection stays open); then the connection is closed.
    #[arg(
        long = "http-header-timeout-ms",
        env = "BATTERY_SWAP_HTTP_HEADER_TIMEOUT_MS",
        value_name = "MS",
        default_value_t = 10_000,
        value_parser = at_least::<u64>(1),
        allow_negative_numbers = true
    )]
    pub header_timeout_ms: u64,

    /// How long a request may take from its headers to its response (reading the body
    /// included), in milliseconds; then it gets HTTP 408.
    #[arg(
        long = "http-request-timeout-ms",
        env = "BATTERY_SWAP_HTTP_REQUEST_TIMEOUT_MS",
        value_name = "MS",
        default_value_t = 30_000,
        value_parser = at_least::<u64>(1),
        allow_negative_numbers = true
    )]
    pub request_timeout_ms: u64,
}

impl Http {
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The browser origins allowed to open WebSockets, given the address actually bound.
    pub fn origins(&self, bound: SocketAddr) -> Vec<String> {
        if !self.allowed_origins.is_empty() {
            return self
                .allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_string())
                .collect();
        }
        if let Some(url) = &self.public_url {
            return vec![url.trim_end_matches('/').to_string()];
        }
        vec![
            format!("http://{bound}"),
            format!("http://localhost:{}", bound.port()),
        ]
    }

    pub fn trusted_proxies(&self) -> Result<app::client_addr::TrustedProxies, String> {
        app::client_addr::TrustedProxies::parse(&self.trusted_proxies)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

/// The public URL is an origin (`https://host[:port]`): browsers send exactly that as `Origin`,
/// and the session cookie is scoped to it, so a path or query would silently never match.
fn public_origin(url: &str) -> Result<String, String> {
    let bad = |why: &str| {
        Err(format!(
            "{why}: give the origin users reach, like https://swap.example or http://host:8000"
        ))
    };
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return bad("must start with http:// or https://");
    };
    let host = rest.strip_suffix('/').unwrap_or(rest);
    if host.is_empty() {
        return bad("has no host");
    }
    if host.contains(['/', '?', '#', '@', ' ']) {
        return bad("has a path, query or user part");
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_origins() {
        for ok in [
            "https://swap.example",
            "https://swap.example/",
            "http://127.0.0.1:8000",
        ] {
            assert_eq!(public_origin(ok).as_deref(), Ok(ok));
        }
        for bad in [
            "https://swap.example/app",
            "swap.example",
            "https://",
            "https://a.example?x=1",
            "ftp://a.example",
        ] {
            let err = public_origin(bad).unwrap_err();
            assert!(err.contains("give the origin"), "{err}");
        }
    }
}
