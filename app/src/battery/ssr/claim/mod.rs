//! Claiming a pack for a booking: the one place where the two engines differ in how, chosen
//! once when the server connects ([`PackClaim::for_backend`]) and kept in the server's
//! context. Both claim the best-charged available pack at the station (of the rider's model,
//! when given) only if `also` holds in the same statement (the station is online), re-check
//! `state = 'available'` in the update, and abort the change if it ever claimed more than one.
use sea_orm::sea_query::{ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{DatabaseTransaction, DbBackend, entity::prelude::*};

use super::entity::{self, Column, Entity};
use crate::battery::BatteryState;
use crate::error::{AppError, AppResult};

mod one_statement;
mod skip_locked;

/// How this server's database claims a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackClaim {
    /// SQLite: writers are serialised, so the pick and the claim are one conditional `UPDATE`.
    OneStatement,
    /// PostgreSQL: concurrent bookings lock different packs (`FOR UPDATE SKIP LOCKED`).
    SkipLocked,
}

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

impl PackClaim {
    pub fn for_backend(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Postgres => PackClaim::SkipLocked,
            _ => PackClaim::OneStatement,
        }
    }

    /// Claims a pack as `wanted` says, or nothing when none is free.
    pub async fn claim(
        self,
        txn: &DatabaseTransaction,
        wanted: &Wanted<'_>,
    ) -> AppResult<Option<entity::Model>> {
        match self {
            PackClaim::OneStatement => one_statement::claim(txn, wanted).await,
            PackClaim::SkipLocked => skip_locked::claim(txn, wanted).await,
        }
    }
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
