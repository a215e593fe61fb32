use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The answers of changes a client may send again (a booking, a cancel) under its own key: a
/// retry with the same key gets the first answer instead of a second change or a refusal of its
/// own. One row per user and key, written in the change's own transaction; pruned after a day.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(pk_auto(IdempotencyKeys::Id))
                    .col(integer(IdempotencyKeys::UserId))
                    .col(string_len(IdempotencyKeys::Key, 100))
                    .col(string_len(IdempotencyKeys::Request, 400))
                    .col(text(IdempotencyKeys::Answer))
                    .col(crate::timestamp(IdempotencyKeys::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyKeys::Table, IdempotencyKeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .index(
                        Index::create()
                            .name("idempotency_keys_user_key")
                            .col(IdempotencyKeys::UserId)
                            .col(IdempotencyKeys::Key)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotency_keys_created_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    UserId,
    Key,
    Request,
    Answer,
    CreatedAt,
}
