//! The engine's inbox: events written in the same transaction as the change that
//! caused them, processed once.

use super::{Store, StoreError, StoreTx, on_pool, on_tx};
use crate::clock::to_millis;
use crate::engine::event::ContactEvent;
use crate::model::{AccountId, ContactId};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub account: AccountId,
    pub contact: ContactId,
    pub event: ContactEvent,
}

impl StoreTx {
    /// Records that something happened to a contact; the engine picks it up.
    pub async fn append_event(
        &mut self,
        account: AccountId,
        contact: ContactId,
        event: &ContactEvent,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let data = event.data().to_string();
        on_tx!(self, conn => {
            sqlx::query("INSERT INTO events (account_id, contact_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(account.0).bind(contact.0).bind(event.kind()).bind(&data).bind(to_millis(now))
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Marks an event processed; false when another engine already did (its
    /// enrolments are then that engine's, in its own transaction).
    pub async fn take_event(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        on_tx!(self, conn => {
            let n = sqlx::query("UPDATE events SET processed_at = $1 WHERE id = $2 AND processed_at IS NULL")
                .bind(to_millis(now)).bind(id)
                .execute(conn)
                .await?
                .rows_affected();
            Ok(n == 1)
        })
    }
}

impl Store {
    /// The oldest unprocessed events, in order. Unknown kinds (from a newer
    /// version) are skipped with a warning rather than blocking the inbox.
    pub async fn unprocessed_events(&self, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, account_id, contact_id, kind, data FROM events
                 WHERE processed_at IS NULL ORDER BY id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut events = Vec::with_capacity(rows.len());
            for row in rows {
                let kind: String = row.try_get("kind")?;
                let data: String = row.try_get("data")?;
                let id: i64 = row.try_get("id")?;
                match ContactEvent::from_stored(&kind, &data) {
                    Ok(event) => events.push(StoredEvent {
                        id,
                        account: AccountId(row.try_get("account_id")?),
                        contact: ContactId(row.try_get("contact_id")?),
                        event,
                    }),
                    Err(e) => tracing::warn!(event_id = id, kind, error = %e, "unreadable event skipped"),
                }
            }
            Ok(events)
        })
    }
}
