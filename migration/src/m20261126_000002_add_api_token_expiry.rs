use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// API tokens expire (`--token-days`): a leaked token stops working on its own. The column is
/// nullable only because existing rows need a value first; tokens issued before this change get
/// the default lifetime from their creation, and a row left without one never authenticates.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(crate::timestamp_null(ApiTokens::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        // SQLite stores timestamps as RFC 3339 text; written in the same shape, they still
        // compare and decode like the rest.
        let backfill = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                "UPDATE api_tokens SET expires_at = \
                 strftime('%Y-%m-%dT%H:%M:%f+00:00', created_at, '+90 days')"
            }
            _ => "UPDATE api_tokens SET expires_at = created_at + INTERVAL '90 days'",
        };
        manager
            .get_connection()
            .execute_unprepared(backfill)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .drop_column(ApiTokens::ExpiresAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    ExpiresAt,
}
