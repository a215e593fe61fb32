use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Password-guessing throttles shared by every instance: one row per subject (an account's
/// email, a client address, a client address registering), counting attempts in a fixed window
/// that starts at the first one. Kept in the database, not in memory, so an attacker cannot
/// spread guesses over instances or wait for a restart.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottles::Table)
                    .col(pk_auto(LoginThrottles::Id))
                    // `account:<email>` (at most 254), `address:<ip>`, `register:<ip>`.
                    .col(string_len_uniq(LoginThrottles::Subject, 300))
                    .col(integer(LoginThrottles::Failures))
                    .col(crate::timestamp(LoginThrottles::WindowStart))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginThrottles::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Id,
    Subject,
    Failures,
    WindowStart,
}
