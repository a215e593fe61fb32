use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000002_create_stations::Stations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every committed change of a station's counts, one small row each, written in the changing
/// transaction: the station page's 24-hour chart and its "usually" line by hour of the week.
/// The sweeper deletes rows past the retention (`--history-days`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StationHistory::Table)
                    .col(pk_auto(StationHistory::Id))
                    .col(integer(StationHistory::StationId))
                    .col(crate::timestamp(StationHistory::At))
                    .col(integer(StationHistory::Available))
                    .col(integer(StationHistory::Total))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StationHistory::Table, StationHistory::StationId)
                            .to(Stations::Table, Stations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The chart reads one station's recent rows; the sweeper deletes old ones.
        manager
            .create_index(
                Index::create()
                    .name("idx_station_history_station_at")
                    .table(StationHistory::Table)
                    .col(StationHistory::StationId)
                    .col(StationHistory::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StationHistory::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StationHistory {
    Table,
    Id,
    StationId,
    At,
    Available,
    Total,
}
