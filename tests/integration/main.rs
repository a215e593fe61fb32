//! Integration tests: a real server on an ephemeral port, a real database (SQLite by default,
//! PostgreSQL with `BATTERY_SWAP_TEST_DB=postgres`), real HTTP and WebSocket clients.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap is a failed test, with its message"
)]
mod in_process;
mod support;

mod accounts;
mod api;
mod backups;
mod bad_input;
mod caching;
mod cancel_rights;
mod cluster;
mod compression;
mod counter;
mod devices;
mod directory;
mod domain;
mod feeds;
mod feeds_auth;
mod feeds_limits;
mod feeds_protocol;
mod feeds_watch;
mod history;
mod idempotency;
mod listener_refresh;
mod low_stock;
mod migrations;
mod nearby;
mod ops_logs;
mod ops_metrics;
mod pack_claim;
mod pack_models;
mod push;
mod security_csrf;
mod security_http;
mod security_integrity;
mod security_logins;
mod security_privileges;
mod security_sessions;
mod security_sockets;
mod staff_access;
mod staff_admin;
mod staff_audit;
mod staff_batteries;
mod startup;
mod stored_values;
mod sweeper;
mod unit_of_work;
mod writer;
