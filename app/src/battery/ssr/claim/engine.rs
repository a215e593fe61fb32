//! Which way this server's database claims packs: chosen once when the server connects and
//! kept in its context (`Ctx::pack_claim`). A leaf, so the context names it without depending
//! on the claim itself, which works inside a change.
use sea_orm::DbBackend;

/// How this server's database claims a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackClaim {
    /// SQLite: writers are serialised, so the pick and the claim are one conditional `UPDATE`.
    OneStatement,
    /// PostgreSQL: concurrent bookings lock different packs (`FOR UPDATE SKIP LOCKED`).
    SkipLocked,
}

impl PackClaim {
    pub fn for_backend(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Postgres => PackClaim::SkipLocked,
            _ => PackClaim::OneStatement,
        }
    }
}
