use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Server-side login sessions. Only a SHA-256 of the cookie value is stored, so a leaked
/// database does not leak live sessions.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_auto(Sessions::Id))
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(integer(Sessions::UserId))
                    .col(crate::timestamp(Sessions::CreatedAt))
                    .col(crate::timestamp(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
}
