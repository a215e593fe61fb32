//! When to come: a station's available packs over time, as the station page charts them.
use serde::{Deserialize, Serialize};

/// The longest window `/api/station_history` serves.
pub const MAX_HOURS: u32 = 7 * 24;

/// A station's available packs over the last `hours`, with what is usual at those times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityHistory {
    pub station_id: i32,
    pub hours: u32,
    /// The window's end (RFC 3339): when the server answered.
    pub until: String,
    /// `(seconds before until, available)` after each change, oldest first; the first point
    /// is the count at the window's start.
    pub points: Vec<(u32, u32)>,
    /// The most packs the station held in the window: the chart's scale.
    pub scale: u32,
    /// For each hour of the window (oldest first, `hours` entries): the available count at
    /// that time of the week, averaged over the past weeks recorded; `None` without history.
    pub usually: Vec<Option<u32>>,
    /// When each hour of the window starts (RFC 3339, `hours` entries): written by the server
    /// so that the browser needs no date arithmetic or formatting code.
    pub hour_starts: Vec<String>,
}

impl AvailabilityHistory {
    /// The lowest and highest count in the window, or `None` without points.
    pub fn range(&self) -> Option<(u32, u32)> {
        let values = self.points.iter().map(|p| p.1);
        Some((values.clone().min()?, values.max()?))
    }

    /// The hour of the window (its index) where the usual count is lowest, and that count;
    /// the latest such hour on a tie.
    pub fn usually_lowest(&self) -> Option<(usize, u32)> {
        self.usually
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.map(|n| (i, n)))
            .min_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
    }
}
