use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Who changed what, when: inventory, station status, bookings, staff and roles. Written in the
/// transaction of the change itself. Actor and station are copied, not referenced, so history
/// outlives the rows it mentions.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_auto(AuditLog::Id))
                    .col(integer_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Actor, 254))
                    .col(integer_null(AuditLog::StationId))
                    .col(string_len(AuditLog::Action, 48))
                    .col(text(AuditLog::Detail))
                    .col(crate::timestamp(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_station_time")
                    .table(AuditLog::Table)
                    .col(AuditLog::StationId)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Actor,
    StationId,
    Action,
    Detail,
    CreatedAt,
}
