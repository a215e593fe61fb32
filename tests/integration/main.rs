//! Integration tests: a real server on an ephemeral port, a real database (SQLite by default,
//! PostgreSQL with `BATTERY_SWAP_TEST_DB=postgres`), real HTTP and WebSocket clients.
mod support;

mod accounts;
mod api;
mod cluster;
mod domain;
mod feeds;
mod feeds_auth;
mod feeds_limits;
mod migrations;
mod staff;
mod startup;
