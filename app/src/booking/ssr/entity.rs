use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rider_id: i32,
    pub battery_id: i32,
    pub station_id: i32,
    pub status: String,
    pub collection_code: String,
    pub cancel_reason: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub ready_at: Option<DateTimeUtc>,
    pub collected_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
