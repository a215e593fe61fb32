use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every foreign key leads an index of its own (issue #32): the rider's bookings were read by a
/// scan of every booking (only the active ones had an index), and so were a user's sessions and
/// tokens (logout everywhere, the tokens page), a user's stations (every staff request's
/// rights), a station's devices, and the push rows a deleted notification or device takes with
/// it. `tests/integration/migrations.rs` checks the rule on both databases.
const INDEXES: [(&str, &str, &str); 8] = [
    ("idx_bookings_rider", "bookings", "rider_id"),
    ("idx_bookings_battery", "bookings", "battery_id"),
    ("idx_sessions_user", "sessions", "user_id"),
    ("idx_api_tokens_user", "api_tokens", "user_id"),
    ("idx_station_staff_user", "station_staff", "user_id"),
    (
        "idx_station_devices_station",
        "station_devices",
        "station_id",
    ),
    (
        "idx_push_outbox_notification",
        "push_outbox",
        "notification_id",
    ),
    ("idx_push_outbox_device", "push_outbox", "device_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
