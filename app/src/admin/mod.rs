//! The admin page. Its own module, not a part of one concept: it composes the forms of several
//! (stations, staff assignments, roles, notifications, the audit trail).
pub mod view;
