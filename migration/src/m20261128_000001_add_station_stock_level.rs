use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Where a station stands against the low-stock threshold, as its last committed change left
/// it: `stocked` (above), `low` (at or below, its staff told) or `NULL` (never above yet: a new
/// station being filled raises no alert). Kept on the row so that exactly one transaction, the
/// one that changes it under the station's row lock, tells the staff of each crossing.
///
/// Stations that exist already count as `stocked`: if one is low, its next change says so.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stations::Table)
                    .add_column(ColumnDef::new(Stations::StockLevel).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        manager
            .execute(
                Query::update()
                    .table(Stations::Table)
                    .value(Stations::StockLevel, "stocked")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stations::Table)
                    .drop_column(Stations::StockLevel)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Stations {
    Table,
    StockLevel,
}
