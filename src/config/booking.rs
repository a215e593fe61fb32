//! Booking rules: which packs are bookable, how long a booking holds one, stock alerts,
//! history, and how often expired holds are swept.
use clap::Args;

use super::ranges::{at_least, between};

#[derive(Debug, Clone, Args)]
pub struct Booking {
    /// Batteries below this charge (percent) are `charging`, not bookable.
    #[arg(
        long = "min-charge-percent",
        env = "BATTERY_SWAP_MIN_CHARGE",
        value_name = "PERCENT",
        default_value_t = 90,
        value_parser = between::<i16>(0, 100),
        allow_negative_numbers = true
    )]
    pub min_charge_percent: i16,

    /// Minutes a booking holds its battery before it expires.
    #[arg(
        long = "hold-minutes",
        env = "BATTERY_SWAP_HOLD_MINUTES",
        value_name = "MINUTES",
        default_value_t = 30,
        value_parser = between::<u32>(1, 10080),
        allow_negative_numbers = true
    )]
    pub hold_minutes: u32,

    /// Minutes before a hold ends that its rider is reminded (at most half the hold; 0: never).
    /// Longer than `--hold-minutes` is refused.
    #[arg(
        long = "hold-reminder-minutes",
        env = "BATTERY_SWAP_HOLD_REMINDER_MINUTES",
        value_name = "MINUTES",
        default_value_t = 5,
        value_parser = between::<u32>(0, 10080),
        allow_negative_numbers = true
    )]
    pub hold_reminder_minutes: u32,

    /// Available packs at or below which a station is low on stock: its assigned staff get a
    /// notification (and their consoles a banner) once when it drops there, and once when it
    /// recovers above. 0: no low-stock alerts.
    #[arg(
        long = "low-stock-threshold",
        env = "BATTERY_SWAP_LOW_STOCK_THRESHOLD",
        value_name = "PACKS",
        default_value_t = 2,
        value_parser = at_least::<u32>(0),
        allow_negative_numbers = true
    )]
    pub low_stock_threshold: u32,

    /// Days of station history kept for the charts (four weeks make the "usually" line, and
    /// the chart looks back up to a week).
    #[arg(
        long = "history-days",
        env = "BATTERY_SWAP_HISTORY_DAYS",
        value_name = "DAYS",
        default_value_t = 35,
        value_parser = between::<u32>(1, 3650),
        allow_negative_numbers = true
    )]
    pub history_days: u32,

    /// How often expired bookings are swept (and hold reminders sent), in seconds.
    #[arg(
        long = "sweep-seconds",
        env = "BATTERY_SWAP_SWEEP_SECONDS",
        value_name = "SECONDS",
        default_value_t = 15,
        value_parser = between::<u64>(1, 86400),
        allow_negative_numbers = true
    )]
    pub sweep_seconds: u64,
}
