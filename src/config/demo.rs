//! The demo: sample stations, batteries and accounts, and simulated chargers.
use clap::Args;

use super::ranges::percent_per_minute;

#[derive(Debug, Clone, Args)]
pub struct Demo {
    /// Load demo stations, batteries and accounts into an empty database.
    #[arg(long = "demo", env = "BATTERY_SWAP_DEMO")]
    pub enabled: bool,

    /// With `--demo`: how fast each demo station's simulated charger charges its packs, in
    /// percent per minute (0: no chargers). They report through `/api/report_batteries`.
    #[arg(
        long = "demo-charger-rate",
        env = "BATTERY_SWAP_DEMO_CHARGER_RATE",
        value_name = "PERCENT",
        default_value_t = 6.0,
        value_parser = percent_per_minute,
        allow_negative_numbers = true
    )]
    pub charger_rate: f64,
}
