//! Station server fns, callable from the browser and as `POST /api/<name>`.
use leptos::prelude::*;

use super::{StationDetail, StationStatus, StationSummary};
use crate::error::AppError;

/// `POST /api/list_stations`: every station with live counts.
#[server(prefix = "/api", endpoint = "list_stations")]
pub async fn list_stations() -> Result<Vec<StationSummary>, AppError> {
    let ctx = crate::ssr::ctx()?;
    super::ssr::list(&ctx.db).await
}

/// `POST /api/get_station` (`station_id`): a station with its batteries.
#[server(prefix = "/api", endpoint = "get_station")]
pub async fn get_station(station_id: i32) -> Result<StationDetail, AppError> {
    let ctx = crate::ssr::ctx()?;
    super::ssr::detail(&ctx.db, station_id).await
}

/// `POST /api/set_station_status` (`station_id`, `status`, `message`): staff of the station or admin.
#[server(prefix = "/api", endpoint = "set_station_status")]
pub async fn set_station_status(
    station_id: i32,
    status: StationStatus,
    #[server(default)] message: String,
) -> Result<StationSummary, AppError> {
    let ctx = crate::ssr::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::set_status(&ctx, &actor, station_id, status, &message).await
}
