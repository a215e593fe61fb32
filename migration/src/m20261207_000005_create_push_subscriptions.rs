use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000001_create_users::Users;
use super::m20261125_000007_create_sessions::Sessions;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The devices a user turned push notifications on for: each browser's push endpoint and the
/// keys its pushes are encrypted to (RFC 8291), and the session it was turned on in. One row
/// per endpoint; removed when the user turns it off, when that session ends (logged out,
/// expired, revoked: whoever has the phone next gets none of this user's notifications), or
/// when the push service says it is gone (404, 410).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .col(pk_auto(PushSubscriptions::Id))
                    .col(integer(PushSubscriptions::UserId))
                    .col(integer(PushSubscriptions::SessionId))
                    .col(string_len(PushSubscriptions::Endpoint, 1000).unique_key())
                    .col(string_len(PushSubscriptions::P256dh, 100))
                    .col(string_len(PushSubscriptions::Auth, 50))
                    .col(crate::timestamp(PushSubscriptions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushSubscriptions::Table, PushSubscriptions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushSubscriptions::Table, PushSubscriptions::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("push_subscriptions_session")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::SessionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("push_subscriptions_user")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushSubscriptions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum PushSubscriptions {
    Table,
    Id,
    UserId,
    SessionId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}
