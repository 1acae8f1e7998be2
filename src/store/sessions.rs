//! Browser sessions. The cookie holds 256 random bits; the database keeps only
//! their SHA-256, so a copy of the database cannot be used to sign in. A session
//! ends after `SESSION_IDLE` without a request, or `SESSION_LIFETIME` after login,
//! whichever comes first.

mod throttle;

pub use throttle::{LOGIN_LIMIT_PER_ADDRESS, LOGIN_LIMIT_PER_EMAIL, LOGIN_WINDOW, LoginLimited};

use super::{Store, StoreError, UserRole, on_pool};
use crate::auth::{hash_token, random_base62};
use crate::clock::{from_millis, to_millis};
use crate::model::{AccountId, UserId};
use crate::store::User;
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// A session ends after this long without a request…
pub const SESSION_IDLE: Duration = Duration::hours(12);
/// …and at the latest this long after login.
pub const SESSION_LIFETIME: Duration = Duration::days(7);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A session just created: the cookie value is only ever in this struct and in
/// the browser.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A live session and the user it signs in.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveSession {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub role: UserRole,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn expiry(created_at: i64, seen_at: i64) -> i64 {
    (seen_at + SESSION_IDLE.num_milliseconds())
        .min(created_at + SESSION_LIFETIME.num_milliseconds())
}

fn role_from_db(role: &str) -> UserRole {
    if role == "admin" {
        UserRole::Admin
    } else {
        UserRole::Marketer
    }
}

/// Cookie values are 43 base62 characters; anything else is not worth a query.
fn plausible(cookie: &str) -> bool {
    cookie.len() == 43 && cookie.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Store {
    /// Signs `user` in: a new session with its own CSRF token.
    pub async fn create_session(
        &self,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<NewSession, StoreError> {
        let cookie = random_base62(43);
        let csrf_token = random_base62(32);
        let now = to_millis(now);
        let expires_at = expiry(now, now);
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions
                   (id, user_id, account_id, csrf_token, created_at, last_seen_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $5, $6)",
            )
            .bind(hash_token(&cookie))
            .bind(user.id.0)
            .bind(user.account_id.0)
            .bind(&csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(NewSession {
            cookie,
            csrf_token,
            expires_at: from_millis(expires_at),
        })
    }

    /// The live session this cookie names, its expiry moved forward; `None` when
    /// it is unknown, ended or expired.
    pub async fn session_by_cookie(
        &self,
        cookie: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ActiveSession>, StoreError> {
        if !plausible(cookie) {
            return Ok(None);
        }
        let id = hash_token(cookie);
        let now = to_millis(now);
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT s.user_id, s.account_id, s.csrf_token, s.created_at, s.last_seen_at,
                        s.expires_at, u.email, u.role
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id = $1 AND s.expires_at > $2",
            )
            .bind(&id)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let created_at: i64 = row.try_get("created_at")?;
            let mut expires_at: i64 = row.try_get("expires_at")?;
            if now - row.try_get::<i64, _>("last_seen_at")? >= TOUCH_EVERY.num_milliseconds() {
                expires_at = expiry(created_at, now);
                sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
                    .bind(now)
                    .bind(expires_at)
                    .bind(&id)
                    .execute(pool)
                    .await?;
            }
            Ok(Some(ActiveSession {
                user_id: UserId(row.try_get("user_id")?),
                account_id: AccountId(row.try_get("account_id")?),
                email: row.try_get("email")?,
                role: role_from_db(&row.try_get::<String, _>("role")?),
                csrf_token: row.try_get("csrf_token")?,
                created_at: from_millis(created_at),
                expires_at: from_millis(expires_at),
            }))
        })
    }

    /// Ends the session this cookie names (logout, or a new login replacing it).
    /// Says whether there was one.
    pub async fn delete_session(&self, cookie: &str) -> Result<bool, StoreError> {
        if !plausible(cookie) {
            return Ok(false);
        }
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(hash_token(cookie))
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Ends every session of a user (signed out everywhere); returns how many.
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }

    /// Forgets expired sessions and login counts whose window has passed.
    pub async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let now = to_millis(now);
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?;
            sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
                .bind(now - LOGIN_WINDOW.num_milliseconds())
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
