//! Accounts, users and API tokens.

use super::error::Conflict;
use super::{Store, StoreError, on_pool};
use crate::clock::{from_millis, to_millis};
use crate::model::{AccountId, Email, UserId};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    Admin,
    Marketer,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::Marketer => "marketer",
        }
    }

    fn from_db(s: &str) -> UserRole {
        if s == "admin" {
            UserRole::Admin
        } else {
            UserRole::Marketer
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub password_hash: String,
    pub role: UserRole,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
}

/// What `create_account` needs: the account and its first admin.
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub admin_email: &'a Email,
    pub admin_password_hash: &'a str,
}

macro_rules! select_user {
    ($where:literal) => {
        concat!(
            "SELECT id, account_id, email, password_hash, role, created_at FROM users WHERE ",
            $where
        )
    };
}

fn user_from_row<R: Row>(row: &R) -> Result<User, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    Ok(User {
        id: UserId(row.try_get("id")?),
        account_id: AccountId(row.try_get("account_id")?),
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        role: UserRole::from_db(&row.try_get::<String, _>("role")?),
        created_at: from_millis(row.try_get("created_at")?),
    })
}

impl Store {
    /// Creates an account and its first admin user, both or neither.
    pub async fn create_account(
        &self,
        new: NewAccount<'_>,
        now: DateTime<Utc>,
    ) -> Result<(AccountId, UserId), StoreError> {
        let now = to_millis(now);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let account: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id",
            )
            .bind(new.name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let user: i64 = sqlx::query_scalar(
                "INSERT INTO users (account_id, email, password_hash, role, created_at)
                 VALUES ($1, $2, $3, 'admin', $4) RETURNING id",
            )
            .bind(account)
            .bind(new.admin_email.as_str())
            .bind(new.admin_password_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::on_unique(e, "users_email_key", Conflict::UserEmail))?;
            tx.commit().await?;
            Ok((AccountId(account), UserId(user)))
        })
    }

    pub async fn create_user(
        &self,
        account: AccountId,
        email: &Email,
        password_hash: &str,
        role: UserRole,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        on_pool!(self, pool => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (account_id, email, password_hash, role, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(account.0)
            .bind(email.as_str())
            .bind(password_hash)
            .bind(role.as_str())
            .bind(to_millis(now))
            .fetch_one(pool)
            .await
            .map_err(|e| StoreError::on_unique(e, "users_email_key", Conflict::UserEmail))?;
            Ok(UserId(id))
        })
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(select_user!("email = $1")).bind(email.as_str()).fetch_optional(pool).await?;
            Ok(row.as_ref().map(user_from_row).transpose()?)
        })
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(select_user!("id = $1")).bind(id.0).fetch_optional(pool).await?;
            Ok(row.as_ref().map(user_from_row).transpose()?)
        })
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?)
        })
    }

    /// Stores a token's hash for the user's account.
    pub async fn create_token(
        &self,
        user: &User,
        name: &str,
        prefix: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiToken, StoreError> {
        on_pool!(self, pool => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (account_id, user_id, name, prefix, token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(user.account_id.0)
            .bind(user.id.0)
            .bind(name)
            .bind(prefix)
            .bind(token_hash)
            .bind(to_millis(now))
            .fetch_one(pool)
            .await?;
            Ok(ApiToken {
                id,
                account_id: user.account_id,
                user_id: user.id,
                name: name.to_string(),
                prefix: prefix.to_string(),
                created_at: now,
            })
        })
    }

    /// The live (not revoked) token with this hash.
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT id, account_id, user_id, name, prefix, created_at FROM api_tokens
                 WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            Ok(Some(ApiToken {
                id: row.try_get("id")?,
                account_id: AccountId(row.try_get("account_id")?),
                user_id: UserId(row.try_get("user_id")?),
                name: row.try_get("name")?,
                prefix: row.try_get("prefix")?,
                created_at: from_millis(row.try_get("created_at")?),
            }))
        })
    }

    pub async fn revoke_token(
        &self,
        account: AccountId,
        token_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1
                 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
            )
            .bind(to_millis(now))
            .bind(token_id)
            .bind(account.0)
            .execute(pool)
            .await?;
            if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
    }

    /// The account's time zone; UTC when it names none this build knows.
    pub async fn account_time_zone(&self, account: AccountId) -> Result<chrono_tz::Tz, StoreError> {
        let name: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT time_zone FROM accounts WHERE id = $1")
                .bind(account.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(name.and_then(|n| n.parse().ok()).unwrap_or(chrono_tz::UTC))
    }

    pub async fn set_account_time_zone(
        &self,
        account: AccountId,
        zone: chrono_tz::Tz,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let done = sqlx::query("UPDATE accounts SET time_zone = $1 WHERE id = $2")
                .bind(zone.name())
                .bind(account.0)
                .execute(pool)
                .await?;
            if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
    }

    /// The account's name and time zone.
    pub async fn account_settings(
        &self,
        account: AccountId,
    ) -> Result<(String, String), StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT name, time_zone FROM accounts WHERE id = $1")
                .bind(account.0)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok((row.try_get("name")?, row.try_get("time_zone")?))
        })
    }
}
