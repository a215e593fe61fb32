use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The server's VAPID key pair (RFC 8292), with which push services know our pushes: made at
/// the first start and kept, since every browser's subscription is bound to its public half.
/// One row; every instance reads the same.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushKeys::Table)
                    .col(integer(PushKeys::Id).primary_key())
                    .col(string_len(PushKeys::PrivateKey, 100))
                    .col(string_len(PushKeys::PublicKey, 100))
                    .col(crate::timestamp(PushKeys::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PushKeys {
    Table,
    Id,
    PrivateKey,
    PublicKey,
    CreatedAt,
}
