//! What the engine reads of a contact and the changes its steps make, inside the
//! step's transaction. Every change appends its event in that same transaction,
//! so other scenarios see it exactly once.

use super::{Store, StoreError, StoreTx, on_pool, on_tx};
use crate::clock::to_millis;
use crate::engine::event::ContactEvent;
use crate::model::fields::{CustomField, CustomFieldKind};
use crate::model::scenario::ContactFacts;
use crate::model::{AccountId, ContactId, Email};
use crate::webhook::payload::ContactRecord;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// A contact as the engine sees it at one moment.
#[derive(Debug, Clone)]
pub struct ContactSnapshot {
    pub record: ContactRecord,
    pub groups: BTreeSet<i64>,
}

impl ContactSnapshot {
    /// What criteria are evaluated against: the values, email included.
    pub fn facts(&self) -> ContactFacts {
        let mut values = self.record.values.clone();
        values.insert(
            "email".into(),
            Value::String(self.record.email.as_str().to_string()),
        );
        ContactFacts {
            values,
            groups: self.groups.clone(),
        }
    }
}

fn parse_fields(raw: &str) -> BTreeMap<String, Value> {
    match serde_json::from_str::<Map<String, Value>>(raw) {
        Ok(map) => map.into_iter().collect(),
        Err(_) => BTreeMap::new(),
    }
}

impl Store {
    /// The contact with its groups; `None` when it is not in this account (or deleted).
    pub async fn contact_snapshot(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<ContactSnapshot>, StoreError> {
        on_pool!(self, pool => {
            let Some(row) = sqlx::query("SELECT email, fields FROM contacts WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(contact.0)
                .fetch_optional(pool)
                .await? else { return Ok(None) };
            let email: String = row.try_get("email")?;
            let Ok(email) = Email::parse(&email) else { return Ok(None) };
            let fields: String = row.try_get("fields")?;
            let groups: Vec<i64> = sqlx::query_scalar("SELECT group_id FROM group_members WHERE contact_id = $1")
                .bind(contact.0)
                .fetch_all(pool)
                .await?;
            Ok(Some(ContactSnapshot {
                record: ContactRecord { id: contact, email, values: parse_fields(&fields) },
                groups: groups.into_iter().collect(),
            }))
        })
    }

    /// The id of the contact with this email in the account.
    pub async fn contact_id_by_email(
        &self,
        account: AccountId,
        email: &Email,
    ) -> Result<Option<ContactId>, StoreError> {
        on_pool!(self, pool => {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM contacts WHERE account_id = $1 AND email = $2")
                .bind(account.0).bind(email.as_str())
                .fetch_optional(pool)
                .await?;
            Ok(id.map(ContactId))
        })
    }

    /// Every contact of an account with its values (the time-based sweeps).
    pub async fn contact_values(
        &self,
        account: AccountId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(ContactId, BTreeMap<String, Value>)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, fields FROM contacts WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3")
                .bind(account.0).bind(after).bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((ContactId(r.try_get("id")?), parse_fields(&r.try_get::<String, _>("fields")?))))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// The account's custom fields (for step configurations and placeholders).
    pub async fn account_custom_fields(
        &self,
        account: AccountId,
    ) -> Result<Vec<CustomField>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT key, label, kind FROM custom_fields WHERE account_id = $1 ORDER BY key")
                .bind(account.0)
                .fetch_all(pool)
                .await?;
            let mut fields = Vec::with_capacity(rows.len());
            for r in rows {
                let kind = match r.try_get::<String, _>("kind")?.as_str() {
                    "number" => CustomFieldKind::Number,
                    "date" => CustomFieldKind::Date,
                    _ => CustomFieldKind::Text,
                };
                let key: String = r.try_get("key")?;
                let label: String = r.try_get("label")?;
                match CustomField::new(&key, &label, kind) {
                    Ok(f) => fields.push(f),
                    Err(e) => tracing::warn!(key, error = %e, "unreadable custom field skipped"),
                }
            }
            Ok(fields)
        })
    }

    /// The account's signing secret for webhooks, if it has one.
    pub async fn account_signing_secret(
        &self,
        account: AccountId,
    ) -> Result<Option<String>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT signing_secret FROM accounts WHERE id = $1")
                .bind(account.0)
                .fetch_optional(pool)
                .await?
                .flatten())
        })
    }
}

impl StoreTx {
    /// Adds the contact to the group (of the same account). True when it was not a member.
    pub async fn add_group_member(
        &mut self,
        account: AccountId,
        group: i64,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let added = on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO group_members (group_id, contact_id, added_at)
                 SELECT g.id, c.id, $1 FROM groups g, contacts c
                 WHERE g.id = $2 AND g.account_id = $3 AND c.id = $4 AND c.account_id = $3
                 ON CONFLICT DO NOTHING",
            )
            .bind(to_millis(now)).bind(group).bind(account.0).bind(contact.0)
            .execute(conn)
            .await?
            .rows_affected()
        }) == 1;
        if added {
            self.append_event(
                account,
                contact,
                &ContactEvent::AddedToGroup { group_id: group },
                now,
            )
            .await?;
        }
        Ok(added)
    }

    /// Removes the contact from the group. True when it was a member.
    pub async fn remove_group_member(
        &mut self,
        account: AccountId,
        group: i64,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let removed = on_tx!(self, conn => {
            sqlx::query(
                "DELETE FROM group_members WHERE group_id = $1 AND contact_id = $2
                 AND group_id IN (SELECT id FROM groups WHERE account_id = $3)",
            )
            .bind(group).bind(contact.0).bind(account.0)
            .execute(conn)
            .await?
            .rows_affected()
        }) == 1;
        if removed {
            self.append_event(
                account,
                contact,
                &ContactEvent::RemovedFromGroup { group_id: group },
                now,
            )
            .await?;
        }
        Ok(removed)
    }

    /// Sets one field value (`null` clears it). True when the value changed.
    pub async fn set_contact_value(
        &mut self,
        account: AccountId,
        contact: ContactId,
        key: &str,
        value: &Value,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let raw: Option<String> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT fields FROM contacts WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(contact.0)
                .fetch_optional(&mut *conn)
                .await?
        });
        let Some(raw) = raw else { return Ok(false) };
        let mut fields: Map<String, Value> = serde_json::from_str(&raw).unwrap_or_default();
        let before = fields.get(key).cloned().unwrap_or(Value::Null);
        if &before == value {
            return Ok(false);
        }
        if value.is_null() {
            fields.remove(key);
        } else {
            fields.insert(key.to_string(), value.clone());
        }
        let fields = Value::Object(fields).to_string();
        on_tx!(self, conn => {
            sqlx::query("UPDATE contacts SET fields = $1, updated_at = $2 WHERE account_id = $3 AND id = $4")
                .bind(&fields).bind(to_millis(now)).bind(account.0).bind(contact.0)
                .execute(conn)
                .await?;
        });
        self.append_event(
            account,
            contact,
            &ContactEvent::ContactUpdated {
                changed: vec![key.to_string()],
            },
            now,
        )
        .await?;
        Ok(true)
    }
}
