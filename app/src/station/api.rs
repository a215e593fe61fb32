//! Station server fns, callable from the browser and as `POST /api/<name>`.
use leptos::prelude::*;

use super::{StationDetail, StationStatus, StationSummary};
use crate::error::AppError;

/// `POST /api/list_stations`: every station with live counts.
#[server(prefix = "/api", endpoint = "list_stations", output = crate::json_text::JsonAnswer)]
pub async fn list_stations() -> Result<Vec<StationSummary>, AppError> {
    let ctx = crate::context::ctx()?;
    super::ssr::list(&ctx.db).await
}

/// `GET /api/nearby?lat=…&lon=…&model=…&limit=…`: the open stations nearest a point, nearest
/// first, each with its distance and an estimated riding time; with `model`, only the online
/// ones holding a charged pack of it now. Anyone may ask (like the directory, whose cost it
/// never exceeds).
#[server(prefix = "/api", endpoint = "nearby", input = server_fn::codec::GetUrl, output = crate::json_text::JsonAnswer)]
pub async fn nearby(
    lat: f64,
    lon: f64,
    #[server(default)] model: String,
    #[server(default)] limit: Option<u32>,
) -> Result<Vec<super::near::NearbyStation>, AppError> {
    let ctx = crate::context::ctx()?;
    let query = super::ssr::NearQuery::new(lat, lon, &model, limit)?;
    super::ssr::nearby(&ctx.db, &query).await
}

/// `POST /api/get_station` (`station_id`): a station with its batteries.
#[server(prefix = "/api", endpoint = "get_station", output = crate::json_text::JsonAnswer)]
pub async fn get_station(station_id: i32) -> Result<StationDetail, AppError> {
    let ctx = crate::context::ctx()?;
    super::ssr::detail(&ctx.db, &ctx.rules, station_id).await
}

/// `POST /api/set_station_status` (`station_id`, `status`, `message`): staff of the station or admin.
#[server(prefix = "/api", endpoint = "set_station_status", output = crate::json_text::JsonAnswer)]
pub async fn set_station_status(
    station_id: i32,
    status: StationStatus,
    #[server(default)] message: String,
) -> Result<StationSummary, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::set_status(&ctx, &actor, station_id, status, &message).await
}

/// `POST /api/create_station` (`name`, `address`, `latitude`, `longitude`): admin.
#[server(prefix = "/api", endpoint = "create_station", output = crate::json_text::JsonAnswer)]
pub async fn create_station(
    name: String,
    address: String,
    latitude: f64,
    longitude: f64,
) -> Result<StationSummary, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let new = super::ssr::NewStation {
        name,
        address,
        latitude,
        longitude,
    };
    super::ssr::admin_create(&ctx, &actor, new).await
}

/// `POST /api/update_station` (`station_id`, `name`, `address`, `latitude`, `longitude`): admin.
#[server(prefix = "/api", endpoint = "update_station", output = crate::json_text::JsonAnswer)]
pub async fn update_station(
    station_id: i32,
    name: String,
    address: String,
    latitude: f64,
    longitude: f64,
) -> Result<StationSummary, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let new = super::ssr::NewStation {
        name,
        address,
        latitude,
        longitude,
    };
    super::ssr::admin_update(&ctx, &actor, station_id, new).await
}

/// `POST /api/assign_staff` (`station_id`, `user_id`, `assign` = `true`/`false`): admin.
#[server(prefix = "/api", endpoint = "assign_staff", output = crate::json_text::JsonAnswer)]
pub async fn assign_staff(station_id: i32, user_id: i32, assign: bool) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    crate::account::ssr::assign(&ctx, &actor, station_id, user_id, assign).await
}

/// `POST /api/close_station` (`station_id`): admin. The station leaves the directory; refused
/// while it has active bookings.
#[server(prefix = "/api", endpoint = "close_station", output = crate::json_text::JsonAnswer)]
pub async fn close_station(station_id: i32) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::admin_close(&ctx, &actor, station_id).await
}

/// `POST /api/reopen_station` (`station_id`): admin. Back in the directory, offline.
#[server(prefix = "/api", endpoint = "reopen_station", output = crate::json_text::JsonAnswer)]
pub async fn reopen_station(station_id: i32) -> Result<StationSummary, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::admin_reopen(&ctx, &actor, station_id).await
}

/// `POST /api/list_closed_stations`: admin. The stations closed, to reopen.
#[server(prefix = "/api", endpoint = "list_closed_stations", output = crate::json_text::JsonAnswer)]
pub async fn list_closed_stations() -> Result<Vec<StationSummary>, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    actor.ensure_admin()?;
    super::ssr::list_closed(&ctx.db).await
}

/// `POST /api/station_history` (`station_id`, `hours` from 1 to 168, default 24): the station's
/// available packs over that many hours, and what is usual at those times of the week.
#[server(prefix = "/api", endpoint = "station_history", output = crate::json_text::JsonAnswer)]
pub async fn station_history(
    station_id: i32,
    #[server(default)] hours: Option<u32>,
) -> Result<super::history::AvailabilityHistory, AppError> {
    let ctx = crate::context::ctx()?;
    super::ssr::history::series(&ctx.db, station_id, hours.unwrap_or(24)).await
}
