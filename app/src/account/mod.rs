//! Accounts: registration, login sessions, API tokens and roles.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pack_view;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod tokens_view;
pub mod view;

crate::stored_enum::stored_enum! {
    pub enum Role {
        Rider,
        Staff,
        Admin,
    }
}

/// The logged-in user as the app sees them. Holds no secret: safe to send to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Stations this user runs as staff.
    pub stations: Vec<i32>,
    /// The pack model a rider saved (their vehicle's): lists and Book default to it.
    #[serde(default)]
    pub pack_model: Option<String>,
}

/// Every permission rule of the app, in one place: server fns and domain functions call the
/// `ensure_*` methods, views the predicates (to hide what the server would refuse anyway).
impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Staff or admin: may open the console.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Staff | Role::Admin)
    }

    /// Admins manage every station; staff only those assigned to them.
    pub fn can_manage(&self, station_id: i32) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Staff => self.stations.contains(&station_id),
            Role::Rider => false,
        }
    }

    /// Admin, else `Forbidden`.
    pub fn ensure_admin(&self) -> Result<(), crate::error::AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(crate::error::AppError::Forbidden)
        }
    }

    /// Staff of this station or an admin, else `Forbidden`.
    /// On the server it also names the station on the request's log span: every staff action
    /// passes here with the station it acts on.
    pub fn ensure_manages(&self, station_id: i32) -> Result<(), crate::error::AppError> {
        #[cfg(feature = "ssr")]
        crate::observe::station(station_id);
        if self.can_manage(station_id) {
            Ok(())
        } else {
            Err(crate::error::AppError::Forbidden)
        }
    }
}

/// An API token as issued: the secret is shown to its owner this once and stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub id: i32,
    pub label: String,
    pub token: String,
}

/// Where riders manage their API tokens.
pub const TOKENS_PAGE: &str = "/account/tokens";

/// An API token as its owner sees it in the list: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i32,
    pub label: String,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// ISO 8601 UTC; the token stops working then.
    pub expires_at: String,
}

/// Password rules, checked on both sides so the form can tell the user early.
/// Where to go after logging in: `next` if it is a path on this site, else `/`. Only a path
/// that starts with one `/` qualifies: `//host`, `/\\host`, schemes and control characters
/// could send a rider to another site (an open redirect).
pub fn safe_next(next: &str) -> &str {
    let bytes = next.as_bytes();
    let same_site = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && next.len() <= 2000
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if same_site { next } else { "/" }
}

/// `/login?next=<path>`: the login page, coming back to `path` (with its query) afterwards.
pub fn login_href(path_and_query: &str) -> String {
    let mut encoded = String::with_capacity(path_and_query.len());
    for b in path_and_query.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(char::from(b));
            }
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    format!("/login?next={encoded}")
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

pub fn validate_password(password: &str) -> Result<(), crate::error::AppError> {
    let n = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n) {
        return Err(crate::error::AppError::validation(format!(
            "A password is {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters."
        )));
    }
    Ok(())
}

/// Normalises an email (trimmed, lower-case) and checks its shape.
pub fn normalize_email(email: &str) -> Result<String, crate::error::AppError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(crate::error::AppError::validation(
            "Enter a valid email address.",
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_of_this_site_are_followed_after_login() {
        use super::safe_next;
        for ok in ["/", "/stations/2", "/bookings?x=1", "/stations/2#book"] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil",
            "/a\nb",
            "/a b",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn the_login_link_carries_the_page_encoded() {
        assert_eq!(
            super::login_href("/stations/2?x=a b"),
            "/login?next=/stations/2%3Fx%3Da%20b"
        );
    }

    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            normalize_email("  Rider@Example.COM ").unwrap(),
            "rider@example.com"
        );
        assert!(normalize_email("no-at-sign").is_err());
        assert!(normalize_email("a@nodot").is_err());
        assert!(normalize_email("a b@x.com").is_err());
    }

    #[test]
    fn password_length_is_enforced() {
        assert!(validate_password("short").is_err());
        assert!(validate_password("exactly8").is_ok());
        assert!(validate_password(&"x".repeat(128)).is_ok());
        assert!(validate_password(&"x".repeat(129)).is_err());
    }

    fn user(role: Role, stations: Vec<i32>) -> CurrentUser {
        CurrentUser {
            id: 1,
            email: "s@x.io".into(),
            display_name: "S".into(),
            role,
            stations,
            pack_model: None,
        }
    }

    #[test]
    fn staff_manage_only_their_stations() {
        let staff = user(Role::Staff, vec![1]);
        assert!(staff.is_staff());
        assert!(staff.can_manage(1) && staff.ensure_manages(1).is_ok());
        assert!(!staff.can_manage(2) && staff.ensure_manages(2).is_err());
        assert!(staff.ensure_admin().is_err());
        let rider = user(Role::Rider, vec![1]);
        assert!(!rider.is_staff() && !rider.can_manage(1) && rider.ensure_manages(1).is_err());
        let admin = user(Role::Admin, vec![]);
        assert!(admin.can_manage(42) && admin.ensure_manages(42).is_ok());
        assert!(admin.is_staff() && admin.ensure_admin().is_ok());
    }
}
