//! Notifications: persisted per user and pushed live on `/ws/notifications/`.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

crate::stored_enum::stored_enum! {
    #[derive(Default)]
    pub enum Level {
        #[default]
        Info,
        Success,
        Warning,
        Error,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i32,
    /// The feed message type it was sent as (`notification`, `booking_confirmed`, ...).
    pub kind: String,
    pub title: String,
    pub message: String,
    pub level: Level,
    pub read: bool,
    pub created_at: String,
}
