//! What a socket's life is worth to an operator: the open-sockets gauge, how each socket
//! ended (and the refusals among those ends), and the close line in its span's log.
use tokio::time::Instant;

use super::close::{self, End};
use crate::hub::Topic;
use crate::metrics::names as metrics_names;

/// Counts a socket in `battery_swap_ws_sockets_open` for as long as it lives.
pub(super) struct OpenSocket(&'static str);

impl OpenSocket {
    pub(super) fn new(topic: Topic) -> Self {
        metrics::gauge!(metrics_names::SOCKETS_OPEN, "feed" => topic.feed()).increment(1.0);
        Self(topic.feed())
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        metrics::gauge!(metrics_names::SOCKETS_OPEN, "feed" => self.0).decrement(1.0);
    }
}

/// Counts and logs how a socket ended. Closes we chose for the client's conduct (rate, size,
/// protocol) are refusals too; the ones an operator may be asked about are logged at info.
pub(super) fn ended(topic: Topic, end: &End, started: Instant) {
    let (reason, refusal) = match end {
        End::Answer => ("client", None),
        End::Gone => ("gone", None),
        End::Close(code, _) => close_names(*code),
    };
    let feed = topic.feed();
    metrics::counter!(metrics_names::SOCKET_CLOSES, "feed" => feed, "reason" => reason)
        .increment(1);
    if let Some(refusal) = refusal {
        metrics::counter!(metrics_names::REFUSALS, "reason" => refusal, "route" => topic.route())
            .increment(1);
    }
    let secs = started.elapsed().as_secs();
    match end {
        End::Close(code, why) if *code != close::GOING_AWAY => {
            tracing::info!(code, reason = why, secs, "socket closed by the server")
        }
        _ => tracing::debug!(reason, secs, "socket closed"),
    }
}

/// A close code's label, and the refusal it stands for, if any.
fn close_names(code: u16) -> (&'static str, Option<&'static str>) {
    match code {
        close::GOING_AWAY => ("going_away", None),
        close::PROTOCOL_ERROR => ("protocol_error", Some("protocol")),
        close::INVALID_DATA => ("invalid_data", Some("protocol")),
        close::POLICY => ("rate_limit", Some("rate")),
        close::TOO_BIG => ("too_big", Some("size")),
        close::HEARTBEAT_TIMEOUT => ("heartbeat_timeout", None),
        close::TRY_AGAIN => ("slow_consumer", None),
        close::REVOKED => ("revoked", None),
        close::PRIVILEGES_CHANGED => ("privileges_changed", None),
        _ => ("other", None),
    }
}
