//! Passwords (argon2id) and API tokens (random, stored only as a SHA-256 hash).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A password that passed the policy; only ever hashed, never stored as is.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is empty")]
    Empty,
    #[error("the password is too short: use at least {min} characters", min = Password::MIN_LEN)]
    TooShort,
    #[error("the password is too long: use at most {max} characters", max = Password::MAX_LEN)]
    TooLong,
    #[error(
        "the password is too easy to guess: avoid repeated characters, sequences and the email address"
    )]
    Weak,
}

impl Password {
    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 256;

    /// Checks the policy. `email` is the account it is for: the password may not
    /// contain its local part.
    pub fn parse(raw: &str, email: &str) -> Result<Self, PasswordError> {
        if raw.is_empty() {
            return Err(PasswordError::Empty);
        }
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(PasswordError::TooShort);
        }
        if len > Self::MAX_LEN {
            return Err(PasswordError::TooLong);
        }
        let lower = raw.to_lowercase();
        let distinct: std::collections::HashSet<char> = lower.chars().collect();
        let local = email.split('@').next().unwrap_or_default().to_lowercase();
        let common = [
            "password", "123456", "qwerty", "azerty", "letmein", "hookflow", "abcdef",
        ];
        if distinct.len() < 4
            || common.iter().any(|c| lower.contains(c))
            || (local.len() >= 4 && lower.contains(&local))
        {
            return Err(PasswordError::Weak);
        }
        Ok(Password(raw.to_string()))
    }

    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .expect("argon2 with default parameters cannot fail")
            .to_string()
    }
}

/// Checks a typed password against a stored argon2 hash.
pub fn verify_password(raw: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|h| {
            Argon2::default()
                .verify_password(raw.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new API token: shown once, then only its hash is kept.
pub struct NewToken {
    /// The whole secret, `hf_` followed by 43 URL-safe characters.
    pub secret: String,
    /// The first characters, kept in clear so a list of tokens can be told apart.
    pub prefix: String,
    pub hash: String,
}

pub const TOKEN_PREFIX: &str = "hf_";

pub fn new_token() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    NewToken {
        prefix: secret[..10].to_string(),
        hash: hash_token(&secret),
        secret,
    }
}

/// Tokens carry 256 random bits, so a fast hash is enough (no dictionary to guess).
pub fn hash_token(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
}

/// The base62 digits, in ASCII order: text made of them sorts like the numbers.
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Random URL-safe text for ids and session keys.
pub fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| BASE62[(rng.next_u32() % 62) as usize] as char)
        .collect()
}

/// Characters of a time-ordered id that hold the time: milliseconds since
/// 1970 in 8 base62 digits last until the year 8888.
const TIME_DIGITS: usize = 8;

/// Base62 text that sorts by time: `now` in milliseconds (8 characters), then
/// `random_len` random ones. A unique index takes such ids at its end, where
/// the last inserts already dirtied the pages, rather than each at a random
/// leaf of its own, so each insert writes fewer pages.
pub fn time_ordered_base62(now: DateTime<Utc>, random_len: usize) -> String {
    let mut millis = now.timestamp_millis().max(0) as u64;
    let mut digits = [b'0'; TIME_DIGITS];
    for d in digits.iter_mut().rev() {
        *d = BASE62[(millis % 62) as usize];
        millis /= 62;
    }
    let mut id: String = digits.iter().map(|&b| b as char).collect();
    id.push_str(&random_base62(random_len));
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_ordered_ids_sort_by_their_time() {
        let at = |ms: i64| Utc.timestamp_millis_opt(ms).unwrap();
        assert_eq!(&time_ordered_base62(at(0), 4)[..8], "00000000");
        assert_eq!(&time_ordered_base62(at(61), 4)[..8], "0000000z");
        assert_eq!(&time_ordered_base62(at(62), 4)[..8], "00000010");
        let times = [
            at(0),
            at(61),
            at(62),
            at(3_843),
            Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
                + chrono::Duration::milliseconds(1),
            Utc.with_ymd_and_hms(8888, 1, 1, 0, 0, 0).unwrap(),
        ];
        let ids: Vec<String> = times.iter().map(|&t| time_ordered_base62(t, 16)).collect();
        for id in &ids {
            assert_eq!(id.len(), 24);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        }
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} sorts before {}", pair[0], pair[1]);
        }
        // Made in the same millisecond, two ids share the time and differ after it.
        let (a, b) = (
            time_ordered_base62(times[4], 16),
            time_ordered_base62(times[4], 16),
        );
        assert_eq!(a[..8], b[..8]);
        assert_ne!(a, b);
    }

    #[test]
    fn a_strong_password_hashes_and_verifies() {
        let p = Password::parse("correct horse battery", "admin@example.org").unwrap();
        let h = p.hash();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn weak_or_empty_passwords_are_refused() {
        let e = "jane.doe@example.org";
        assert_eq!(Password::parse("", e).unwrap_err(), PasswordError::Empty);
        assert_eq!(
            Password::parse("short", e).unwrap_err(),
            PasswordError::TooShort
        );
        assert_eq!(
            Password::parse("aaaaaaaaaaaa", e).unwrap_err(),
            PasswordError::Weak
        );
        assert_eq!(
            Password::parse("MyPassword2024", e).unwrap_err(),
            PasswordError::Weak
        );
        assert_eq!(
            Password::parse("jane.doe-is-great", e).unwrap_err(),
            PasswordError::Weak
        );
        assert_eq!(
            Password::parse(&"xy1!".repeat(70), e).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with("hf_") && a.secret.len() == 46);
        assert_eq!(hash_token(&a.secret), a.hash);
        assert!(!a.hash.contains(&a.secret[3..]));
        assert_eq!(random_base62(24).len(), 24);
    }
}
