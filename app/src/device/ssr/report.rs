//! `/api/report_batteries`: a station device reports its packs.
//!
//! Who: a live device token (`authenticate`); for what: its own station's packs only; how
//! often: `--device-reports-per-minute` per device; how much: [`MAX_REPORT_PACKS`] readings.
//! Every reading is checked before the database sees one, and the report is one transaction
//! whose first statement marks the device's report conditional on it not being revoked: a bad
//! reading, an unknown serial or a revocation that wins the race leave nothing behind.
use super::{authenticate, mark_reported};
use crate::battery::PackReport;
use crate::change::Change;
use crate::context::Ctx;
use crate::device::{MAX_REPORT_PACKS, ReportOutcome};
use crate::error::{AppError, AppResult};

/// Applies one report and counts it (accepted, or why not) for `/metrics`.
pub async fn report(
    ctx: &Ctx,
    headers: &http::HeaderMap,
    claimed_station: Option<i32>,
    readings: Vec<PackReport>,
) -> AppResult<ReportOutcome> {
    let result = accept(ctx, headers, claimed_station, readings).await;
    crate::observe::device_report(result.as_ref().map(|o| o.changed));
    result
}

async fn accept(
    ctx: &Ctx,
    headers: &http::HeaderMap,
    claimed_station: Option<i32>,
    readings: Vec<PackReport>,
) -> AppResult<ReportOutcome> {
    let device = authenticate(&ctx.db, headers).await?;
    if let Some(claimed) = claimed_station
        && claimed != device.station_id
    {
        return Err(AppError::WrongStation(device.station_id));
    }
    ctx.device_reports.check(device.id)?;
    if readings.len() > MAX_REPORT_PACKS {
        return Err(AppError::validation(format!(
            "A report holds at most {MAX_REPORT_PACKS} packs, not {}: split it.",
            readings.len()
        )));
    }
    crate::battery::ssr::check_readings(&readings, ctx.rules.min_charge_percent)?;
    let mut change = Change::begin(ctx, device.actor()).await?;
    mark_reported(change.txn(), &device).await?;
    let reported =
        crate::station::ssr::apply_report(&mut change, device.station_id, &readings).await?;
    change.commit().await?;
    let applied = reported.applied;
    Ok(ReportOutcome {
        station_id: device.station_id,
        changed: u32::try_from(applied.changed.len()).unwrap_or(u32::MAX),
        unchanged: applied.unchanged,
        skipped: applied.skipped,
        available_batteries: reported.counts.available,
        total_batteries: reported.counts.total,
    })
}
