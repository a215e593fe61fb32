//! The one state handed to `leptos_routes` and every handler.
use app::context::Ctx;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;
use crate::ws::connection::Limits;
use crate::ws::guard::ConnectLimiter;

/// WebSocket settings derived from the config once.
#[derive(Debug, Clone)]
pub struct WsSettings {
    pub allowed_origins: Vec<String>,
    pub max_message_bytes: usize,
    pub limits: Limits,
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub ctx: Ctx,
    pub hub: Arc<Hub>,
    pub ws: Arc<WsSettings>,
    pub connect_limiter: Arc<ConnectLimiter>,
    /// Cancelled on shutdown: every socket closes with 1001.
    pub shutdown: CancellationToken,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
