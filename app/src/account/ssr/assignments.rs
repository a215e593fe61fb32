//! Who runs which station (`station_staff`): authorisation data, read when a user is loaded
//! and by a station's low-stock alerts. An admin changes it through
//! [`super::privileges::assign`].
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect, entity::prelude::*};

use super::entity::{station_staff as staff, user};
use crate::account::Role;
use crate::error::AppResult;

/// Stations a user is assigned to (they manage them only while they are staff).
pub async fn assigned_to(conn: &impl ConnectionTrait, user_id: i32) -> AppResult<Vec<i32>> {
    Ok(staff::Entity::find()
        .filter(staff::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.station_id)
        .collect())
}

/// A station's staff: users assigned to it who are staff now (an assignment left behind by a
/// change of role grants nothing, alerts included), by id.
pub async fn assigned_staff(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<Vec<i32>> {
    let assigned = Query::select()
        .column(staff::Column::UserId)
        .from(staff::Entity)
        .and_where(staff::Column::StationId.eq(station_id))
        .to_owned();
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(Role::Staff))
        .filter(user::Column::Id.in_subquery(assigned))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Assigns a user to a station, as a row of its own (the demo loader and tests; an admin's
/// assignment is [`super::privileges::assign`]).
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

/// Removes an assignment, if there is one.
pub(super) async fn unassign(
    conn: &impl ConnectionTrait,
    station_id: i32,
    user_id: i32,
) -> AppResult<()> {
    staff::Entity::delete_many()
        .filter(staff::Column::StationId.eq(station_id))
        .filter(staff::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}
