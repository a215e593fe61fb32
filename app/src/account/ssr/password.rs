//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow, so it runs on the blocking pool, never on a runtime worker.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

use crate::error::{AppError, AppResult};

pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = salt()?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Checks `password` against `stored`, or against a dummy hash when there is no such user, so
/// that an unknown email costs the same time as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    let known = stored.is_some();
    let stored = match stored {
        Some(s) => s,
        None => dummy_hash().to_string(),
    };
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|_| AppError::Internal)?;
    Ok(ok && known)
}

/// A fresh 128-bit salt from the OS generator.
fn salt() -> Result<SaltString, argon2::password_hash::Error> {
    SaltString::encode_b64(&rand::random::<[u8; 16]>())
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        salt()
            .and_then(|salt| {
                Argon2::default()
                    .hash_password(b"not-a-real-password", &salt)
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}
