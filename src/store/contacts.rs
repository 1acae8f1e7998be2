//! Contacts of one account. Every function takes the account and scopes every
//! query by it: a contact of another account is simply not found. Every change
//! appends its event in the same transaction (see `contact_rows`).

use super::contact_rows::{Contact, ContactRow, contact_from_row, select_contacts, stored_instant};
use super::error::Conflict;
use super::{Store, StoreError, on_pool};
use crate::model::contact::ContactChanges;
use crate::model::{AccountId, ContactId, Email};
use crate::webhook::payload::ContactRecord;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// The most contacts one page holds.
pub const MAX_PAGE: u32 = 200;

/// One page of contacts in id order; `next_after` is the cursor of the next page,
/// `None` on the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub next_after: Option<ContactId>,
}

impl ContactPage {
    /// Builds a page from up to `limit + 1` rows (the extra one says "there is more").
    pub(super) fn from_rows(rows: Vec<ContactRow>, limit: u32) -> Result<ContactPage, StoreError> {
        let more = rows.len() > limit as usize;
        let contacts = rows
            .into_iter()
            .take(limit as usize)
            .map(contact_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = more.then(|| contacts.last().map(|c| c.id)).flatten();
        Ok(ContactPage {
            contacts,
            next_after,
        })
    }
}

/// The page size to use: 1 to [`MAX_PAGE`].
pub(super) fn page_limit(limit: u32) -> u32 {
    limit.clamp(1, MAX_PAGE)
}

impl Store {
    /// Creates a contact (and its `contact_created` event). A second contact with
    /// the same email in the account is a `Conflict::ContactEmail`.
    pub async fn create_contact(
        &self,
        account: AccountId,
        email: &Email,
        fields: &BTreeMap<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Contact, StoreError> {
        let now = stored_instant(now);
        let mut tx = self.begin().await?;
        let id = tx
            .insert_contact(account, email, fields, now)
            .await?
            .ok_or(StoreError::Conflict(Conflict::ContactEmail))?;
        tx.commit().await?;
        Ok(Contact {
            id,
            email: email.clone(),
            fields: fields.clone(),
            created_at: now,
            updated_at: now,
        })
    }

    pub async fn contact(&self, account: AccountId, id: ContactId) -> Result<Contact, StoreError> {
        let row: Option<ContactRow> = on_pool!(self, pool => {
            sqlx::query_as(select_contacts!("WHERE c.account_id = $1 AND c.id = $2"))
                .bind(account.0).bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        contact_from_row(row.ok_or(StoreError::NotFound)?)
    }

    pub async fn contact_by_email(
        &self,
        account: AccountId,
        email: &Email,
    ) -> Result<Option<Contact>, StoreError> {
        let row: Option<ContactRow> = on_pool!(self, pool => {
            sqlx::query_as(select_contacts!("WHERE c.account_id = $1 AND c.email = $2"))
                .bind(account.0).bind(email.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(contact_from_row).transpose()
    }

    /// Merges the changes into the contact. Returns the contact as saved and the
    /// keys whose value changed; a `contact_updated` event is appended only when
    /// that list is not empty.
    pub async fn update_contact(
        &self,
        account: AccountId,
        id: ContactId,
        changes: &ContactChanges,
        now: DateTime<Utc>,
    ) -> Result<(Contact, Vec<String>), StoreError> {
        let now = stored_instant(now);
        let mut tx = self.begin().await?;
        let mut contact = tx
            .lock_contact(account, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let changed = changes.apply(&mut contact.email, &mut contact.fields);
        if !changed.is_empty() {
            contact.updated_at = now;
            tx.save_contact(account, &contact, changed.clone(), now)
                .await?;
        }
        tx.commit().await?;
        Ok((contact, changed))
    }

    /// Deletes the contact and its group memberships.
    pub async fn delete_contact(
        &self,
        account: AccountId,
        id: ContactId,
    ) -> Result<(), StoreError> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM contacts WHERE account_id = $1 AND id = $2")
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

    /// Contacts in id order, after the cursor (keyset paging, stable under inserts).
    pub async fn list_contacts(
        &self,
        account: AccountId,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<ContactPage, StoreError> {
        let limit = page_limit(limit);
        let rows: Vec<ContactRow> = on_pool!(self, pool => {
            sqlx::query_as(select_contacts!("WHERE c.account_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3"))
                .bind(account.0).bind(after.map_or(0, |a| a.0)).bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await?
        });
        ContactPage::from_rows(rows, limit)
    }

    /// The contact as a webhook payload sees it: its values plus `groups`, the
    /// names of its groups in alphabetical order.
    pub async fn contact_record(
        &self,
        account: AccountId,
        id: ContactId,
    ) -> Result<ContactRecord, StoreError> {
        let contact = self.contact(account, id).await?;
        let groups = self.contact_groups(account, id).await?;
        let mut values = contact.fields;
        let names = groups.into_iter().map(|g| Value::String(g.name)).collect();
        values.insert("groups".into(), Value::Array(names));
        Ok(ContactRecord {
            id,
            email: contact.email,
            values,
        })
    }

    /// Whether the account exists (tools check before writing into it).
    pub async fn account_exists(&self, account: AccountId) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1")
                .bind(account.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }
}
