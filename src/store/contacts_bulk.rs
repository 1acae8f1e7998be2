//! Creating or updating many contacts by email at once (the bulk API and the CSV
//! import): one transaction per batch, one outcome per item, and an invalid item
//! never stops the others.

use super::contact_rows::stored_instant;
use super::error::Conflict;
use super::{Store, StoreError, StoreTx};
use crate::model::contact::{ContactBatch, ContactChanges, FieldProblem, InputMode};
use crate::model::fields::Catalogue;
use crate::model::{AccountId, ContactId};
use chrono::{DateTime, Utc};

/// What happened to one item of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum UpsertOutcome {
    Created(ContactId),
    Updated {
        id: ContactId,
        changed: Vec<String>,
    },
    /// The contact already had exactly these values.
    Unchanged(ContactId),
    /// Nothing was written for this item.
    Invalid(Vec<FieldProblem>),
}

impl Store {
    /// Parses each item against the account's catalogue, then creates the contact
    /// or merges the values into the one with that email, in order (a later item
    /// with the same email updates the earlier one).
    pub async fn upsert_contacts(
        &self,
        account: AccountId,
        batch: &ContactBatch,
        now: DateTime<Utc>,
    ) -> Result<Vec<UpsertOutcome>, StoreError> {
        let now = stored_instant(now);
        let custom = self.account_custom_fields(account).await?;
        let catalogue = Catalogue::new(&custom);
        let mut outcomes = Vec::with_capacity(batch.items().len());
        let mut tx = self.begin().await?;
        for input in batch.items() {
            let outcome = match input.parse(&catalogue, InputMode::Create) {
                Ok(changes) => tx.upsert_contact(account, &changes, now).await?,
                Err(problems) => UpsertOutcome::Invalid(problems),
            };
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

impl StoreTx {
    async fn upsert_contact(
        &mut self,
        account: AccountId,
        changes: &ContactChanges,
        now: DateTime<Utc>,
    ) -> Result<UpsertOutcome, StoreError> {
        let Some(email) = &changes.email else {
            let problem = FieldProblem::new("email", "email is required");
            return Ok(UpsertOutcome::Invalid(vec![problem]));
        };
        // Twice at most: when another transaction creates the same email between
        // our look-up and our insert, the second round finds it.
        for _ in 0..2 {
            if let Some(mut contact) = self.lock_contact_by_email(account, email).await? {
                let changed = changes.apply(&mut contact.email, &mut contact.fields);
                if changed.is_empty() {
                    return Ok(UpsertOutcome::Unchanged(contact.id));
                }
                self.save_contact(account, &contact, changed.clone(), now)
                    .await?;
                return Ok(UpsertOutcome::Updated {
                    id: contact.id,
                    changed,
                });
            }
            let fields = changes.initial_fields();
            if let Some(id) = self.insert_contact(account, email, &fields, now).await? {
                return Ok(UpsertOutcome::Created(id));
            }
        }
        Err(StoreError::Conflict(Conflict::ContactEmail))
    }
}
