//! Log output: text for people, or JSON (one object per line) for a log search.
//!
//! Every line written while a request or a socket is being served carries the fields of its
//! span (`src/request.rs`): the request id, the route, and the user and station where known.
//! In JSON they are under `spans` (outermost first), so one query on a request id finds the
//! request's access line, its warnings and, for a WebSocket, the socket's close.
use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the process's subscriber: `RUST_LOG` filters (default `info`), stdout.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            // The message and the event's own fields at the top level; the spans in a list.
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
}
