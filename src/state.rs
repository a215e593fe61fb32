//! The one state handed to `leptos_routes` and every handler.
use app::context::Ctx;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::hub::Hub;
use crate::ws::connection::Limits;
use crate::ws::guard::ConnectLimiter;
use crate::ws::slots::SocketSlots;

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
    /// Open WebSocket sockets, per client and in all (`--ws-max-sockets*`).
    pub sockets: Arc<SocketSlots>,
    /// Cancelled on shutdown: every socket closes with 1001.
    pub shutdown: CancellationToken,
    /// Every HTTP connection and WebSocket of this server: shutdown waits for them (up to
    /// `--shutdown-grace-ms`).
    pub tasks: TaskTracker,
    /// Longest time from a request's headers to its response (`--http-request-timeout-ms`).
    pub request_timeout: std::time::Duration,
    /// The street map's tiles (`--map-tiles`): drawn by the directory, admitted by its policy.
    pub map_tiles: app::station::map::MapTiles,
    /// The push services devices may name (`--push-services`).
    pub push_services: app::push::PushServices,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
