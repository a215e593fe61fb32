//! Reading stations: one, the directory, a station's counts and detail (server only). Kept
//! apart from the changes so the unit of work's recount (`version.rs`) reads them without
//! depending on the code that changes stations.
use sea_orm::{ConnectionTrait, QueryOrder, entity::prelude::*};

use super::entity::station as st;
use crate::battery;
use crate::context::Rules;
use crate::error::{AppError, AppResult};
use crate::station::{ModelCounts, StationCounts, StationDetail, StationSummary, StockLevel};

pub(super) fn summary(
    model: st::Model,
    (counts, available_by_model): (StationCounts, ModelCounts),
) -> StationSummary {
    StationSummary {
        id: model.id,
        status: model.status,
        name: model.name,
        address: model.address,
        latitude: model.latitude,
        longitude: model.longitude,
        status_message: model.status_message,
        counts,
        available_by_model,
        version: model.version,
    }
}

/// One station's counts; call inside the transaction that changed them.
pub async fn counts(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationCounts> {
    Ok(stock(conn, station_id).await?.0)
}

/// One station's counts with its available packs per model.
pub(super) async fn stock(
    conn: &impl ConnectionTrait,
    station_id: i32,
) -> AppResult<(StationCounts, ModelCounts)> {
    Ok(battery::ssr::counts_by_station(conn, Some(station_id))
        .await?
        .remove(&station_id)
        .unwrap_or_default())
}

pub async fn find(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<st::Model> {
    st::Entity::find_by_id(station_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Station"))
}

/// Every open station with its live counts, by name: the directory.
pub async fn list(conn: &impl ConnectionTrait) -> AppResult<Vec<StationSummary>> {
    with_counts(conn, false).await
}

/// The stations an admin has closed, by name (the admin page offers to reopen them).
pub async fn list_closed(conn: &impl ConnectionTrait) -> AppResult<Vec<StationSummary>> {
    with_counts(conn, true).await
}

async fn with_counts(conn: &impl ConnectionTrait, closed: bool) -> AppResult<Vec<StationSummary>> {
    let open_or_closed = if closed {
        st::Column::ClosedAt.is_not_null()
    } else {
        st::Column::ClosedAt.is_null()
    };
    let stations = st::Entity::find()
        .filter(open_or_closed)
        .order_by_asc(st::Column::Name)
        .all(conn)
        .await?;
    let mut counts = battery::ssr::counts_by_station(conn, None).await?;
    Ok(stations
        .into_iter()
        .map(|s| {
            let c = counts.remove(&s.id).unwrap_or_default();
            summary(s, c)
        })
        .collect())
}

/// A station as its change will be committed, open or closed (domain code).
pub async fn summary_of(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationSummary> {
    let model = find(conn, station_id).await?;
    Ok(summary(model, stock(conn, station_id).await?))
}

/// A station of the directory: a closed one is not found, for pages and feeds alike.
pub async fn listed(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationSummary> {
    let model = find_listed(conn, station_id).await?;
    Ok(summary(model, stock(conn, station_id).await?))
}

/// The station's row, if it is in the directory (not closed).
pub async fn find_listed(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<st::Model> {
    let model = find(conn, station_id).await?;
    if model.closed_at.is_some() {
        return Err(AppError::not_found("Station"));
    }
    Ok(model)
}

/// A station of the directory with its batteries, and whether it is low on stock (what the
/// staff console's banner starts from; never with alerts off).
pub async fn detail(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    station_id: i32,
) -> AppResult<StationDetail> {
    let model = find_listed(conn, station_id).await?;
    let low_stock = rules.low_stock_threshold > 0 && model.stock_level == Some(StockLevel::Low);
    let station = summary(model, stock(conn, station_id).await?);
    let batteries = battery::ssr::at_station(conn, station_id).await?;
    Ok(StationDetail {
        station,
        batteries,
        low_stock,
    })
}
