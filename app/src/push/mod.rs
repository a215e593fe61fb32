//! Web Push (issue #31): a rider's notifications (booking ready, the hold's reminder and
//! expiry, an admin's message) reach every device they turned push on for, whether or not a
//! tab is open.
//!
//! The browser's part is plain JavaScript, like the street map: `public/push.js` (the switch
//! on the Notifications page: permission, the browser's subscription, the calls below) and the
//! service worker's `push` handler (`src/service_worker.js`). This module keeps the devices and
//! what is still to be pushed; the server sends it (`src/push.rs`: encryption per RFC 8291,
//! VAPID per RFC 8292, the push services' answers).
pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

use serde::{Deserialize, Serialize};

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it: where its push
/// service takes pushes for it, and the keys they are encrypted to (base64url).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// The push services devices may name (`--push-services`): origins such as
/// `https://fcm.googleapis.com`, a leading `*.` for any subdomain. A device naming any other
/// endpoint is refused, so no rider can make the server post to an address of their choosing.
#[derive(Clone, Debug, Default)]
pub struct PushServices(pub Vec<String>);

impl PushServices {
    /// Whether `endpoint` is an `https://` (or, when listed so, `http://`) URL on a listed
    /// service.
    pub fn admit(&self, endpoint: &str) -> bool {
        let Some((scheme, rest)) = endpoint.split_once("://") else {
            return false;
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains('@') {
            return false;
        }
        self.0.iter().any(|service| {
            let Some((s, pattern)) = service.split_once("://") else {
                return false;
            };
            if s != scheme {
                return false;
            }
            match pattern.strip_prefix("*.") {
                Some(domain) => host
                    .strip_suffix(domain)
                    .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
                None => host == pattern,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_services_are_admitted() {
        let services = PushServices(vec![
            "https://fcm.googleapis.com".into(),
            "https://*.notify.windows.com".into(),
            "http://127.0.0.1:9100".into(),
        ]);
        assert!(services.admit("https://fcm.googleapis.com/fcm/send/abc"));
        assert!(services.admit("https://wns2-par02p.notify.windows.com/w/?token=x"));
        assert!(services.admit("http://127.0.0.1:9100/push/1"));
        assert!(!services.admit("http://fcm.googleapis.com/fcm/send/abc"));
        assert!(!services.admit("https://notify.windows.com/w"));
        assert!(!services.admit("https://evil.example/fcm.googleapis.com"));
        assert!(!services.admit("https://fcm.googleapis.com.evil.example/x"));
        assert!(!services.admit("https://user@fcm.googleapis.com/x"));
        assert!(!services.admit("http://127.0.0.1:9101/push/1"));
        assert!(!services.admit("fcm.googleapis.com/x"));
    }
}
