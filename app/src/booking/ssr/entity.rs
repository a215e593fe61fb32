//! The `bookings` table, with the station and battery each booking belongs to (for joins).
use sea_orm::entity::prelude::*;

use crate::booking::BookingStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rider_id: i32,
    pub battery_id: i32,
    pub station_id: i32,
    pub status: BookingStatus,
    pub collection_code: String,
    pub cancel_reason: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub ready_at: Option<DateTimeUtc>,
    pub collected_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// Set when the rider was told the hold runs out soon (once per booking).
    pub reminded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::station::ssr::entity::station::Entity",
        from = "Column::StationId",
        to = "crate::station::ssr::entity::station::Column::Id"
    )]
    Station,
    #[sea_orm(
        belongs_to = "crate::battery::ssr::entity::Entity",
        from = "Column::BatteryId",
        to = "crate::battery::ssr::entity::Column::Id"
    )]
    Battery,
}

impl ActiveModelBehavior for ActiveModel {}
