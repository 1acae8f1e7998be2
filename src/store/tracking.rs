//! Email opens and link clicks, from the tracking pixel and tracked links. Each is
//! one transaction: the contact's personal statistics (count and last date) and
//! the trigger event (`email_opened` / `link_clicked`) are written together.

mod token;

pub use token::{MailingRecipient, TrackingKey};

use super::contact_rows::stored_instant;
use super::{Store, StoreError, on_pool, on_tx};
use crate::engine::event::ContactEvent;
use crate::model::contact::ContactChanges;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// The row of `instance_secrets` holding the signing key.
const KEY_NAME: &str = "tracking_key";

impl Store {
    /// The key that signs tracking and profile links. The first instance to need
    /// it creates it; insert-if-absent makes every instance read the same one.
    pub async fn tracking_key(&self) -> Result<TrackingKey, StoreError> {
        let stored: Option<String> = on_pool!(self, pool => {
            let select = "SELECT value FROM instance_secrets WHERE name = $1";
            match sqlx::query_scalar(select).bind(KEY_NAME).fetch_optional(pool).await? {
                Some(value) => Some(value),
                None => {
                    sqlx::query("INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                        .bind(KEY_NAME).bind(TrackingKey::generate_encoded())
                        .execute(pool)
                        .await?;
                    sqlx::query_scalar(select).bind(KEY_NAME).fetch_optional(pool).await?
                }
            }
        });
        let unreadable = || {
            StoreError::Config("the stored tracking key is unreadable; delete it from instance_secrets to make a new one".into())
        };
        stored
            .as_deref()
            .and_then(TrackingKey::from_encoded)
            .ok_or_else(unreadable)
    }

    /// Counts an open: `mailings_opened` + 1, `last_open_date`, and `email_opened`.
    /// False (nothing written) when the contact or the mailing is gone.
    pub async fn record_open(
        &self,
        r: &MailingRecipient,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let event = ContactEvent::EmailOpened {
            mailing_id: r.mailing.0,
        };
        self.record_activity(r, ("mailings_opened", "last_open_date"), &event, now)
            .await
    }

    /// Counts a click: `links_clicked` + 1, `last_click_date`, and `link_clicked`
    /// with the URL. False (nothing written) when the contact or the mailing is gone.
    pub async fn record_click(
        &self,
        r: &MailingRecipient,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let event = ContactEvent::LinkClicked {
            mailing_id: r.mailing.0,
            url: url.to_string(),
        };
        self.record_activity(r, ("links_clicked", "last_click_date"), &event, now)
            .await
    }

    async fn record_activity(
        &self,
        r: &MailingRecipient,
        (count, last): (&str, &str),
        event: &ContactEvent,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = stored_instant(now);
        let mut tx = self.begin().await?;
        // The contact's lock first: a read before it would pin SQLite to a
        // snapshot that a concurrent writer (the engine) can make stale.
        let Some(mut contact) = tx.lock_contact(r.account, r.contact).await? else {
            return Ok(false);
        };
        let mailing: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT id FROM mailings WHERE account_id = $1 AND id = $2")
                .bind(r.account.0).bind(r.mailing.0)
                .fetch_optional(&mut *conn)
                .await?
        });
        if mailing.is_none() {
            return Ok(false);
        }
        let seen = contact
            .fields
            .get(count)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let changes = ContactChanges {
            email: None,
            values: vec![
                (count.to_string(), Value::from(seen + 1)),
                (
                    last.to_string(),
                    Value::String(now.to_rfc3339_opts(SecondsFormat::Secs, true)),
                ),
            ],
        };
        let changed = changes.apply(&mut contact.email, &mut contact.fields);
        tx.save_contact(r.account, &contact, changed, now).await?;
        tx.append_event(r.account, r.contact, event, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
