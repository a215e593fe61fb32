use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An admin can close a station for good: it leaves the directory (lists, plan view, feeds)
/// but keeps its rows, its packs and its history, and can be reopened. `NULL`: open.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stations::Table)
                    .add_column(crate::timestamp_null(Stations::ClosedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stations::Table)
                    .drop_column(Stations::ClosedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Stations {
    Table,
    ClosedAt,
}
