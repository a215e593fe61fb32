//! A station's counts and status as its pages show them: live from the feed once it has them,
//! else as the server rendered them. Used by the list and detail pages and by the plan.
use leptos::prelude::*;

use super::StationSummary;
use crate::feed::{LiveStation, StationFeed};

/// The counts and status to show: live when the feed has them, else as rendered.
pub(super) fn live_or(feed: &StationFeed, s: &StationSummary) -> LiveStation {
    feed.stations
        .with(|m| m.get(&s.id).cloned())
        .unwrap_or(LiveStation {
            available: s.counts.available,
            booked: s.counts.booked,
            total: s.counts.total,
            status: s.status,
            status_message: (!s.status_message.is_empty()).then(|| s.status_message.clone()),
            by_model: s.available_by_model.clone(),
            low_stock: None,
        })
}
