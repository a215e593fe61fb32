//! Device server fns: admins manage credentials (`/api/create_device`, `/api/list_devices`,
//! `/api/revoke_device`, with a session cookie, like API tokens); devices report
//! (`/api/report_batteries`, JSON, with their bearer token).
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{DeviceInfo, IssuedDevice, PackReport, ReportOutcome};
use crate::error::AppError;

/// `POST /api/create_device` (`station_id`, `label`): admin. The token is in this answer only.
#[server(prefix = "/api", endpoint = "create_device", output = crate::json_text::JsonAnswer)]
pub async fn create_device(station_id: i32, label: String) -> Result<IssuedDevice, AppError> {
    let ctx = crate::context::ctx()?;
    let admin = crate::account::ssr::require_session_user(&ctx).await?;
    super::ssr::create(&ctx, &admin, station_id, &label).await
}

/// `POST /api/list_devices`: admin. Every device credential, live first (never a secret).
#[server(prefix = "/api", endpoint = "list_devices", output = crate::json_text::JsonAnswer)]
pub async fn list_devices() -> Result<Vec<DeviceInfo>, AppError> {
    let ctx = crate::context::ctx()?;
    let admin = crate::account::ssr::require_session_user(&ctx).await?;
    super::ssr::list(&ctx, &admin).await
}

/// `POST /api/revoke_device` (`device_id`): admin. The device's next report gets 401.
#[server(prefix = "/api", endpoint = "revoke_device", output = crate::json_text::JsonAnswer)]
pub async fn revoke_device(device_id: i32) -> Result<(), AppError> {
    let ctx = crate::context::ctx()?;
    let admin = crate::account::ssr::require_session_user(&ctx).await?;
    super::ssr::revoke(&ctx, &admin, device_id).await
}

/// `POST /api/report_batteries` with `Authorization: Bearer bsd_…` and a JSON body
/// `{"batteries": [{"serial", "charge_percent", "state"?}], "station_id"?}`: a station device
/// reports its packs. `station_id`, when given, must be the device's own.
#[server(prefix = "/api", endpoint = "report_batteries", input = Json, output = crate::json_text::JsonAnswer)]
pub async fn report_batteries(
    batteries: Vec<PackReport>,
    #[server(default)] station_id: Option<i32>,
) -> Result<ReportOutcome, AppError> {
    let ctx = crate::context::ctx()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    super::ssr::report(&ctx, &parts.headers, station_id, batteries).await
}
