use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000001_create_users::Users;
use super::m20261125_000002_create_stations::Stations;
use super::m20261125_000004_create_batteries::Batteries;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A booking is active while confirmed or ready.
const ACTIVE: &str = "status IN ('confirmed', 'ready')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Bookings::Table)
                    .col(pk_auto(Bookings::Id))
                    .col(integer(Bookings::RiderId))
                    .col(integer(Bookings::BatteryId))
                    .col(integer(Bookings::StationId))
                    .col(string_len(Bookings::Status, 16))
                    .col(string_len(Bookings::CollectionCode, 12))
                    .col(string_len(Bookings::CancelReason, 255).default(""))
                    .col(crate::timestamp(Bookings::CreatedAt))
                    .col(crate::timestamp(Bookings::ExpiresAt))
                    .col(crate::timestamp_null(Bookings::ReadyAt))
                    .col(crate::timestamp_null(Bookings::CollectedAt))
                    .col(crate::timestamp_null(Bookings::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bookings::Table, Bookings::RiderId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bookings::Table, Bookings::BatteryId)
                            .to(Batteries::Table, Batteries::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bookings::Table, Bookings::StationId)
                            .to(Stations::Table, Stations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Partial unique indexes are the last line of defence against a double booking:
        // one active booking per battery, and one per rider. Same SQL on SQLite and PostgreSQL.
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX uq_bookings_active_battery ON bookings (battery_id) WHERE {ACTIVE}"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX uq_bookings_active_rider ON bookings (rider_id) WHERE {ACTIVE}"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_bookings_station_status ON bookings (station_id, status)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Bookings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    Id,
    RiderId,
    BatteryId,
    StationId,
    Status,
    CollectionCode,
    CancelReason,
    CreatedAt,
    ExpiresAt,
    ReadyAt,
    CollectedAt,
    ClosedAt,
}
