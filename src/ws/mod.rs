//! The spec's three WebSocket endpoints, with and without their trailing slash:
//! `/ws/stations/`, `/ws/stations/{station_id}/`, `/ws/notifications/`.
//!
//! Everything that can refuse a connection is checked before the upgrade, as plain HTTP:
//! rate (429), origin (403), unknown station (404), missing credentials (401).
use app::account::ssr::authenticate;
use app::feed::ssr::{Credential, SEQ_PER_VERSION};
use app::feed::{FeedMessage, StationSnapshot};
use app::station::StationSummary;
use app::{error::AppError, notification, station};
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderMap;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

pub mod connection;
pub mod guard;

use crate::hub::{Subscription, Topic, Viewer};
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

/// The first message and, per station, the event order its snapshot already reflects.
struct Greeting {
    hello: FeedMessage,
    floor: HashMap<i32, i64>,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// Refusals that need no database: rate, then origin.
fn preflight(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> Result<(), AppError> {
    let client = state.ctx.proxies.client_ip(peer.ip(), headers);
    if !state
        .connect_limiter
        .allow(app::client_addr::limit_key(client))
    {
        return Err(AppError::RateLimited);
    }
    if !guard::origin_allowed(headers, &state.ws.allowed_origins) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Runs the checks, then `setup` (subscribe and build the greeting), then upgrades; any
/// refusal is a plain JSON HTTP error and no socket is opened. `setup` is lazy: a connection
/// refused by `preflight` costs no database work.
async fn open(
    ws: WebSocketUpgrade,
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    setup: impl Future<Output = Result<(Greeting, Subscription), AppError>>,
) -> Response {
    let accepted = async {
        preflight(state, headers, peer)?;
        setup.await
    };
    match accepted.await {
        Ok((greeting, sub)) => upgrade(ws, state, greeting, sub),
        Err(e) => e.into_response(),
    }
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

/// The greeting of a station feed: the snapshot, and the event order it reflects.
fn station_greeting(
    message: String,
    station_id: Option<i32>,
    stations: Vec<StationSummary>,
) -> Greeting {
    let floor = stations
        .iter()
        .map(|s| (s.id, s.version * SEQ_PER_VERSION + SEQ_PER_VERSION - 1))
        .collect();
    let snapshot = stations
        .into_iter()
        .map(|s| StationSnapshot::new(s.id, s.name, s.status, s.counts))
        .collect();
    let hello = FeedMessage::ConnectionEstablished {
        message,
        station_id,
        stations: Some(snapshot),
        unread_count: None,
    };
    Greeting { hello, floor }
}

fn upgrade(
    ws: WebSocketUpgrade,
    state: &AppState,
    greeting: Greeting,
    sub: Subscription,
) -> Response {
    let Greeting { hello, floor } = greeting;
    let limits = state.ws.limits.clone();
    let shutdown = state.shutdown.clone();
    ws.max_message_size(state.ws.max_message_bytes)
        .max_frame_size(state.ws.max_message_bytes)
        .on_upgrade(move |socket| connection::run(socket, hello, floor, sub, limits, shutdown))
}

async fn all_stations(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let setup = async {
        let (viewer, credential) = viewer(&state, &headers, q.token.as_deref()).await?;
        // Subscribe before reading the snapshot: an event committed in between is then
        // delivered after it rather than lost (events carry absolute counts).
        let sub = state.hub.subscribe(Topic::AllStations, viewer, credential);
        let stations = station::ssr::list(&state.ctx.db).await?;
        Ok((
            station_greeting("Connected to all_stations".into(), None, stations),
            sub,
        ))
    };
    open(ws, &state, &headers, peer, setup).await
}

async fn one_station(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(raw_id): Path<String>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let setup = async {
        let station_id: i32 = raw_id
            .parse()
            .map_err(|_| AppError::not_found(format!("Station {raw_id:?}")))?;
        let (viewer, credential) = viewer(&state, &headers, q.token.as_deref()).await?;
        let sub = state
            .hub
            .subscribe(Topic::Station(station_id), viewer, credential);
        let s = station::ssr::summary_of(&state.ctx.db, station_id).await?;
        let message = format!("Connected to station_{station_id}");
        Ok((station_greeting(message, Some(station_id), vec![s]), sub))
    };
    open(ws, &state, &headers, peer, setup).await
}

async fn notifications(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let setup = async {
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
        Ok((
            Greeting {
                hello,
                floor: HashMap::new(),
            },
            sub,
        ))
    };
    open(ws, &state, &headers, peer, setup).await
}
