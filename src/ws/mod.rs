//! The spec's three WebSocket endpoints, with and without their trailing slash:
//! `/ws/stations/`, `/ws/stations/{station_id}/`, `/ws/notifications/`; and our own
//! `/ws/watch/` (the stations a map shows, paced: [`watch`]).
//!
//! Everything that can refuse a connection is checked before the upgrade, as plain HTTP:
//! rate (429), origin (403), open sockets of the client (429) and of the instance (503),
//! unknown station (404), missing credentials (401).
use app::account::ssr::authenticate;
use app::feed::FeedMessage;
use app::feed::ssr::Credential;
use app::station::StationSummary;
use app::{error::AppError, notification, station};
use axum::Router;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderMap;
use serde::Deserialize;

use std::net::SocketAddr;
use std::sync::Arc;

mod accounting;
pub mod close;
pub mod connection;
pub mod follow;
pub mod guard;
pub mod slots;
pub mod watch;

use crate::hub::{Subscription, Topic, Viewer};
use crate::request::Refusal;
use crate::state::AppState;
use connection::Floor;
use follow::Follow;
use slots::Slot;

/// Socket buffers sized for our traffic rather than tungstenite's 128 KiB each. The read buffer
/// is reserved up front, and tungstenite zero-fills all of it before every read attempt (a
/// socket's every wake-up, deliveries included), so it is small: client frames are small JSON
/// (a spec ping is under 100 bytes), and a frame of up to `--ws-max-message-bytes` still
/// arrives, over several reads. Feed frames are batched up to the write buffer size before a
/// write; it grows as needed. (1 KiB instead of 4 saved 3 KiB per idle socket, measured with
/// `load`; 256 bytes instead of 1 KiB: see README "Figures".)
const READ_BUFFER_BYTES: usize = 256;
const WRITE_BUFFER_BYTES: usize = 8 * 1024;

/// The most a socket's unsent output may hold: a full write buffer plus its largest frame (the
/// greeting's snapshot, or a pong echoing a client's largest message). It only fills while the
/// client is not reading, and the writer waits for it to drain before adding the next frame.
fn max_write_buffer(greeting_bytes: usize, max_message_bytes: usize) -> usize {
    WRITE_BUFFER_BYTES + greeting_bytes.max(max_message_bytes) + 4 * 1024
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ws/stations/", get(all_stations))
        .route("/ws/stations", get(all_stations))
        .route("/ws/stations/{station_id}/", get(one_station))
        .route("/ws/stations/{station_id}", get(one_station))
        .route("/ws/notifications/", get(notifications))
        .route("/ws/notifications", get(notifications))
        .route("/ws/watch/", get(watch::watch_feed))
        .route("/ws/watch", get(watch::watch_feed))
}

/// The first message and, per station, the event order its snapshot already reflects.
struct Greeting {
    hello: FeedMessage,
    floor: Floor,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// Refusals that need no database: rate, origin, then open sockets. The slot it returns is
/// held for as long as the socket is open. A refusal for the origin says so (its 403 reads
/// like any other in the refusal metrics).
fn preflight(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<Slot, (AppError, Option<Refusal>)> {
    let client = state.ctx.proxies.client_ip(peer.ip(), headers);
    let key = app::client_addr::limit_key(client);
    if !state.connect_limiter.allow(key) {
        return Err((AppError::RateLimited, None));
    }
    if !guard::origin_allowed(headers, &state.ws.allowed_origins) {
        return Err((AppError::Forbidden, Some(Refusal("origin"))));
    }
    state.sockets.acquire(key).map_err(|e| (e, None))
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
    follow: Option<Arc<Follow>>,
) -> Response {
    let slot = match preflight(state, headers, peer) {
        Ok(slot) => slot,
        Err((e, why)) => {
            let mut refused = e.into_response();
            if let Some(why) = why {
                refused.extensions_mut().insert(why);
            }
            return refused;
        }
    };
    match setup.await {
        Ok((greeting, sub)) => upgrade(ws, state, slot, greeting, sub, follow),
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
    // Before loading the user's rights, so a change of them in between is not missed.
    let as_of = state.hub.privilege_epoch();
    Ok(match authenticate(&state.ctx, headers, token).await? {
        Some((user, credential)) => (Viewer::signed_in(user, as_of), Some(credential)),
        None => (Viewer::default(), None),
    })
}

/// The greeting of a station feed: the snapshot, and the event order it reflects.
fn station_greeting(
    message: String,
    station_id: Option<i32>,
    stations: &[StationSummary],
) -> Greeting {
    let (snapshot, floor) = follow::snapshot(stations);
    let floor = floor.into_iter().collect();
    let hello = FeedMessage::ConnectionEstablished {
        message,
        station_id,
        stations: Some(snapshot),
        unread_count: None,
    };
    Greeting { hello, floor }
}

/// Switches to the WebSocket. The slot and the shutdown tracker's token live as long as the
/// socket's task (dropped with it however it ends, or at once if the upgrade fails).
fn upgrade(
    ws: WebSocketUpgrade,
    state: &AppState,
    slot: Slot,
    greeting: Greeting,
    sub: Subscription,
    follow: Option<Arc<Follow>>,
) -> Response {
    let Greeting { hello, floor } = greeting;
    let hello = Utf8Bytes::from(hello.to_json());
    let max = state.ws.max_message_bytes;
    let limits = state.ws.limits.clone();
    let open = state.tasks.token();
    // A child of the request's span: the socket's lines carry its request id, route and user.
    let span = tracing::error_span!("socket", feed = sub.topic().feed());
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(max_write_buffer(hello.len(), max))
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            connection::run(socket, hello, floor, sub, follow, limits, span).await;
            drop((slot, open));
        })
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
        let db = &state.ctx.db;
        let stations = state.hub.snapshots.all(station::ssr::list(db)).await?;
        Ok((
            station_greeting("Connected to all_stations".into(), None, &stations),
            sub,
        ))
    };
    open(ws, &state, &headers, peer, setup, None).await
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
        app::observe::station(station_id);
        let (viewer, credential) = viewer(&state, &headers, q.token.as_deref()).await?;
        let sub = state
            .hub
            .subscribe(Topic::Station(station_id), viewer, credential);
        let load = station::ssr::listed(&state.ctx.db, station_id);
        let station = state.hub.snapshots.station(station_id, load).await?;
        let message = format!("Connected to station_{station_id}");
        Ok((station_greeting(message, Some(station_id), &station), sub))
    };
    open(ws, &state, &headers, peer, setup, None).await
}

async fn notifications(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let setup = async {
        let (viewer, credential) = viewer(&state, &headers, q.token.as_deref()).await?;
        let (Some(user_id), Some(credential)) = (viewer.user.as_ref().map(|u| u.id), credential)
        else {
            return Err(AppError::Unauthenticated);
        };
        let sub = state
            .hub
            .subscribe(Topic::User(user_id), viewer, Some(credential));
        let unread = notification::ssr::unread_count(&state.ctx.db, user_id).await?;
        let hello = FeedMessage::ConnectionEstablished {
            message: format!("Connected to user_{user_id}"),
            station_id: None,
            stations: None,
            unread_count: Some(unread),
        };
        Ok((
            Greeting {
                hello,
                floor: Floor::default(),
            },
            sub,
        ))
    };
    open(ws, &state, &headers, peer, setup, None).await
}
