//! Battery server fns.
use leptos::prelude::*;

use super::{BatteryState, BatteryView, PackLabel};
use crate::error::AppError;

/// `POST /api/add_battery` (`station_id`, `serial`, `model`, `charge_percent`): staff of the
/// station or admin.
#[server(prefix = "/api", endpoint = "add_battery", output = crate::json_text::JsonAnswer)]
pub async fn add_battery(
    station_id: i32,
    serial: String,
    model: String,
    charge_percent: i16,
) -> Result<BatteryView, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    let new = super::ssr::NewBattery {
        station_id,
        serial,
        model,
        charge_percent,
    };
    crate::station::ssr::add_battery(&ctx, &actor, new).await
}

/// `POST /api/update_battery` (`battery_id`, `state`?, `charge_percent`?): staff of the
/// station or admin. `state` is `available`, `charging`, `maintenance` or `retired`.
#[server(prefix = "/api", endpoint = "update_battery", output = crate::json_text::JsonAnswer)]
pub async fn update_battery(
    battery_id: i32,
    #[server(default)] state: Option<BatteryState>,
    #[server(default)] charge_percent: Option<i16>,
) -> Result<BatteryView, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    crate::station::ssr::edit_battery(&ctx, &actor, battery_id, state, charge_percent).await
}

/// `POST /api/pack_models`: every pack model the network holds, by name (public, like the
/// station list).
#[server(prefix = "/api", endpoint = "pack_models", output = crate::json_text::JsonAnswer)]
pub async fn pack_models() -> Result<Vec<String>, AppError> {
    let ctx = crate::context::ctx()?;
    super::ssr::models(&ctx.db).await
}

/// `POST /api/pack_labels` (`station_id`): a label for every pack at the station (not out with a
/// rider, not retired), by serial: staff of the station or admin.
#[server(prefix = "/api", endpoint = "pack_labels", output = crate::json_text::JsonAnswer)]
pub async fn pack_labels(station_id: i32) -> Result<Vec<PackLabel>, AppError> {
    let ctx = crate::context::ctx()?;
    let actor = crate::account::ssr::require_user(&ctx).await?;
    actor.ensure_manages(station_id)?;
    super::ssr::labels(&ctx.db, station_id).await
}
