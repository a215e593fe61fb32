//! The server's configuration: CLI flags with environment fallbacks, parsed once at start.
//!
//! The flags come in groups, one struct each (`--help` shows them under their headings). Each
//! default is written once, on its flag; the domain's rules are built from the parsed flags
//! ([`Config::rules`]). A value out of range is refused by the parser (`ranges`), and
//! settings that only conflict with each other by [`Config::validate`]: either way in one line
//! naming the flag. Every flag has a row in `docs/operations.md` (a test checks).
use app::context::Rules;
use clap::error::{ContextKind, ContextValue};
use clap::{CommandFactory, Parser};
use std::net::SocketAddr;

mod accounts;
mod booking;
mod demo;
mod devices;
mod http;
mod map;
mod operations;
mod push;
mod ranges;
mod sockets;
#[cfg(test)]
mod tests;
mod validate;

pub use accounts::Accounts;
pub use booking::Booking;
pub use demo::Demo;
pub use devices::Devices;
pub use http::Http;
pub use map::Map;
pub use operations::Operations;
pub use push::Push;
pub use sockets::Sockets;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "battery-swap",
    version,
    about = "Live battery-swap network server"
)]
pub struct Config {
    #[command(flatten, next_help_heading = "HTTP")]
    pub http: Http,

    #[command(flatten, next_help_heading = "WebSockets")]
    pub sockets: Sockets,

    #[command(flatten, next_help_heading = "Booking rules")]
    pub booking: Booking,

    #[command(flatten, next_help_heading = "Accounts")]
    pub accounts: Accounts,

    #[command(flatten, next_help_heading = "Devices")]
    pub devices: Devices,

    #[command(flatten, next_help_heading = "Map")]
    pub map: Map,

    #[command(flatten, next_help_heading = "Push notifications")]
    pub push: Push,

    #[command(flatten, next_help_heading = "Demo")]
    pub demo: Demo,

    #[command(flatten, next_help_heading = "Operations")]
    pub operations: Operations,

    /// What to do instead of serving, if anything.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Tasks beside serving, run with the same flags (the database's, chiefly) and then exit.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Copy the live SQLite database to FILE while the server serves (`VACUUM INTO`); FILE
    /// must not exist. PostgreSQL: use pg_dump (docs/deploy.md).
    Backup {
        /// Where the copy goes: a new file.
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
    },
}

impl Config {
    /// The process's flags and environment, or the one line saying what to change. `--help`
    /// and `--version` print and exit here.
    pub fn from_command_line() -> Result<Self, String> {
        Self::try_parse().map_err(|e| {
            if e.use_stderr() {
                one_line(&e)
            } else {
                e.exit()
            }
        })
    }

    /// Configuration for tests and tools: defaults, this database, an ephemeral port.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        let mut config = Config::parse_from(["battery-swap"]);
        config.operations.database_url = database_url.into();
        config.http.addr = SocketAddr::from(([127, 0, 0, 1], 0));
        config
    }

    /// The domain's rules: the booking rules and the accounts'.
    pub fn rules(&self) -> Rules {
        let booking = &self.booking;
        Rules {
            min_charge_percent: booking.min_charge_percent,
            hold: chrono::Duration::minutes(i64::from(booking.hold_minutes)),
            hold_reminder: chrono::Duration::minutes(i64::from(booking.hold_reminder_minutes)),
            low_stock_threshold: booking.low_stock_threshold,
            history_keep: chrono::Duration::days(i64::from(booking.history_days)),
            session_ttl: self.accounts.session_ttl(),
            accounts: self.accounts.rules(),
        }
    }
}

/// A parse error as one line: clap's message, which names the flag (and, for a refused value,
/// its environment variable: the value may have come from there), then clap's tips, without
/// the usage and the pointer to `--help`.
fn one_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut parts = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"));
    let mut line = parts
        .next()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_string())
        .unwrap_or_else(|| e.kind().to_string());
    if let Some((arg, env)) = refused_value_of(e) {
        line = line.replacen(&format!("'{arg}'"), &format!("'{arg}' (or {env})"), 1);
    }
    for tip in parts {
        line.push_str("; ");
        line.push_str(tip);
    }
    line
}

/// For a refused value: the flag as clap names it (`--hold-minutes <MINUTES>`), and its
/// environment variable.
fn refused_value_of(e: &clap::Error) -> Option<(String, String)> {
    use clap::error::ErrorKind;
    if !matches!(
        e.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let long = arg.split_whitespace().next()?.strip_prefix("--")?;
    let env = Config::command()
        .get_arguments()
        .find(|a| a.get_long() == Some(long))?
        .get_env()?
        .to_string_lossy()
        .into_owned();
    Some((arg.clone(), env))
}
