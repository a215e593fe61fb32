use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Which stations hold a charged pack of a model now (`/api/nearby?model=`, the directory's
/// "only my pack"): without it the database read every pack of the network for each such
/// query (measured at 10,000 stations and 200,000 packs: docs/perf/2026-12-07-nearby.md).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_batteries_state_model_station")
                    .table(Batteries::Table)
                    .col(Batteries::State)
                    .col(Batteries::Model)
                    .col(Batteries::StationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_batteries_state_model_station")
                    .table(Batteries::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Batteries {
    Table,
    State,
    Model,
    StationId,
}
