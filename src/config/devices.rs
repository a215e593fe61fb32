//! Station devices: how often each may report its packs.
use clap::Args;

use super::ranges::at_least;

#[derive(Debug, Clone, Args)]
pub struct Devices {
    /// Reports per minute one station device may send to `/api/report_batteries` (with a
    /// burst of as many); more get HTTP 429 with `Retry-After`.
    #[arg(
        long = "device-reports-per-minute",
        env = "BATTERY_SWAP_DEVICE_REPORTS_PER_MINUTE",
        value_name = "N",
        default_value_t = 60,
        value_parser = at_least::<u32>(1),
        allow_negative_numbers = true
    )]
    pub reports_per_minute: u32,
}
