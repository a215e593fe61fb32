//! Settings refused at start that no single flag's range can catch: flags that conflict with
//! each other, and lists checked as a whole. One line, naming the flags.
use std::net::SocketAddr;

use super::Config;

impl Config {
    /// Refuses settings that would only fail later, or silently never apply, with a message
    /// naming the flags. (Each flag's own range is checked as it is parsed.)
    pub fn validate(&self) -> Result<(), String> {
        let (hold, reminder) = (
            self.booking.hold_minutes,
            self.booking.hold_reminder_minutes,
        );
        if reminder > hold {
            return Err(format!(
                "--hold-reminder-minutes ({reminder}) is longer than the hold, --hold-minutes ({hold}): give a reminder within the hold (at most half of it is used) or 0 for no reminders"
            ));
        }
        let (addr, metrics_addr) = (self.http.addr, self.operations.metrics_addr);
        if metrics_addr.is_some_and(|m| same_socket(m, addr)) {
            return Err(
                "--metrics-addr must differ from --addr: metrics are not for the public".into(),
            );
        }
        self.http.trusted_proxies().map(|_| ())
    }
}

/// Whether two listen addresses would be the same socket (a wildcard address covers them all).
fn same_socket(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn metrics_never_share_the_public_port() {
        let mut config = Config::parse_from(["battery-swap", "--addr", "0.0.0.0:8000"]);
        assert_eq!(config.operations.metrics_addr, None, "off by default");
        config.operations.metrics_addr = Some("127.0.0.1:8000".parse().unwrap());
        assert!(config.validate().unwrap_err().contains("--metrics-addr"));
        config.operations.metrics_addr = Some("127.0.0.1:9100".parse().unwrap());
        assert!(config.validate().is_ok());
        config.http.addr = "10.0.0.1:8000".parse().unwrap();
        config.operations.metrics_addr = Some("127.0.0.1:8000".parse().unwrap());
        assert!(config.validate().is_ok(), "another interface");
    }

    #[test]
    fn a_reminder_longer_than_the_hold_is_refused() {
        let parse =
            |args: &[&str]| Config::parse_from(["battery-swap"].iter().chain(args)).validate();
        assert!(parse(&[]).is_ok(), "the defaults agree");
        let err = parse(&["--hold-minutes", "3"]).unwrap_err();
        assert!(err.contains("--hold-reminder-minutes (5)"), "{err}");
        assert!(err.contains("--hold-minutes (3)"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        let err = parse(&["--hold-minutes", "10", "--hold-reminder-minutes", "11"]).unwrap_err();
        assert!(err.contains("--hold-reminder-minutes"), "{err}");
        assert!(parse(&["--hold-minutes", "10", "--hold-reminder-minutes", "10"]).is_ok());
        assert!(parse(&["--hold-minutes", "3", "--hold-reminder-minutes", "0"]).is_ok());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let parse =
            |list: &str| Config::parse_from(["battery-swap", "--trusted-proxies", list]).validate();
        assert!(parse("10.0.0.0/8,127.0.0.1").is_ok());
        let err = parse("10.0.0.0/8,nonsense").unwrap_err();
        assert!(
            err.contains("--trusted-proxies") && err.contains("nonsense"),
            "{err}"
        );
    }
}
