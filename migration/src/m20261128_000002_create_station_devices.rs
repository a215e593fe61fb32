use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000002_create_stations::Stations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Station device credentials: a cabinet's token, scoped to one station, that may only report
/// its packs. Only a SHA-256 of the token is stored; a revoked device keeps its row (the audit
/// trail names it) and never authenticates again.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StationDevices::Table)
                    .col(pk_auto(StationDevices::Id))
                    .col(integer(StationDevices::StationId))
                    .col(string_len(StationDevices::Label, 100))
                    .col(string_len_uniq(StationDevices::TokenHash, 64))
                    .col(crate::timestamp(StationDevices::CreatedAt))
                    .col(crate::timestamp_null(StationDevices::LastReportAt))
                    .col(crate::timestamp_null(StationDevices::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StationDevices::Table, StationDevices::StationId)
                            .to(Stations::Table, Stations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StationDevices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StationDevices {
    Table,
    Id,
    StationId,
    Label,
    TokenHash,
    CreatedAt,
    LastReportAt,
    RevokedAt,
}
