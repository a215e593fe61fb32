use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Stations::Table)
                    .col(pk_auto(Stations::Id))
                    .col(string_len_uniq(Stations::Name, 120))
                    .col(string_len(Stations::Address, 255))
                    .col(double(Stations::Latitude))
                    .col(double(Stations::Longitude))
                    .col(string_len(Stations::Status, 16).default("online"))
                    .col(string_len(Stations::StatusMessage, 255).default(""))
                    .col(crate::timestamp(Stations::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Stations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Stations {
    Table,
    Id,
    Name,
    Address,
    Latitude,
    Longitude,
    Status,
    StatusMessage,
    CreatedAt,
}
