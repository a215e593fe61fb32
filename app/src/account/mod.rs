//! Accounts: registration, login sessions, API tokens and roles.
use serde::{Deserialize, Serialize};

pub mod admin;
pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Rider,
    Staff,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Rider, Self::Staff, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rider => "rider",
            Self::Staff => "staff",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
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
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Admins manage every station; staff only those assigned to them.
    pub fn can_manage(&self, station_id: i32) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Staff => self.stations.contains(&station_id),
            Role::Rider => false,
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

/// Password rules, checked on both sides so the form can tell the user early.
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

    #[test]
    fn staff_manage_only_their_stations() {
        let staff = CurrentUser {
            id: 1,
            email: "s@x.io".into(),
            display_name: "S".into(),
            role: Role::Staff,
            stations: vec![1],
        };
        assert!(staff.can_manage(1));
        assert!(!staff.can_manage(2));
        let rider = CurrentUser {
            role: Role::Rider,
            ..staff.clone()
        };
        assert!(!rider.can_manage(1));
        let admin = CurrentUser {
            role: Role::Admin,
            stations: vec![],
            ..staff
        };
        assert!(admin.can_manage(42));
    }
}
