//! Every metric name the service exposes (their `# HELP` lines are in `describe`, beside the
//! recorder). Imports nothing: the request layer, the hub, the sockets, the sweeper and the
//! PostgreSQL listener record under these names without depending on what serves them.
pub const HTTP_REQUESTS: &str = "battery_swap_http_requests_total";
pub const HTTP_SECONDS: &str = "battery_swap_http_request_duration_seconds";
pub const REFUSALS: &str = "battery_swap_refusals_total";
pub const SOCKETS_OPEN: &str = "battery_swap_ws_sockets_open";
pub const SOCKET_CLOSES: &str = "battery_swap_ws_closes_total";
pub const DELIVERED: &str = "battery_swap_ws_messages_delivered_total";
pub const SLOW_CONSUMER_CLOSES: &str = "battery_swap_ws_slow_consumer_closes_total";
pub const DB_POOL: &str = "battery_swap_db_pool_connections";
pub const DB_POOL_MAX: &str = "battery_swap_db_pool_max_connections";
pub const HASHES_IN_FLIGHT: &str = "battery_swap_password_hashes_in_flight";
pub const HASHES_QUEUED: &str = "battery_swap_password_hashes_queued";
pub const HASH_CONCURRENCY: &str = "battery_swap_password_hash_concurrency";
pub const LISTENER_RECONNECTS: &str = "battery_swap_pg_listener_reconnects_total";
pub const SWEEPS: &str = "battery_swap_sweeper_runs_total";
pub const SWEEP_LAST: &str = "battery_swap_sweeper_last_run_timestamp_seconds";
pub const EXPIRED_BOOKINGS: &str = "battery_swap_bookings_expired_total";
pub const EXPIRED_CREDENTIALS: &str = "battery_swap_credentials_expired_total";
pub const BUILD_INFO: &str = "battery_swap_build_info";
