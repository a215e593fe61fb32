//! A station's version and counts, as a change commits them (server only): called by the unit
//! of work (`crate::change::Change`) for every station a change touched.
use sea_orm::sea_query::InsertStatement;
use sea_orm::{ConnectionTrait, entity::prelude::*};

use super::entity::station as st;
use super::history;
use super::read::{stock, summary};
use super::stock_alert;
use crate::change::event::Event;
use crate::context::Rules;
use crate::error::{AppError, AppResult};
use crate::station::StationSummary;

/// A station as a change will commit it.
pub struct Recounted {
    pub station: StationSummary,
    /// The low-stock crossing the change made, if any.
    pub crossed: Option<Event>,
    /// Its history row, for the change to write at its commit.
    pub history: InsertStatement,
}

/// Records a change of the station inside the changing transaction: bumps its version (which
/// orders its events, and locks its row until commit), recounts its batteries, follows its
/// stock level (`stock_alert`), and returns it as it will be committed, with the low-stock
/// crossing the change made and the row of its history. Only the unit of work calls it
/// (`Change::recount`), which raises the crossing after the change's own events and writes
/// the history row with its commit.
pub async fn bump_version_and_recount(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    station_id: i32,
) -> AppResult<Recounted> {
    use sea_orm::sea_query::ExprTrait;
    // The bumped row comes back with the write (`RETURNING`): one round trip fewer while the
    // row is locked.
    let model = st::Entity::update_many()
        .col_expr(st::Column::Version, Expr::col(st::Column::Version).add(1))
        .filter(st::Column::Id.eq(station_id))
        .exec_with_returning(conn)
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("Station"))?;
    let level = model.stock_level;
    let station = summary(model, stock(conn, station_id).await?);
    let crossed = stock_alert::follow(conn, rules.low_stock_threshold, &station, level).await?;
    Ok(Recounted {
        history: history::row(&station),
        station,
        crossed,
    })
}
