use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000001_create_users::Users;
use super::m20261125_000002_create_stations::Stations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StationStaff::Table)
                    .col(integer(StationStaff::StationId))
                    .col(integer(StationStaff::UserId))
                    .primary_key(
                        Index::create()
                            .col(StationStaff::StationId)
                            .col(StationStaff::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StationStaff::Table, StationStaff::StationId)
                            .to(Stations::Table, Stations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StationStaff::Table, StationStaff::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StationStaff::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StationStaff {
    Table,
    StationId,
    UserId,
}
