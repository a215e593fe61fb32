//! Claiming a pack for a booking: the one place where the two engines differ in how, chosen
//! once when the server connects ([`PackClaim::for_backend`]) and kept in the server's
//! context. Both claim the best-charged available pack at the station (of the rider's model,
//! when given) only if `also` holds in the same statement (the station is online), re-check
//! `state = 'available'` in the update, and abort the change if it ever claimed more than one.
//! The claim is its change's first statement: it takes the change, and gives it back (begun
//! again, if it had to wait: `skip_locked`).
use sea_orm::sea_query::{ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{UpdateMany, entity::prelude::*};

use super::entity::{self, Column, Entity};
use crate::battery::BatteryState;
use crate::change::Change;
use crate::error::{AppError, AppResult};

pub mod engine;
mod one_statement;
mod skip_locked;

pub use engine::PackClaim;

/// What a booking asks for.
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    pub station_id: i32,
    pub min_charge: i16,
    /// A pack model, or any.
    pub model: Option<&'a str>,
    /// A further condition checked in the claiming statement (the station is online).
    pub also: SimpleExpr,
}

impl Wanted<'_> {
    /// Of the model asked for, or of any.
    fn of_model(&self) -> SimpleExpr {
        match self.model {
            Some(m) => Expr::col(Column::Model).eq(m),
            None => Expr::val(true),
        }
    }

    /// Free packs that would do, unordered, one at most.
    fn free(&self) -> SelectStatement {
        Query::select()
            .column(Column::Id)
            .from(Entity)
            .and_where(Expr::col(Column::StationId).eq(self.station_id))
            .and_where(Expr::col(Column::State).eq(BatteryState::Available))
            .and_where(Expr::col(Column::ChargePercent).gte(self.min_charge))
            .and_where(self.of_model())
            .and_where(self.also.clone())
            .limit(1)
            .to_owned()
    }

    /// The best of them: the highest charge, then the lowest id.
    fn best(&self) -> SelectStatement {
        self.free()
            .order_by(Column::ChargePercent, Order::Desc)
            .order_by(Column::Id, Order::Asc)
            .to_owned()
    }
}

/// Claims a pack as `wanted` says in `change`, its first statement, the way its server's
/// database does ([`PackClaim`]), or nothing when none is free; gives the change back to go on
/// with.
pub async fn claim_pack(
    change: Change,
    wanted: &Wanted<'_>,
) -> AppResult<(Change, Option<entity::Model>)> {
    match change.ctx().pack_claim {
        PackClaim::OneStatement => one_statement::claim(change, wanted).await,
        PackClaim::SkipLocked => skip_locked::claim(change, wanted).await,
    }
}

/// Books the pack `pick` finds, if it is still available.
fn claim_where(pick: SimpleExpr) -> UpdateMany<Entity> {
    Entity::update_many()
        .col_expr(Column::State, Expr::value(BatteryState::Booked))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(pick)
        .filter(Column::State.eq(BatteryState::Available))
}

/// The claiming update's rows: one pack, or none; more is a bug, and the change is refused.
fn one_claimed(
    station_id: i32,
    mut claimed: Vec<entity::Model>,
) -> AppResult<Option<entity::Model>> {
    if claimed.len() > 1 {
        tracing::error!(
            station_id,
            claimed = claimed.len(),
            "a booking claimed several batteries; rolled back"
        );
        return Err(AppError::Internal);
    }
    Ok(claimed.pop())
}
