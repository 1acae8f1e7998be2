//! Reading and writing contact rows inside a transaction. Every write appends its
//! event (`contact_created`, `contact_updated`) in that same transaction.

use super::error::Conflict;
use super::{StoreError, StoreTx, on_tx};
use crate::clock::{from_millis, to_millis};
use crate::engine::event::ContactEvent;
use crate::model::{AccountId, ContactId, Email};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// A contact as stored: its email and its field values keyed by catalogue key.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: ContactId,
    pub email: Email,
    /// Every value but the email; group memberships are not here.
    pub fields: BTreeMap<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `id, email, fields, created_at, updated_at`, as `query_as` reads them.
pub(super) type ContactRow = (i64, String, String, i64, i64);

/// `SELECT` of every contact column from `contacts c`, then `$rest`.
macro_rules! select_contacts {
    ($rest:literal) => {
        concat!(
            "SELECT c.id, c.email, c.fields, c.created_at, c.updated_at FROM contacts c ",
            $rest
        )
    };
}
pub(super) use select_contacts;

pub(super) fn contact_from_row(row: ContactRow) -> Result<Contact, StoreError> {
    let (id, email, fields, created_at, updated_at) = row;
    let email = Email::parse(&email).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let fields = match serde_json::from_str(&fields) {
        Ok(fields) => fields,
        Err(e) => {
            tracing::warn!(contact_id = id, error = %e, "unreadable contact fields ignored");
            BTreeMap::new()
        }
    };
    Ok(Contact {
        id: ContactId(id),
        email,
        fields,
        created_at: from_millis(created_at),
        updated_at: from_millis(updated_at),
    })
}

pub(super) fn fields_json(fields: &BTreeMap<String, Value>) -> String {
    serde_json::to_string(fields).expect("JSON values serialise")
}

/// The instant as the store keeps it (whole milliseconds), so what a write
/// returns equals what a later read returns.
pub(super) fn stored_instant(now: DateTime<Utc>) -> DateTime<Utc> {
    from_millis(to_millis(now))
}

// Locking reads start with a write that changes nothing: it takes SQLite's write
// lock (so the read-then-write cannot fail on a stale snapshot) and PostgreSQL's
// row lock (so two concurrent merges cannot lose each other's changes), with one
// SQL text for both engines.
impl StoreTx {
    pub(super) async fn lock_contact(
        &mut self,
        account: AccountId,
        id: ContactId,
    ) -> Result<Option<Contact>, StoreError> {
        let row: Option<ContactRow> = on_tx!(self, conn => {
            sqlx::query("UPDATE contacts SET updated_at = updated_at WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(id.0)
                .execute(&mut *conn)
                .await?;
            sqlx::query_as(select_contacts!("WHERE c.account_id = $1 AND c.id = $2"))
                .bind(account.0).bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
        });
        row.map(contact_from_row).transpose()
    }

    pub(super) async fn lock_contact_by_email(
        &mut self,
        account: AccountId,
        email: &Email,
    ) -> Result<Option<Contact>, StoreError> {
        let row: Option<ContactRow> = on_tx!(self, conn => {
            sqlx::query("UPDATE contacts SET updated_at = updated_at WHERE account_id = $1 AND email = $2")
                .bind(account.0).bind(email.as_str())
                .execute(&mut *conn)
                .await?;
            sqlx::query_as(select_contacts!("WHERE c.account_id = $1 AND c.email = $2"))
                .bind(account.0).bind(email.as_str())
                .fetch_optional(&mut *conn)
                .await?
        });
        row.map(contact_from_row).transpose()
    }

    /// Creates the contact and its `contact_created` event; `None` when the
    /// account already has a contact with this email.
    pub(super) async fn insert_contact(
        &mut self,
        account: AccountId,
        email: &Email,
        fields: &BTreeMap<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Option<ContactId>, StoreError> {
        let json = fields_json(fields);
        let id: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO contacts (account_id, email, fields, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (account_id, email) DO NOTHING RETURNING id",
            )
            .bind(account.0).bind(email.as_str()).bind(&json).bind(to_millis(now))
            .fetch_optional(&mut *conn)
            .await?
        });
        let Some(id) = id.map(ContactId) else {
            return Ok(None);
        };
        self.append_event(account, id, &ContactEvent::ContactCreated, now)
            .await?;
        Ok(Some(id))
    }

    /// Writes a contact's new email and values and its `contact_updated` event
    /// naming the `changed` keys (which must not be empty).
    pub(super) async fn save_contact(
        &mut self,
        account: AccountId,
        contact: &Contact,
        changed: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = fields_json(&contact.fields);
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE contacts SET email = $1, fields = $2, updated_at = $3
                 WHERE account_id = $4 AND id = $5",
            )
            .bind(contact.email.as_str()).bind(&json).bind(to_millis(now))
            .bind(account.0).bind(contact.id.0)
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::on_unique(e, "contacts_email_key", Conflict::ContactEmail))?;
        });
        let event = ContactEvent::ContactUpdated { changed };
        self.append_event(account, contact.id, &event, now).await
    }
}
