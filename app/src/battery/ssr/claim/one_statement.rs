//! SQLite's claim: writers are serialised, so one conditional `UPDATE … WHERE id IN (pick) AND
//! state = 'available'` picks and claims at once. A write first, so no read lock is ever
//! upgraded (which fails with SQLITE_BUSY); nothing can take the pack in between, so none
//! claimed means none free.
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::ExprTrait;

use super::{Wanted, claim_where, one_claimed};
use crate::battery::ssr::entity::{self, Column};
use crate::change::Change;
use crate::error::AppResult;

pub(super) async fn claim(
    change: Change,
    wanted: &Wanted<'_>,
) -> AppResult<(Change, Option<entity::Model>)> {
    let claimed = claim_where(Expr::col(Column::Id).in_subquery(wanted.best()))
        .exec_with_returning(change.txn())
        .await?;
    let pack = one_claimed(wanted.station_id, claimed)?;
    Ok((change, pack))
}
