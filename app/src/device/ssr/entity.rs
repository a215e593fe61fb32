//! `station_devices`: one row per device credential, written only by `device::ssr`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "station_devices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The one station whose packs this device may report.
    pub station_id: i32,
    pub label: String,
    /// SHA-256 of the token: the database alone never lets anyone report.
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub last_report_at: Option<DateTimeUtc>,
    /// Set when an admin revoked it; the row stays so the audit trail can name it.
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
