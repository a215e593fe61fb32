//! Integration tests: a real server on an ephemeral port, a real database (SQLite by default,
//! PostgreSQL with `BATTERY_SWAP_TEST_DB=postgres`), real HTTP and WebSocket clients.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap is a failed test, with its message"
)]
mod support;

mod accounts;
mod api;
mod cluster;
mod domain;
mod feeds;
mod feeds_auth;
mod feeds_limits;
mod migrations;
mod staff_access;
mod staff_admin;
mod staff_audit;
mod staff_batteries;
mod startup;
mod stored_values;
