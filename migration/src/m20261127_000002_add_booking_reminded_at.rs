use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When the rider was reminded that their hold is running out: set once, by the sweep that
/// sends the reminder, so each booking is reminded at most once whatever instance sweeps.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .add_column(crate::timestamp_null(Bookings::RemindedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .drop_column(Bookings::RemindedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    RemindedAt,
}
