//! The spec's three WebSocket endpoints, with and without their trailing slash:
//! `/ws/stations/`, `/ws/stations/{station_id}/`, `/ws/notifications/`.
//!
//! Everything that can refuse a connection is checked before the upgrade, as plain HTTP:
//! rate (429), origin (403), unknown station (404), missing credentials (401).
use app::account::ssr::authenticate;
use app::feed::ssr::Credential;
use app::feed::{FeedMessage, StationSnapshot};
use app::{error::AppError, notification, station};
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderMap;
use serde::Deserialize;
use std::net::SocketAddr;

pub mod connection;
pub mod guard;

use crate::hub::{Topic, Viewer};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ws/stations/", get(all_stations))
        .route("/ws/stations", get(all_stations))
        .route("/ws/stations/{station_id}/", get(one_station))
        .route("/ws/stations/{station_id}", get(one_station))
        .route("/ws/notifications/", get(notifications))
        .route("/ws/notifications", get(notifications))
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// Refusals before the upgrade, as JSON HTTP errors.
fn preflight(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> Result<(), Response> {
    if !state.connect_limiter.allow(peer.ip()) {
        return Err(AppError::RateLimited.into_response());
    }
    if !guard::origin_allowed(headers, &state.ws.allowed_origins) {
        return Err(AppError::Forbidden.into_response());
    }
    Ok(())
}

/// The viewer behind an optional cookie or token: station feeds are public, but staff and
/// admins see riders' emails unmasked.
async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Result<(Viewer, Option<Credential>), AppError> {
    Ok(match authenticate(&state.ctx.db, headers, token).await? {
        Some((user, credential)) => (
            Viewer {
                admin: user.is_admin(),
                stations: user.stations,
            },
            Some(credential),
        ),
        None => (Viewer::default(), None),
    })
}

fn upgrade(
    ws: WebSocketUpgrade,
    state: &AppState,
    hello: FeedMessage,
    sub: crate::hub::Subscription,
) -> Response {
    let limits = state.ws.limits.clone();
    let shutdown = state.shutdown.clone();
    ws.max_message_size(state.ws.max_message_bytes)
        .max_frame_size(state.ws.max_message_bytes)
        .on_upgrade(move |socket| connection::run(socket, hello, sub, limits, shutdown))
}

async fn all_stations(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = preflight(&state, &headers, peer) {
        return refusal;
    }
    let result = async {
        let (viewer, credential) = viewer(&state, &headers, q.token.as_deref()).await?;
        // Subscribe before reading the snapshot: an event committed in between is then
        // delivered after it rather than lost (events carry absolute counts).
        let sub = state.hub.subscribe(Topic::AllStations, viewer, credential);
        let stations = station::ssr::list(&state.ctx.db).await?;
        let hello = FeedMessage::ConnectionEstablished {
            message: "Connected to all_stations".into(),
            station_id: None,
            stations: Some(
                stations
                    .into_iter()
                    .map(|s| StationSnapshot::new(s.id, s.name, s.status, s.counts))
                    .collect(),
            ),
            unread_count: None,
        };
        Ok::<_, AppError>((hello, sub))
    }
    .await;
    match result {
        Ok((hello, sub)) => upgrade(ws, &state, hello, sub),
        Err(e) => e.into_response(),
    }
}

async fn one_station(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(raw_id): Path<String>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = preflight(&state, &headers, peer) {
        return refusal;
    }
    let Ok(station_id) = raw_id.parse::<i32>() else {
        return AppError::not_found(format!("Station {raw_id:?}")).into_response();
    };
    let result = async {
        let (viewer, credential) = viewer(&state, &headers, q.token.as_deref()).await?;
        let sub = state
            .hub
            .subscribe(Topic::Station(station_id), viewer, credential);
        let s = station::ssr::summary_of(&state.ctx.db, station_id).await?;
        let hello = FeedMessage::ConnectionEstablished {
            message: format!("Connected to station_{station_id}"),
            station_id: Some(station_id),
            stations: Some(vec![StationSnapshot::new(s.id, s.name, s.status, s.counts)]),
            unread_count: None,
        };
        Ok::<_, AppError>((hello, sub))
    }
    .await;
    match result {
        Ok((hello, sub)) => upgrade(ws, &state, hello, sub),
        Err(e) => e.into_response(),
    }
}

async fn notifications(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = preflight(&state, &headers, peer) {
        return refusal;
    }
    let result = async {
        let (user, credential) = authenticate(&state.ctx.db, &headers, q.token.as_deref())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let viewer = Viewer {
            admin: user.is_admin(),
            stations: user.stations.clone(),
        };
        let sub = state
            .hub
            .subscribe(Topic::User(user.id), viewer, Some(credential));
        let unread = notification::ssr::unread_count(&state.ctx.db, user.id).await?;
        let hello = FeedMessage::ConnectionEstablished {
            message: format!("Connected to user_{}", user.id),
            station_id: None,
            stations: None,
            unread_count: Some(unread),
        };
        Ok::<_, AppError>((hello, sub))
    }
    .await;
    match result {
        Ok((hello, sub)) => upgrade(ws, &state, hello, sub),
        Err(e) => e.into_response(),
    }
}
