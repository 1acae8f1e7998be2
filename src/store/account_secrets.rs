//! What an admin manages in the browser's settings: the account's users and API
//! tokens (listed, removed) and the account's webhook signing secret (set once,
//! shown once, then only "a secret is set").

use super::{Store, StoreError, on_pool};
use crate::clock::from_millis;
use crate::model::{AccountId, UserId};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A user as the settings list shows them (never the password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct UserListing {
    pub id: UserId,
    pub email: String,
    pub role: super::UserRole,
    pub created_at: DateTime<Utc>,
}

/// A live (not revoked) API token: its name and the first characters only.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenListing {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The account's users, oldest first.
    pub async fn account_users(&self, account: AccountId) -> Result<Vec<UserListing>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, email, role, created_at FROM users WHERE account_id = $1 ORDER BY id",
            )
            .bind(account.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let role: String = row.try_get("role")?;
                    Ok(UserListing {
                        id: UserId(row.try_get("id")?),
                        email: row.try_get("email")?,
                        role: if role == "admin" { super::UserRole::Admin } else { super::UserRole::Marketer },
                        created_at: from_millis(row.try_get("created_at")?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// Removes one of the account's users (their tokens and sessions go with them).
    pub async fn delete_user(&self, account: AccountId, user: UserId) -> Result<(), StoreError> {
        let deleted = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // Sessions and tokens name the user; remove them first so the delete
            // does not depend on the engine enforcing foreign keys.
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND account_id = $2")
                .bind(user.0).bind(account.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE id = $1 AND account_id = $2)")
                .bind(user.0).bind(account.0)
                .execute(&mut *tx)
                .await?;
            let deleted = sqlx::query("DELETE FROM users WHERE id = $1 AND account_id = $2")
                .bind(user.0).bind(account.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            deleted
        });
        if deleted == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// The account's live API tokens, newest first.
    pub async fn account_tokens(
        &self,
        account: AccountId,
    ) -> Result<Vec<TokenListing>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
                 WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
            )
            .bind(account.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let last_used: Option<i64> = row.try_get("last_used_at")?;
                    Ok(TokenListing {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        prefix: row.try_get("prefix")?,
                        created_at: from_millis(row.try_get("created_at")?),
                        last_used_at: last_used.map(from_millis),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// Sets (or, with `None`, removes) the account's webhook signing secret, in
    /// its `whsec_…` form. Steps sign with it from their next request on.
    pub async fn set_account_signing_secret(
        &self,
        account: AccountId,
        secret: Option<&str>,
    ) -> Result<(), StoreError> {
        let updated = on_pool!(self, pool => {
            sqlx::query("UPDATE accounts SET signing_secret = $1 WHERE id = $2")
                .bind(secret).bind(account.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if updated == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}
