//! Staff changes to a station's inventory: adding a pack, editing a pack's state or charge.
//!
//! The battery rows are written by `battery::ssr`; what makes these station operations is
//! what follows each write in the same transaction: the station's version is bumped and its
//! counts recounted, the change is audited, and the station's subscribers are told.
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::battery::ssr::{self as battery, NewBattery};
use crate::battery::{BatteryState, BatteryView};
use crate::change::Change;
use crate::change::event::Event;
use crate::context::Ctx;
use crate::error::AppResult;

/// Adds a pack to a station: `available` when charged enough to book, else `charging`.
/// Announces `battery_added` and `inventory_update(add)`.
pub async fn add_battery(
    ctx: &Ctx,
    actor: &CurrentUser,
    new: NewBattery,
) -> AppResult<BatteryView> {
    actor.ensure_manages(new.station_id)?;
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let added = battery::add(change.txn(), &new, ctx.rules.min_charge_percent).await?;
    let detail = format!(
        "{} ({}, {}%)",
        added.serial, added.model, added.charge_percent
    );
    change.audit(Some(new.station_id), AuditAction::BatteryAdded, detail);
    let station = change.recount(new.station_id).await?;
    change.raise(Event::PackAdded {
        station,
        battery_id: added.id,
    });
    change.commit().await?;
    Ok(added.into())
}

/// Changes a pack's state and/or charge (see `battery::ssr::edit` for the rules).
/// Announces `inventory_update(update)`.
pub async fn edit_battery(
    ctx: &Ctx,
    actor: &CurrentUser,
    battery_id: i32,
    state: Option<BatteryState>,
    charge_percent: Option<i16>,
) -> AppResult<BatteryView> {
    let current = battery::find(&ctx.db, battery_id).await?;
    actor.ensure_manages(current.station_id)?;
    let station_id = current.station_id;
    let mut change = Change::begin(ctx, Actor::User(actor)).await?;
    let edited = battery::edit(
        change.txn(),
        current,
        state,
        charge_percent,
        ctx.rules.min_charge_percent,
    )
    .await?;
    let (before, after) = (&edited.before, &edited.after);
    let detail = format!(
        "{}: {}",
        before.serial,
        state_change(
            (before.state, before.charge_percent),
            (after.state, after.charge_percent)
        )
    );
    change.audit(Some(station_id), AuditAction::BatteryUpdated, detail);
    let station = change.recount(station_id).await?;
    change.raise(Event::StockChanged { station });
    change.commit().await?;
    Ok(edited.after.into())
}

/// A pack's state and charge before and after, as the audit trail words it:
/// `charging 70% -> available 95%`.
fn state_change(before: (BatteryState, i16), after: (BatteryState, i16)) -> String {
    format!(
        "{} {}% -> {} {}%",
        before.0.as_str(),
        before.1,
        after.0.as_str(),
        after.1
    )
}

/// What a device's report did at its station: the packs it changed, left or skipped, and the
/// station's counts after it. Its events are the change's (none unless a pack changed state).
pub struct Reported {
    pub applied: battery::Applied,
    pub counts: crate::station::StationCounts,
}

/// Applies a device's readings inside the report's change (the device module owns it).
///
/// A charge reading alone is telemetry: it is stored, so the console shows it when it next
/// loads, but it changes no count, so it bumps nothing, records no history and tells no one
/// (a cabinet reporting every few seconds would otherwise flood the feeds, the history and the
/// audit trail). When a pack changes state (charged enough to book, a fault), the station's
/// version and counts move once, one audit row names the device and the changes, and one
/// `inventory_update(update)` goes out, however many packs changed.
pub async fn apply_report(
    change: &mut Change,
    station_id: i32,
    readings: &[crate::battery::PackReport],
) -> AppResult<Reported> {
    let txn = change.txn();
    super::read::find_listed(txn, station_id).await?;
    let min_charge = change.ctx().rules.min_charge_percent;
    let applied = battery::apply_readings(txn, station_id, readings, min_charge).await?;
    let moved: Vec<String> = applied
        .changed
        .iter()
        .filter(|c| c.before.0 != c.after.0)
        .map(|c| format!("{} {}", c.serial, state_change(c.before, c.after)))
        .collect();
    if moved.is_empty() {
        let counts = super::read::counts(txn, station_id).await?;
        return Ok(Reported { applied, counts });
    }
    let detail = format!(
        "{} of {} packs changed state: {}",
        moved.len(),
        readings.len(),
        crate::text::first_of(&moved, 10)
    );
    change.audit(Some(station_id), AuditAction::PacksReported, detail);
    let station = change.recount(station_id).await?;
    let counts = station.counts;
    change.raise(Event::StockChanged { station });
    Ok(Reported { applied, counts })
}
