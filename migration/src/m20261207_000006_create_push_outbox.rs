use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000006_create_notifications::Notifications;
use super::m20261207_000005_create_push_subscriptions::PushSubscriptions;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Pushes still to send, one row per notification and device: written in the change that stores
/// the notification, so a committed notification is always pushed; an instance claims a row
/// (`claimed_at`, its token) before it sends, so one instance pushes it, and deletes it once
/// sent. A claim older than a minute is an instance that died while sending: another takes it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushOutbox::Table)
                    .col(pk_auto(PushOutbox::Id))
                    .col(integer(PushOutbox::NotificationId))
                    .col(integer(PushOutbox::DeviceId))
                    .col(integer(PushOutbox::Attempts).default(0))
                    .col(crate::timestamp_null(PushOutbox::ClaimedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushOutbox::Table, PushOutbox::NotificationId)
                            .to(Notifications::Table, Notifications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushOutbox::Table, PushOutbox::DeviceId)
                            .to(PushSubscriptions::Table, PushSubscriptions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushOutbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PushOutbox {
    Table,
    Id,
    NotificationId,
    DeviceId,
    Attempts,
    ClaimedAt,
}
