//! A station device's readings applied to the packs in its slots.
//!
//! The same rules as a staff edit: `available` needs the booking threshold of charge, a pack
//! below it is `charging`; a booked or collected pack belongs to its booking and a retired one
//! to the staff who retired it, so a reading never changes them. A device may take a pack out
//! of service (`maintenance`, a fault it detected) but never put one back: only staff clear a
//! fault, so a faulty or stolen cabinet cannot offer a damaged pack for booking. Each write is
//! conditional on the state (and station) the pack was read in: a booking that claims a pack
//! meanwhile wins, and the pack is reported back as skipped (the device will report it again).
use chrono::Utc;
use sea_orm::{DatabaseTransaction, entity::prelude::*};
use std::collections::{HashMap, HashSet};

use super::{entity, resting_state, validate_charge, validate_serial};
use crate::battery::{BatteryState, PackReport, SkippedPack};
use crate::error::{AppError, AppResult};

/// One pack a report changed: its state and charge before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingChange {
    pub serial: String,
    pub before: (BatteryState, i16),
    pub after: (BatteryState, i16),
}

/// What a report did to the station's packs.
#[derive(Debug, Default)]
pub struct Applied {
    pub changed: Vec<ReadingChange>,
    pub unchanged: u32,
    pub skipped: Vec<SkippedPack>,
}

/// Checks every reading before the database sees one: serial format, charge range, a state a
/// device may report (`available` only at the booking threshold), no serial twice. One bad
/// reading refuses the whole report.
pub fn check_readings(readings: &[PackReport], min_charge_percent: i16) -> AppResult<()> {
    let mut seen = HashSet::new();
    for r in readings {
        validate_serial(&r.serial)?;
        validate_charge(r.charge_percent).map_err(|_| {
            AppError::validation(format!(
                "{}: charge is a percentage from 0 to 100, not {}.",
                r.serial.trim(),
                r.charge_percent
            ))
        })?;
        if let Some(state) = r.state
            && !matches!(
                state,
                BatteryState::Available | BatteryState::Charging | BatteryState::Maintenance
            )
        {
            return Err(AppError::validation(format!(
                "{}: a device reports a pack as available, charging or maintenance, not {}.",
                r.serial.trim(),
                state.as_str()
            )));
        }
        if r.state == Some(BatteryState::Available) && r.charge_percent < min_charge_percent {
            return Err(AppError::validation(format!(
                "{}: a pack is available only when charged to {min_charge_percent}% or more.",
                r.serial.trim()
            )));
        }
        if !seen.insert(r.serial.trim()) {
            return Err(AppError::validation(format!(
                "{} is in the report twice.",
                r.serial.trim()
            )));
        }
    }
    Ok(())
}

/// The state and charge a (checked) reading gives a pack now in `state`; `None` when the
/// reading may not touch it (its booking or retirement owns it).
fn reading_outcome(
    state: BatteryState,
    reading: &PackReport,
    min_charge_percent: i16,
) -> Option<(BatteryState, i16)> {
    if matches!(
        state,
        BatteryState::Booked | BatteryState::Collected | BatteryState::Retired
    ) {
        return None;
    }
    let charge = reading.charge_percent;
    let to = match reading.state {
        // A fault stays until staff clear it; the device still reports the charge.
        _ if state == BatteryState::Maintenance => BatteryState::Maintenance,
        Some(reported) => reported,
        None => resting_state(charge, min_charge_percent),
    };
    Some((to, charge))
}

/// Applies checked readings to `station_id`'s packs inside the report's transaction. A serial
/// that is not at this station refuses the whole report (nothing is written).
pub async fn apply_readings(
    txn: &DatabaseTransaction,
    station_id: i32,
    readings: &[PackReport],
    min_charge_percent: i16,
) -> AppResult<Applied> {
    use entity::Column;
    let serials: Vec<String> = readings
        .iter()
        .map(|r| r.serial.trim().to_string())
        .collect();
    let packs: HashMap<String, entity::Model> = entity::Entity::find()
        .filter(Column::StationId.eq(station_id))
        .filter(Column::Serial.is_in(serials.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.serial.clone(), p))
        .collect();
    let unknown: Vec<&str> = serials
        .iter()
        .map(String::as_str)
        .filter(|s| !packs.contains_key(*s))
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::validation(format!(
            "Not packs of this station: {}.",
            crate::text::first_of(&unknown, 10)
        )));
    }
    let mut applied = Applied::default();
    // In pack order, so two reports of one station lock rows in the same order (no deadlock).
    let mut ordered: Vec<(&entity::Model, &PackReport)> = readings
        .iter()
        .map(|r| (&packs[r.serial.trim()], r))
        .collect();
    ordered.sort_by_key(|(pack, _)| pack.id);
    for (pack, reading) in ordered {
        let before = (pack.state, pack.charge_percent);
        let Some(after) = reading_outcome(pack.state, reading, min_charge_percent) else {
            applied.skipped.push(skipped(pack, pack.state));
            continue;
        };
        if after == before {
            applied.unchanged += 1;
            continue;
        }
        let written = entity::Entity::update_many()
            .col_expr(Column::State, Expr::value(after.0))
            .col_expr(Column::ChargePercent, Expr::value(after.1))
            .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(Column::Id.eq(pack.id))
            .filter(Column::StationId.eq(station_id))
            .filter(Column::State.eq(pack.state))
            .exec(txn)
            .await?;
        if written.rows_affected == 0 {
            let now = super::find(txn, pack.id).await?.state;
            applied.skipped.push(skipped(pack, now));
            continue;
        }
        applied.changed.push(ReadingChange {
            serial: pack.serial.clone(),
            before,
            after,
        });
    }
    Ok(applied)
}

fn skipped(pack: &entity::Model, state: BatteryState) -> SkippedPack {
    SkippedPack {
        serial: pack.serial.clone(),
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BatteryState::*;

    fn reading(charge_percent: i16, state: Option<BatteryState>) -> PackReport {
        PackReport {
            serial: "BS-1".into(),
            charge_percent,
            state,
        }
    }

    #[test]
    fn charge_decides_unless_a_state_is_reported() {
        let at = |state, r: &PackReport| reading_outcome(state, r, 90);
        assert_eq!(at(Charging, &reading(90, None)), Some((Available, 90)));
        assert_eq!(at(Available, &reading(40, None)), Some((Charging, 40)));
        assert_eq!(
            at(Available, &reading(95, Some(Maintenance))),
            Some((Maintenance, 95))
        );
        assert_eq!(
            at(Charging, &reading(95, Some(Charging))),
            Some((Charging, 95))
        );
    }

    #[test]
    fn only_staff_clear_a_fault() {
        let at = |r: &PackReport| reading_outcome(Maintenance, r, 90);
        assert_eq!(at(&reading(100, None)), Some((Maintenance, 100)));
        assert_eq!(at(&reading(95, Some(Available))), Some((Maintenance, 95)));
        assert_eq!(at(&reading(50, Some(Charging))), Some((Maintenance, 50)));
    }

    #[test]
    fn bookings_and_retirement_own_their_packs() {
        for state in [Booked, Collected, Retired] {
            assert_eq!(reading_outcome(state, &reading(10, None), 90), None);
            assert_eq!(
                reading_outcome(state, &reading(100, Some(Available)), 90),
                None
            );
        }
    }

    #[test]
    fn readings_are_checked_before_any_write() {
        let ok = |r: Vec<PackReport>| check_readings(&r, 90);
        assert!(ok(vec![reading(50, None)]).is_ok());
        assert!(ok(vec![reading(101, None)]).is_err());
        assert!(ok(vec![reading(-1, None)]).is_err());
        assert!(ok(vec![reading(50, Some(Booked))]).is_err());
        assert!(ok(vec![reading(50, Some(Retired))]).is_err());
        assert!(
            ok(vec![reading(89, Some(Available))]).is_err(),
            "below the threshold"
        );
        assert!(ok(vec![reading(90, Some(Available))]).is_ok());
        assert!(
            ok(vec![reading(50, None), reading(60, None)]).is_err(),
            "twice"
        );
        let bad_serial = PackReport {
            serial: "BS 1; drop".into(),
            ..reading(50, None)
        };
        assert!(ok(vec![bad_serial]).is_err());
    }
}
