//! `/ws/watch/` (extra to the spec): the feed of the stations a client shows, for maps and
//! lists that move. The client says which stations with `watch` messages as its view changes
//! (`?stations=1,2,3` starts with some); it hears each station's counts and status at most
//! once a second, with the latest values, and every directory change (station created,
//! edited, closed) so that it can take a new station in view into its next `watch`.
//!
//! Public like the spec's station feeds, and anonymous: it carries no rider's details, so no
//! cookie or token is read. See docs/api.md.
use app::error::AppError;
use app::feed::FeedMessage;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::Response;
use http::HeaderMap;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

use super::follow::Follow;
use super::{Greeting, open};
use crate::hub::{Topic, Viewer};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct WatchQuery {
    stations: Option<String>,
}

/// `?stations=1,2,3`: the stations to follow from the start.
fn parse_stations(raw: Option<&str>) -> Result<Vec<i32>, AppError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|id| id.trim().parse::<i32>())
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::Validation("stations: a comma-separated list of station ids".into()))
}

pub async fn watch_feed(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<WatchQuery>,
    headers: HeaderMap,
) -> Response {
    let follow = Arc::new(Follow {
        hub: Arc::clone(&state.hub),
        db: state.ctx.db.clone(),
    });
    let setup = async {
        let asked = parse_stations(q.stations.as_deref())?;
        let sub = state.hub.subscribe(Topic::Watch, Viewer::default(), None);
        let followed = follow
            .watch(&sub, asked)
            .await
            .map_err(AppError::Validation)?;
        let FeedMessage::Watching { stations, .. } = followed.reply else {
            return Err(AppError::Internal);
        };
        let hello = FeedMessage::ConnectionEstablished {
            message: "Connected to watched stations".into(),
            station_id: None,
            stations: Some(stations),
            unread_count: None,
        };
        let floor = followed.floor.into_iter().collect();
        Ok((Greeting { hello, floor }, sub))
    };
    open(ws, &state, &headers, peer, setup, Some(Arc::clone(&follow))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stations_in_the_address_are_ids_or_refused() {
        assert_eq!(parse_stations(None).unwrap(), Vec::<i32>::new());
        assert_eq!(parse_stations(Some("")).unwrap(), Vec::<i32>::new());
        assert_eq!(parse_stations(Some("3, 1,2")).unwrap(), [3, 1, 2]);
        assert!(parse_stations(Some("1,x")).is_err());
    }
}
