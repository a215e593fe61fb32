//! Station persistence and domain operations (server only).
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect, TransactionTrait,
    entity::prelude::*,
};
use std::collections::HashMap;

use super::{StationCounts, StationDetail, StationStatus, StationSummary};
use crate::account::CurrentUser;
use crate::audit::ssr::{self as audit, Actor};
use crate::battery::{self, BatteryState};
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::{FeedMessage, timestamp};
use crate::ssr::Ctx;

mod admin;

pub use admin::{admin_assign, admin_create, admin_update};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "stations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub address: String,
        pub latitude: f64,
        pub longitude: f64,
        pub status: String,
        pub status_message: String,
        pub created_at: DateTimeUtc,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod staff {
    use sea_orm::entity::prelude::*;

    /// Which staff users run which stations.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_staff")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub station_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn summary(model: entity::Model, counts: StationCounts) -> StationSummary {
    StationSummary {
        id: model.id,
        status: StationStatus::parse(&model.status).unwrap_or(StationStatus::Offline),
        name: model.name,
        address: model.address,
        latitude: model.latitude,
        longitude: model.longitude,
        status_message: model.status_message,
        counts,
        version: model.version,
    }
}

/// Counts per station, from one grouped query over the battery rows.
async fn counts_by_station(
    conn: &impl ConnectionTrait,
    only: Option<i32>,
) -> AppResult<HashMap<i32, StationCounts>> {
    use battery::ssr::entity::{Column, Entity};
    let mut query = Entity::find()
        .select_only()
        .column(Column::StationId)
        .column(Column::State)
        .column_as(Column::Id.count(), "n")
        .group_by(Column::StationId)
        .group_by(Column::State);
    if let Some(id) = only {
        query = query.filter(Column::StationId.eq(id));
    }
    let rows: Vec<(i32, String, i64)> = query.into_tuple().all(conn).await?;
    let mut out: HashMap<i32, StationCounts> = HashMap::new();
    for (station_id, state, n) in rows {
        let c = out.entry(station_id).or_default();
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        match BatteryState::parse(&state) {
            Some(BatteryState::Available) => c.available += n,
            Some(BatteryState::Booked) => c.booked += n,
            Some(BatteryState::Charging) => c.charging += n,
            Some(BatteryState::Maintenance) => c.maintenance += n,
            _ => continue,
        }
        c.total += n;
    }
    Ok(out)
}

/// One station's counts; call inside the transaction that changed them.
pub async fn counts(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationCounts> {
    Ok(counts_by_station(conn, Some(station_id))
        .await?
        .remove(&station_id)
        .unwrap_or_default())
}

pub async fn find(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<entity::Model> {
    entity::Entity::find_by_id(station_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Station"))
}

/// Every station with its live counts, by name.
pub async fn list(conn: &impl ConnectionTrait) -> AppResult<Vec<StationSummary>> {
    let stations = entity::Entity::find()
        .order_by_asc(entity::Column::Name)
        .all(conn)
        .await?;
    let mut counts = counts_by_station(conn, None).await?;
    Ok(stations
        .into_iter()
        .map(|s| {
            let c = counts.remove(&s.id).unwrap_or_default();
            summary(s, c)
        })
        .collect())
}

pub async fn summary_of(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationSummary> {
    let model = find(conn, station_id).await?;
    Ok(summary(model, counts(conn, station_id).await?))
}

/// Records a change of the station inside the changing transaction: bumps its version (which
/// orders its events) and returns it as it will be committed.
pub async fn changed(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationSummary> {
    use sea_orm::sea_query::ExprTrait;
    let bumped = entity::Entity::update_many()
        .col_expr(
            entity::Column::Version,
            Expr::col(entity::Column::Version).add(1),
        )
        .filter(entity::Column::Id.eq(station_id))
        .exec(conn)
        .await?;
    if bumped.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    summary_of(conn, station_id).await
}

pub async fn detail(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<StationDetail> {
    let station = summary_of(conn, station_id).await?;
    let batteries = battery::ssr::at_station(conn, station_id).await?;
    Ok(StationDetail { station, batteries })
}

/// Stations a staff user is assigned to.
pub async fn assigned_to(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<Vec<i32>> {
    Ok(staff::Entity::find()
        .filter(staff::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.station_id)
        .collect())
}

pub async fn assign_staff(
    conn: &impl ConnectionTrait,
    station_id: i32,
    user_id: i32,
) -> AppResult<()> {
    staff::ActiveModel {
        station_id: Set(station_id),
        user_id: Set(user_id),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Staff of this station or an admin, else `Forbidden`.
pub fn authorize_manage(actor: &CurrentUser, station_id: i32) -> AppResult<()> {
    if actor.can_manage(station_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub struct NewStation {
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// Checks a new or edited station; returns its trimmed name.
fn validated_name(new: &NewStation) -> AppResult<String> {
    let name = new.name.trim().to_string();
    if name.is_empty() || name.len() > 120 {
        return Err(AppError::validation(
            "A station name is 1 to 120 characters.",
        ));
    }
    if !(-90.0..=90.0).contains(&new.latitude) || !(-180.0..=180.0).contains(&new.longitude) {
        return Err(AppError::validation(
            "Latitude must be within ±90 and longitude within ±180.",
        ));
    }
    Ok(name)
}

/// Creates a station (admin work; also used by the demo loader).
pub async fn create(conn: &impl ConnectionTrait, new: NewStation) -> AppResult<StationSummary> {
    let name = validated_name(&new)?;
    let model = entity::ActiveModel {
        name: Set(name),
        address: Set(new.address.trim().to_string()),
        latitude: Set(new.latitude),
        longitude: Set(new.longitude),
        status: Set(StationStatus::Online.as_str().into()),
        status_message: Set(String::new()),
        version: Set(0),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(name_taken)?;
    Ok(summary(model, StationCounts::default()))
}

/// A unique-name violation is the user's to fix; anything else is ours.
pub(crate) fn name_taken(err: sea_orm::DbErr) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::validation("A station with that name already exists.")
        }
        _ => err.into(),
    }
}

/// Sets a station's operational status; announces `station_status` to every subscriber.
pub async fn set_status(
    ctx: &Ctx,
    actor: &CurrentUser,
    station_id: i32,
    status: StationStatus,
    message: &str,
) -> AppResult<StationSummary> {
    authorize_manage(actor, station_id)?;
    let message = message.trim();
    if message.len() > 255 {
        return Err(AppError::validation(
            "The status message is at most 255 characters.",
        ));
    }
    let message = if message.is_empty() {
        default_status_message(status).to_string()
    } else {
        message.to_string()
    };
    let txn = ctx.db.begin().await?;
    // Write first: on SQLite a transaction that reads before writing can fail with SQLITE_BUSY.
    let updated = entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value(status.as_str()))
        .col_expr(entity::Column::StatusMessage, Expr::value(message.clone()))
        .filter(entity::Column::Id.eq(station_id))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("Station"));
    }
    let station = changed(&txn, station_id).await?;
    let event = DomainEvent::at(
        &station,
        FeedMessage::StationStatus {
            station_id,
            station_name: station.name.clone(),
            status,
            message,
            timestamp: timestamp(Utc::now()),
        },
    );
    let detail = format!("{}: {}", status.as_str(), station.status_message);
    audit::record(
        &txn,
        Actor::User(actor),
        Some(station_id),
        "station_status",
        detail,
    )
    .await?;
    ctx.commit(txn, vec![event]).await?;
    Ok(station)
}

pub fn default_status_message(status: StationStatus) -> &'static str {
    match status {
        StationStatus::Online => "Station is now operational",
        StationStatus::Offline => "Station is offline",
        StationStatus::Maintenance => "Station is under maintenance",
    }
}
