use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000002_create_stations::Stations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Batteries::Table)
                    .col(pk_auto(Batteries::Id))
                    .col(integer(Batteries::StationId))
                    .col(string_len_uniq(Batteries::Serial, 64))
                    .col(string_len(Batteries::Model, 120))
                    .col(small_integer(Batteries::ChargePercent))
                    .col(string_len(Batteries::State, 16))
                    .col(crate::timestamp(Batteries::CreatedAt))
                    .col(crate::timestamp(Batteries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Batteries::Table, Batteries::StationId)
                            .to(Stations::Table, Stations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Counting and booking both scan a station's batteries by state.
        manager
            .create_index(
                Index::create()
                    .name("idx_batteries_station_state")
                    .table(Batteries::Table)
                    .col(Batteries::StationId)
                    .col(Batteries::State)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Batteries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Batteries {
    Table,
    Id,
    StationId,
    Serial,
    Model,
    ChargePercent,
    State,
    CreatedAt,
    UpdatedAt,
}
