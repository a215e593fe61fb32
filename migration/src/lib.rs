//! Schema migrations, one reversible change per file (sea-orm-cli naming).
//!
//! Demo data is deliberately not here: it is loaded by the server's `--demo` flag.
pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_users;
mod m20261125_000002_create_stations;
mod m20261125_000003_create_station_staff;
mod m20261125_000004_create_batteries;
mod m20261125_000005_create_bookings;
mod m20261125_000006_create_notifications;
mod m20261125_000007_create_sessions;
mod m20261125_000008_create_api_tokens;
mod m20261125_000009_create_audit_log;
mod m20261125_000010_add_station_version;
mod m20261126_000001_create_login_throttles;
mod m20261126_000002_add_api_token_expiry;
mod m20261127_000001_add_station_closed_at;
mod m20261127_000002_add_booking_reminded_at;
mod m20261127_000003_add_user_pack_model;
mod m20261127_000004_create_station_history;
mod m20261128_000001_add_station_stock_level;
mod m20261128_000002_create_station_devices;
mod m20261207_000001_create_idempotency_keys;
mod m20261207_000002_add_audit_client_addr;
mod m20261207_000003_add_battery_model_index;
mod m20261207_000004_create_push_keys;
mod m20261207_000005_create_push_subscriptions;
mod m20261207_000006_create_push_outbox;
mod m20261207_000007_index_foreign_keys;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_users::Migration),
            Box::new(m20261125_000002_create_stations::Migration),
            Box::new(m20261125_000003_create_station_staff::Migration),
            Box::new(m20261125_000004_create_batteries::Migration),
            Box::new(m20261125_000005_create_bookings::Migration),
            Box::new(m20261125_000006_create_notifications::Migration),
            Box::new(m20261125_000007_create_sessions::Migration),
            Box::new(m20261125_000008_create_api_tokens::Migration),
            Box::new(m20261125_000009_create_audit_log::Migration),
            Box::new(m20261125_000010_add_station_version::Migration),
            Box::new(m20261126_000001_create_login_throttles::Migration),
            Box::new(m20261126_000002_add_api_token_expiry::Migration),
            Box::new(m20261127_000001_add_station_closed_at::Migration),
            Box::new(m20261127_000002_add_booking_reminded_at::Migration),
            Box::new(m20261127_000003_add_user_pack_model::Migration),
            Box::new(m20261127_000004_create_station_history::Migration),
            Box::new(m20261128_000001_add_station_stock_level::Migration),
            Box::new(m20261128_000002_create_station_devices::Migration),
            Box::new(m20261207_000001_create_idempotency_keys::Migration),
            Box::new(m20261207_000002_add_audit_client_addr::Migration),
            Box::new(m20261207_000003_add_battery_model_index::Migration),
            Box::new(m20261207_000004_create_push_keys::Migration),
            Box::new(m20261207_000005_create_push_subscriptions::Migration),
            Box::new(m20261207_000006_create_push_outbox::Migration),
            Box::new(m20261207_000007_index_foreign_keys::Migration),
        ]
    }
}

/// Timestamps are stored with their zone on PostgreSQL and as ISO text on SQLite.
pub(crate) fn timestamp<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

pub(crate) fn timestamp_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().take()
}
