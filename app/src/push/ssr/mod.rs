//! Push, server side: the VAPID keys, the devices, and the outbox of notifications to push.
pub mod devices;
pub mod entity;
pub mod keys;
pub mod outbox;

use crate::notification::ssr::entity as notification;

/// The most a push carries, in bytes: push services take about 4 KB, encryption included.
const MAX_PAYLOAD: usize = 3000;

/// What a push carries to the service worker, which shows it: the notification (its message
/// cut to fit, with "…"), where tapping it leads, and a tag, so that a notification pushed
/// twice (a retry) is shown once.
pub fn payload(note: &notification::Model) -> String {
    let url = if note.kind.starts_with("booking") {
        "/bookings"
    } else {
        "/notifications"
    };
    let json = |message: &str| {
        serde_json::json!({
            "title": note.title,
            "message": message,
            "level": note.level,
            "url": url,
            "tag": format!("notification-{}", note.id),
        })
        .to_string()
    };
    let mut message = note.message.clone();
    let mut body = json(&message);
    while body.len() > MAX_PAYLOAD && !message.is_empty() {
        let cut = body.len() - MAX_PAYLOAD + 3;
        let mut keep = message.len().saturating_sub(cut.max(16));
        while !message.is_char_boundary(keep) {
            keep -= 1;
        }
        message.truncate(keep);
        message = format!("{}…", message.trim_end_matches('…'));
        body = json(&message);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notification::Level;

    #[test]
    fn a_long_message_is_cut_to_fit_a_push() {
        let note = notification::Model {
            id: 7,
            user_id: 1,
            kind: "notification".into(),
            title: "Ü".repeat(200),
            message: "€".repeat(2000),
            level: Level::Info,
            read: false,
            created_at: chrono::Utc::now(),
        };
        let body = payload(&note);
        assert!(body.len() <= MAX_PAYLOAD, "{}", body.len());
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert!(json["message"].as_str().expect("text").ends_with("€…"));
        assert_eq!(json["tag"], "notification-7");
    }
}
