//! Staff changes to a station's inventory: adding a pack, editing a pack's state or charge.
//!
//! The battery rows are written by `battery::ssr`; what makes these station operations is
//! what follows each write in the same transaction: the station's version is bumped and its
//! counts recounted, the change is audited, and the station's subscribers are told.
use chrono::Utc;
use sea_orm::TransactionTrait;

use super::bump_version_and_recount;
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::{self as audit, Actor};
use crate::battery::ssr::{self as battery, NewBattery};
use crate::battery::{BatteryState, BatteryView};
use crate::context::Ctx;
use crate::error::AppResult;
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, InventoryAction, timestamp};

/// Adds a pack to a station: `available` when charged enough to book, else `charging`.
/// Announces `battery_added` and `inventory_update(add)`.
pub async fn add_battery(
    ctx: &Ctx,
    actor: &CurrentUser,
    new: NewBattery,
) -> AppResult<BatteryView> {
    actor.ensure_manages(new.station_id)?;
    let txn = ctx.db.begin().await?;
    let added = battery::add(&txn, &new, ctx.rules.min_charge_percent).await?;
    let (summary, alerts) = bump_version_and_recount(&txn, &ctx.rules, new.station_id).await?;
    let c = summary.counts;
    let ts = timestamp(added.created_at);
    let events = vec![
        DomainEvent::at(
            &summary,
            FeedMessage::BatteryAdded {
                station_id: summary.id,
                station_name: summary.name.clone(),
                battery_id: added.id,
                available_batteries: c.available,
                total_batteries: c.total,
                booked_batteries: Some(c.booked),
                timestamp: ts.clone(),
                available_by_model: Some(summary.available_by_model.clone()),
            },
        ),
        DomainEvent::inventory(&summary, InventoryAction::Add, ts),
    ];
    let detail = format!(
        "{} ({}, {}%)",
        added.serial, added.model, added.charge_percent
    );
    audit::record(
        &txn,
        Actor::User(actor),
        Some(summary.id),
        AuditAction::BatteryAdded,
        detail,
    )
    .await?;
    ctx.commit(txn, alerts.after(events)).await?;
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
    let txn = ctx.db.begin().await?;
    let edited = battery::edit(
        &txn,
        current,
        state,
        charge_percent,
        ctx.rules.min_charge_percent,
    )
    .await?;
    let (summary, alerts) = bump_version_and_recount(&txn, &ctx.rules, station_id).await?;
    let (before, after) = (&edited.before, &edited.after);
    let detail = format!(
        "{}: {}",
        before.serial,
        change(
            (before.state, before.charge_percent),
            (after.state, after.charge_percent)
        )
    );
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        AuditAction::BatteryUpdated,
        detail,
    )
    .await?;
    let event = DomainEvent::inventory(&summary, InventoryAction::Update, timestamp(Utc::now()));
    ctx.commit(txn, alerts.after(vec![event])).await?;
    Ok(edited.after.into())
}

/// A pack's state and charge before and after, as the audit trail words it:
/// `charging 70% -> available 95%`.
fn change(before: (BatteryState, i16), after: (BatteryState, i16)) -> String {
    format!(
        "{} {}% -> {} {}%",
        before.0.as_str(),
        before.1,
        after.0.as_str(),
        after.1
    )
}

/// What a device's report did at its station: the packs it changed, left or skipped, the
/// station's counts after it, and the events to publish (none unless a pack changed state).
pub struct Reported {
    pub applied: battery::Applied,
    pub counts: crate::station::StationCounts,
    pub events: Vec<DomainEvent>,
}

/// Applies a device's readings inside the report's transaction (the device module owns it).
///
/// A charge reading alone is telemetry: it is stored, so the console shows it when it next
/// loads, but it changes no count, so it bumps nothing, records no history and tells no one
/// (a cabinet reporting every few seconds would otherwise flood the feeds, the history and the
/// audit trail). When a pack changes state (charged enough to book, a fault), the station's
/// version and counts move once, one audit row names the device and the changes, and one
/// `inventory_update(update)` goes out, however many packs changed.
pub async fn apply_report(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    station_id: i32,
    device: Actor<'_>,
    readings: &[crate::battery::PackReport],
) -> AppResult<Reported> {
    super::find_listed(txn, station_id).await?;
    let applied =
        battery::apply_readings(txn, station_id, readings, ctx.rules.min_charge_percent).await?;
    let moved: Vec<String> = applied
        .changed
        .iter()
        .filter(|c| c.before.0 != c.after.0)
        .map(|c| format!("{} {}", c.serial, change(c.before, c.after)))
        .collect();
    if moved.is_empty() {
        let counts = super::counts(txn, station_id).await?;
        return Ok(Reported {
            applied,
            counts,
            events: vec![],
        });
    }
    let (summary, alerts) = bump_version_and_recount(txn, &ctx.rules, station_id).await?;
    let detail = format!(
        "{} of {} packs changed state: {}",
        moved.len(),
        readings.len(),
        crate::text::first_of(&moved, 10)
    );
    audit::record(
        txn,
        device,
        Some(station_id),
        AuditAction::PacksReported,
        detail,
    )
    .await?;
    let event = DomainEvent::inventory(&summary, InventoryAction::Update, timestamp(Utc::now()));
    Ok(Reported {
        applied,
        counts: summary.counts,
        events: alerts.after(vec![event]),
    })
}
