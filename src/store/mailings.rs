//! Mailings of one account: references to email campaigns sent elsewhere. Opens
//! and clicks arrive through tracking links (see `tracking`); the "email opened or
//! link clicked" trigger can name one mailing.

use super::contact_rows::stored_instant;
use super::forms::check_name;
use super::{Store, StoreError, on_pool};
use crate::clock::{from_millis, to_millis};
use crate::model::AccountId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A mailing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MailingId(pub i64);

/// A mailing's name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailingName(String);

impl MailingName {
    /// What is wrong, in plain words, when it cannot be a name.
    pub fn parse(raw: &str) -> Result<MailingName, String> {
        check_name(raw).map(MailingName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailing {
    pub id: MailingId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

fn mailing_from_row((id, name, created_at): (i64, String, i64)) -> Mailing {
    Mailing {
        id: MailingId(id),
        name,
        created_at: from_millis(created_at),
    }
}

impl Store {
    pub async fn create_mailing(
        &self,
        account: AccountId,
        name: &MailingName,
        now: DateTime<Utc>,
    ) -> Result<Mailing, StoreError> {
        let now = stored_instant(now);
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("INSERT INTO mailings (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(account.0).bind(name.as_str()).bind(to_millis(now))
                .fetch_one(pool)
                .await?
        });
        Ok(Mailing {
            id: MailingId(id),
            name: name.as_str().to_string(),
            created_at: now,
        })
    }

    /// Every mailing of the account, newest first.
    pub async fn mailings(&self, account: AccountId) -> Result<Vec<Mailing>, StoreError> {
        let rows: Vec<(i64, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, created_at FROM mailings WHERE account_id = $1 ORDER BY id DESC")
                .bind(account.0)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(mailing_from_row).collect())
    }

    pub async fn mailing(&self, account: AccountId, id: MailingId) -> Result<Mailing, StoreError> {
        let row: Option<(i64, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, created_at FROM mailings WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        row.map(mailing_from_row).ok_or(StoreError::NotFound)
    }

    pub async fn rename_mailing(
        &self,
        account: AccountId,
        id: MailingId,
        name: &MailingName,
    ) -> Result<Mailing, StoreError> {
        let renamed = on_pool!(self, pool => {
            sqlx::query("UPDATE mailings SET name = $1 WHERE account_id = $2 AND id = $3")
                .bind(name.as_str()).bind(account.0).bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if renamed == 0 {
            return Err(StoreError::NotFound);
        }
        self.mailing(account, id).await
    }

    /// Deletes the mailing; its tracking links stop counting from now on.
    pub async fn delete_mailing(
        &self,
        account: AccountId,
        id: MailingId,
    ) -> Result<(), StoreError> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM mailings WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}
