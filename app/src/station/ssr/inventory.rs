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
        "{}: {} {}% -> {} {}%",
        before.serial,
        before.state.as_str(),
        before.charge_percent,
        after.state.as_str(),
        after.charge_percent
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
