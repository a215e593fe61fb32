//! Settings refused at start, with a message naming the flag: what would otherwise only fail
//! later, or silently never match.
use std::net::SocketAddr;

use super::Config;

impl Config {
    /// Refuses settings that would only fail later, with a message naming the flag.
    pub fn validate(&self) -> Result<(), String> {
        if self.db_connections == Some(0) {
            return Err("--db-connections must be at least 1".into());
        }
        if self.ws_heartbeat_ms == 0 {
            return Err("--ws-heartbeat-ms must be above 0 (the server pings every socket that often; 0 would ping without pause)".into());
        }
        if self.ws_heartbeat_timeout_ms == 0 {
            return Err("--ws-heartbeat-timeout-ms must be above 0".into());
        }
        for (flag, ms) in [
            ("--http-header-timeout-ms", self.http_header_timeout_ms),
            ("--http-request-timeout-ms", self.http_request_timeout_ms),
        ] {
            if ms == 0 {
                return Err(format!(
                    "{flag} must be above 0 (0 would time out every request)"
                ));
            }
        }
        if !(0.0..=100.0).contains(&self.demo_charger_rate) {
            return Err("--demo-charger-rate is percent per minute, from 0 to 100".into());
        }
        if self.device_reports_per_minute == 0 {
            return Err("--device-reports-per-minute must be at least 1".into());
        }
        if let Some(url) = &self.public_url {
            public_origin(url)?;
        }
        if self.metrics_addr.is_some_and(|m| same_socket(m, self.addr)) {
            return Err(
                "--metrics-addr must differ from --addr: metrics are not for the public".into(),
            );
        }
        self.trusted_proxies().map(|_| ())
    }
}

/// Whether two listen addresses would be the same socket (a wildcard address covers them all).
fn same_socket(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

/// The public URL is an origin (`https://host[:port]`): browsers send exactly that as `Origin`,
/// and the session cookie is scoped to it, so a path or query would silently never match.
fn public_origin(url: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "--public-url {url:?} {why}: give the origin users reach, like https://swap.example or http://host:8000"
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn public_urls_are_origins() {
        for ok in [
            "https://swap.example",
            "https://swap.example/",
            "http://127.0.0.1:8000",
        ] {
            assert!(public_origin(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://swap.example/app",
            "swap.example",
            "https://",
            "https://a.example?x=1",
            "ftp://a.example",
        ] {
            let err = public_origin(bad).unwrap_err();
            assert!(err.contains("--public-url"), "{err}");
        }
    }

    #[test]
    fn metrics_never_share_the_public_port() {
        let mut config = Config::parse_from(["battery-swap", "--addr", "0.0.0.0:8000"]);
        assert_eq!(config.metrics_addr, None, "off by default");
        config.metrics_addr = Some("127.0.0.1:8000".parse().unwrap());
        assert!(config.validate().unwrap_err().contains("--metrics-addr"));
        config.metrics_addr = Some("127.0.0.1:9100".parse().unwrap());
        assert!(config.validate().is_ok());
        config.addr = "10.0.0.1:8000".parse().unwrap();
        config.metrics_addr = Some("127.0.0.1:8000".parse().unwrap());
        assert!(config.validate().is_ok(), "another interface");
    }

    #[test]
    fn a_zero_heartbeat_is_refused() {
        let mut config = Config::for_database("sqlite::memory:");
        assert!(config.validate().is_ok());
        config.ws_heartbeat_ms = 0;
        assert!(config.validate().unwrap_err().contains("--ws-heartbeat-ms"));
    }
}
