//! The `audit_log` table: append-only, one row per change.
use sea_orm::entity::prelude::*;

use crate::audit::AuditAction;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub actor_id: Option<i32>,
    pub actor: String,
    pub station_id: Option<i32>,
    pub action: AuditAction,
    pub detail: String,
    pub created_at: DateTimeUtc,
    /// The client address of the request that made the change, if one did.
    pub client_addr: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
