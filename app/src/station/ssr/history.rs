//! Availability over time: one row per committed change of a station's counts, made by
//! [`super::version::bump_version_and_recount`] and written with the changing transaction's
//! commit (so the history holds exactly what was committed), read back as a chart series, pruned by the sweeper.
use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::{Func, InsertStatement, Query};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, QueryOrder, QueryTrait, entity::prelude::*,
};

use super::entity::history;
use crate::error::{AppError, AppResult};
use crate::station::StationSummary;
use crate::station::history::{AvailabilityHistory, MAX_HOURS};

/// How many past weeks the "usually" line averages.
const USUAL_WEEKS: i64 = 4;

/// The row that records `station`'s counts as its change commits them: written by the unit of
/// work at its commit (`crate::change::Change`), in one round trip with its other rows where the
/// engine allows; nothing in the change reads it back.
pub fn row(station: &StationSummary) -> InsertStatement {
    let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    history::Entity::insert(history::ActiveModel {
        station_id: Set(station.id),
        at: Set(Utc::now()),
        available: Set(clamp(station.counts.available)),
        total: Set(clamp(station.counts.total)),
        ..Default::default()
    })
    .into_query()
}

/// Writes past counts in one statement: for the demo, whose stations would otherwise have no
/// past weeks to show a "usually" line from. `rows` are `(at, available, total)`.
pub async fn backfill(
    conn: &impl ConnectionTrait,
    station_id: i32,
    rows: &[(DateTime<Utc>, u32, u32)],
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let models = rows
        .iter()
        .map(|&(at, available, total)| history::ActiveModel {
            station_id: Set(station_id),
            at: Set(at),
            available: Set(clamp(available)),
            total: Set(clamp(total)),
            ..Default::default()
        });
    history::Entity::insert_many(models).exec(conn).await?;
    Ok(())
}

/// Deletes history older than `keep`; returns how many rows went.
pub async fn prune(conn: &impl ConnectionTrait, keep: Duration) -> AppResult<u64> {
    let done = history::Entity::delete_many()
        .filter(history::Column::At.lt(Utc::now() - keep))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// The last `hours` of `station_id`'s available packs, with the usual counts at those times
/// of the week from the past weeks' history.
pub async fn series(
    conn: &impl ConnectionTrait,
    station_id: i32,
    hours: u32,
) -> AppResult<AvailabilityHistory> {
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(AppError::validation(format!(
            "Hours is from 1 to {MAX_HOURS}."
        )));
    }
    super::read::find_listed(conn, station_id).await?;
    // To the microsecond, as PostgreSQL keeps times: the query's window bounds and `shape`'s
    // must be the same instants.
    let until = Utc::now().trunc_subsecs(6);
    let rows = history::Entity::find()
        .filter(history::Column::StationId.eq(station_id))
        .filter(in_windows(station_id, hours, until))
        .order_by_asc(history::Column::At)
        .order_by_asc(history::Column::Id)
        .all(conn)
        .await?;
    Ok(shape(station_id, hours, until, &rows))
}

/// Only the rows [`shape`] reads: those of the window ending at `until` and of the same hours
/// in each of the past `USUAL_WEEKS` weeks, each window with the last row before it (the count
/// at its start). A busy station writes a row per booking, so its five weeks can be tens of
/// thousands of rows; the windows are a few hundred, found through `(station_id, at)`.
fn in_windows(station_id: i32, hours: u32, until: DateTime<Utc>) -> Condition {
    // (Scoped: its `max` would shadow `Ord::max` below.)
    use sea_orm::sea_query::ExprTrait;
    let span = Duration::hours(i64::from(hours));
    (0..=USUAL_WEEKS).fold(Condition::any(), |any, week| {
        let end = until - Duration::weeks(week);
        let start = end - span;
        let last_before = Query::select()
            .expr(Func::max(Expr::col(history::Column::At)))
            .from(history::Entity)
            .and_where(Expr::col(history::Column::StationId).eq(station_id))
            .and_where(Expr::col(history::Column::At).lte(start))
            .to_owned();
        let from = Func::coalesce([Expr::from(last_before), Expr::value(start)]);
        any.add(
            Condition::all()
                .add(Expr::col(history::Column::At).gte(from))
                .add(history::Column::At.lte(end)),
        )
    })
}

/// The series for the window ending at `until`, from `rows` in time order.
fn shape(
    station_id: i32,
    hours: u32,
    until: DateTime<Utc>,
    rows: &[history::Model],
) -> AvailabilityHistory {
    let from = until - Duration::hours(i64::from(hours));
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    let value_at = |t: DateTime<Utc>| {
        let after = rows.partition_point(|r| r.at <= t);
        after.checked_sub(1).map(|i| &rows[i])
    };
    let ago = |t: DateTime<Utc>| u32::try_from((until - t).num_seconds().max(0)).unwrap_or(0);
    let mut points = Vec::new();
    let mut scale = 0;
    if let Some(start) = value_at(from) {
        points.push((ago(from), count(start.available)));
        scale = count(start.total);
    }
    for r in rows.iter().filter(|r| r.at > from) {
        points.push((ago(r.at), count(r.available)));
        scale = scale.max(count(r.total));
    }
    let usually = (0..hours)
        .map(|i| {
            // The middle of the window's `i`th hour, in each of the past weeks.
            let mid = from + Duration::hours(i64::from(i)) + Duration::minutes(30);
            let seen: Vec<u32> = (1..=USUAL_WEEKS)
                .filter_map(|w| value_at(mid - Duration::weeks(w)))
                .map(|r| count(r.available))
                .collect();
            let n = u32::try_from(seen.len()).ok().filter(|n| *n > 0)?;
            Some((seen.iter().sum::<u32>() + n / 2) / n)
        })
        .collect();
    let hour_starts = (0..hours)
        .map(|i| crate::feed::timestamp(from + Duration::hours(i64::from(i))))
        .collect();
    AvailabilityHistory {
        station_id,
        hours,
        until: crate::feed::timestamp(until),
        points,
        scale,
        usually,
        hour_starts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: DateTime<Utc>, available: i32) -> history::Model {
        history::Model {
            id: 0,
            station_id: 1,
            at,
            available,
            total: 10,
        }
    }

    #[test]
    fn the_window_starts_with_the_count_then_and_usually_averages_past_weeks() {
        let until = Utc::now();
        let h = |n: i64| until - Duration::hours(n);
        let rows = vec![
            row(h(2 * 168 + 3), 2), // two weeks ago, before the window's hour 20
            row(h(168 + 3), 4),     // one week ago, same time
            row(h(30), 7),          // before the window: its start value
            row(h(5), 3),
            row(h(1), 0),
        ];
        let s = shape(1, 24, until, &rows);
        assert_eq!(s.points, vec![(24 * 3600, 7), (5 * 3600, 3), (3600, 0)]);
        assert_eq!(s.scale, 10);
        assert_eq!(s.usually.len(), 24);
        // Hour 21 of the window (3 h before until): weeks ago it had 4 and 2 packs.
        assert_eq!(s.usually[21], Some(3));
        assert_eq!(s.range(), Some((0, 7)));
        assert_eq!(s.hour_starts.len(), 24);
        assert_eq!(s.hour_starts[0], crate::feed::timestamp(h(24)));
        assert_eq!(s.usually_lowest().map(|(_, n)| n), Some(2));
    }

    #[test]
    fn without_history_there_is_nothing_to_draw() {
        let s = shape(1, 24, Utc::now(), &[]);
        assert!(s.points.is_empty() && s.usually.iter().all(Option::is_none));
        assert_eq!(s.range(), None);
    }
}
