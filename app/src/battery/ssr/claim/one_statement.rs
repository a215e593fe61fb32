//! SQLite's claim: writers are serialised, so one conditional `UPDATE … WHERE id IN (pick) AND
//! state = 'available'` picks and claims at once. A write first, so no read lock is ever
//! upgraded (which fails with SQLITE_BUSY); nothing can take the pack in between, so none
//! claimed means none free.
use chrono::Utc;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{DatabaseTransaction, entity::prelude::*};

use super::{Wanted, one_claimed};
use crate::battery::BatteryState;
use crate::battery::ssr::entity::{self, Column, Entity};
use crate::error::AppResult;

pub(super) async fn claim(
    txn: &DatabaseTransaction,
    wanted: &Wanted<'_>,
) -> AppResult<Option<entity::Model>> {
    let claimed = Entity::update_many()
        .col_expr(Column::State, Expr::value(BatteryState::Booked))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Expr::col(Column::Id).in_subquery(wanted.best()))
        .filter(Column::State.eq(BatteryState::Available))
        .exec_with_returning(txn)
        .await?;
    one_claimed(wanted.station_id, claimed)
}
