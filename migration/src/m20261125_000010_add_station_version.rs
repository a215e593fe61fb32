use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A per-station counter bumped by every transaction that changes the station's inventory or
/// status. Events carry it, so a socket can drop an event older than what it already showed
/// (a late NOTIFY, two commits published out of order).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stations::Table)
                    .add_column(big_integer(Stations::Version).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stations::Table)
                    .drop_column(Stations::Version)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Stations {
    Table,
    Version,
}
