//! The login rate limit: failed attempts counted per normalised email and per
//! client address, in rows so every instance on the database shares the counts.
//!
//! An attempt is counted *before* the password is checked, in one atomic upsert,
//! so parallel guesses cannot slip past the limit; a successful login is then
//! forgiven (its email count cleared, its address count decreased). The window
//! is fixed: it starts with the first attempt and is not extended by later ones.

use super::super::{Store, StoreError, on_pool};
use crate::clock::{from_millis, to_millis};
use crate::model::Email;
use chrono::{DateTime, Duration, Utc};

/// How long failed attempts are remembered.
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);
/// Failed attempts allowed for one email in a window; the next is refused.
pub const LOGIN_LIMIT_PER_EMAIL: i64 = 5;
/// Failed attempts allowed from one client address in a window, all emails together.
pub const LOGIN_LIMIT_PER_ADDRESS: i64 = 50;

/// Too many failed attempts: no password is checked until `retry_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimited {
    pub retry_at: DateTime<Utc>,
}

impl LoginLimited {
    /// Whole minutes (at least one) until another attempt is allowed.
    pub fn minutes_left(&self, now: DateTime<Utc>) -> i64 {
        let seconds = (self.retry_at - now).num_seconds().max(0);
        ((seconds + 59) / 60).max(1)
    }

    /// What the login page says.
    pub fn message(&self, now: DateTime<Utc>) -> String {
        let minutes = self.minutes_left(now);
        let unit = if minutes == 1 { "minute" } else { "minutes" };
        format!(
            "Too many failed login attempts. Try again in {minutes} {unit} (after {} UTC).",
            self.retry_at.format("%H:%M")
        )
    }
}

/// The same person typing `Jane@Example.org ` and `jane@example.org` is one key.
fn email_key(raw: &str) -> String {
    let normalised = Email::parse(raw)
        .map(String::from)
        .unwrap_or_else(|_| raw.trim().to_lowercase());
    format!("email:{}", normalised.chars().take(320).collect::<String>())
}

fn address_key(address: &str) -> String {
    format!("address:{}", address.chars().take(64).collect::<String>())
}

impl Store {
    /// Counts one login attempt for this email and client address. `Err` when
    /// either has used up its attempts in the current window: then the password
    /// must not be checked, even a correct one.
    pub async fn count_login_attempt(
        &self,
        email: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), LoginLimited>, StoreError> {
        let keys = [
            (email_key(email), LOGIN_LIMIT_PER_EMAIL),
            (address_key(address), LOGIN_LIMIT_PER_ADDRESS),
        ];
        let mut limited: Option<DateTime<Utc>> = None;
        for (key, limit) in keys {
            let (window_start, count) = self.count_attempt(&key, now).await?;
            if count > limit {
                let retry_at = from_millis(window_start) + LOGIN_WINDOW;
                limited = Some(limited.map_or(retry_at, |r| r.max(retry_at)));
            }
        }
        Ok(match limited {
            Some(retry_at) => Err(LoginLimited { retry_at }),
            None => Ok(()),
        })
    }

    /// A successful login does not count against the limit.
    pub async fn forgive_login_attempt(
        &self,
        email: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM login_attempts WHERE key = $1")
                .bind(email_key(email))
                .execute(pool)
                .await?;
            sqlx::query("UPDATE login_attempts SET count = count - 1 WHERE key = $1 AND count > 0")
                .bind(address_key(address))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Adds one attempt to `key`, starting a new window when the last one has
    /// passed; returns the window's start and its count, this attempt included.
    async fn count_attempt(&self, key: &str, now: DateTime<Utc>) -> Result<(i64, i64), StoreError> {
        let now = to_millis(now);
        let passed = now - LOGIN_WINDOW.num_milliseconds();
        on_pool!(self, pool => {
            // In SET, `login_attempts.*` are the values before the update.
            let row: (i64, i64) = sqlx::query_as(
                "INSERT INTO login_attempts (key, window_start, count) VALUES ($1, $2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                   count = CASE WHEN login_attempts.window_start <= $3
                                THEN 1 ELSE login_attempts.count + 1 END,
                   window_start = CASE WHEN login_attempts.window_start <= $3
                                THEN $2 ELSE login_attempts.window_start END
                 RETURNING window_start, count",
            )
            .bind(key)
            .bind(now)
            .bind(passed)
            .fetch_one(pool)
            .await?;
            Ok(row)
        })
    }
}
