//! Audit server fns.
use leptos::prelude::*;

use super::{AuditAction, AuditEntry};
use crate::error::AppError;

/// `POST /api/list_audit` (`station_id`?, `action`?): newest first; staff see their stations',
/// admins all.
#[server(prefix = "/api", endpoint = "list_audit", output = crate::json_text::JsonAnswer)]
pub async fn list_audit(
    #[server(default)] station_id: Option<i32>,
    #[server(default)] action: Option<AuditAction>,
) -> Result<Vec<AuditEntry>, AppError> {
    let ctx = crate::context::ctx()?;
    let viewer = crate::account::ssr::require_user(&ctx).await?;
    super::ssr::recent(&ctx.db, &viewer, station_id, action, 200).await
}
