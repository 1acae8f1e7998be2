//! A form submitted: in one transaction the contact is created or updated by
//! email (or, from a signed update-profile link, by id), the submission and its
//! answers are kept, and the form's trigger event is appended after the contact's
//! own `contact_created` / `contact_updated`.

use super::Form;
use super::definition::{FormId, FormKind};
use super::entry::{FormEntry, ParsedEntry};
use crate::clock::{from_millis, to_millis};
use crate::model::contact::{ContactChanges, FieldProblem};
use crate::model::fields::Catalogue;
use crate::model::{AccountId, ContactId, Email};
use crate::store::contact_rows::{Contact, stored_instant};
use crate::store::error::Conflict;
use crate::store::{Store, StoreError, StoreTx, on_pool, on_tx};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a valid submission did.
#[derive(Debug, Clone, PartialEq)]
pub struct FormReceipt {
    pub form: FormId,
    pub contact: ContactId,
    /// True when the submission created the contact.
    pub created: bool,
    /// The contact's keys whose value changed (empty when created or unchanged).
    pub changed: Vec<String>,
}

/// A submission as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct FormSubmission {
    pub id: i64,
    pub contact: ContactId,
    /// Question id → answer (empty for forms without questions).
    pub answers: Map<String, Value>,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormReply {
    Saved(FormReceipt),
    /// Nothing was written; each problem names its field.
    Invalid(Vec<FieldProblem>),
}

impl Store {
    /// Checks the entry against the form (unknown public id: `NotFound`) and, when
    /// it is valid, saves it. The caller wakes the engine.
    pub async fn submit_form(
        &self,
        public_id: &str,
        entry: &FormEntry,
        now: DateTime<Utc>,
    ) -> Result<FormReply, StoreError> {
        let form = self
            .form_by_public_id(public_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let custom = self.account_custom_fields(form.account).await?;
        let parsed = match form
            .definition
            .parse_entry(form.kind, &Catalogue::new(&custom), entry)
        {
            Ok(parsed) => parsed,
            Err(problems) => return Ok(FormReply::Invalid(problems)),
        };
        let signed = match (&entry.token, form.kind) {
            (Some(token), FormKind::UpdateProfile) => {
                self.profile_contact(form.account, token).await?
            }
            _ => None,
        };
        let Some(email) = parsed.changes.email.clone() else {
            return Ok(FormReply::Invalid(vec![FieldProblem::new(
                "email",
                "email is required",
            )]));
        };
        match self
            .save_submission(&form, &email, &parsed, signed, stored_instant(now))
            .await
        {
            Ok(receipt) => Ok(FormReply::Saved(receipt)),
            Err(StoreError::Conflict(Conflict::ContactEmail)) => {
                Ok(FormReply::Invalid(vec![FieldProblem::new(
                    "email",
                    "another contact already has this email address",
                )]))
            }
            Err(e) => Err(e),
        }
    }

    /// The form's submissions in the order received, after the cursor (a
    /// submission id); another account's form has none.
    pub async fn form_submissions(
        &self,
        account: AccountId,
        form: FormId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FormSubmission>, StoreError> {
        let rows: Vec<(i64, i64, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.id, s.contact_id, s.answers, s.submitted_at FROM form_submissions s
                 JOIN forms f ON f.id = s.form_id
                 WHERE f.account_id = $1 AND s.form_id = $2 AND s.id > $3 ORDER BY s.id LIMIT $4",
            )
            .bind(account.0).bind(form.0).bind(after).bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        let submission = |(id, contact, answers, at): (i64, i64, String, i64)| FormSubmission {
            id,
            contact: ContactId(contact),
            answers: serde_json::from_str(&answers).unwrap_or_default(),
            submitted_at: from_millis(at),
        };
        Ok(rows.into_iter().map(submission).collect())
    }

    /// The contact a signed profile link names, when it is one of this account's.
    async fn profile_contact(
        &self,
        account: AccountId,
        token: &str,
    ) -> Result<Option<ContactId>, StoreError> {
        let key = self.tracking_key().await?;
        Ok(key
            .verify_profile(token)
            .filter(|(a, _)| *a == account)
            .map(|(_, contact)| contact))
    }

    async fn save_submission(
        &self,
        form: &Form,
        email: &Email,
        parsed: &ParsedEntry,
        signed: Option<ContactId>,
        now: DateTime<Utc>,
    ) -> Result<FormReceipt, StoreError> {
        let mut tx = self.begin().await?;
        let existing = match signed {
            Some(id) => tx.lock_contact(form.account, id).await?,
            None => None,
        };
        let (contact, created, changed) = match existing {
            Some(contact) => {
                let changes =
                    with_subscription_date(form.kind, &parsed.changes, &contact.fields, now);
                let (id, changed) = tx
                    .merge_contact(form.account, contact, &changes, now)
                    .await?;
                (id, false, changed)
            }
            None => {
                tx.upsert_by_email(form, email, &parsed.changes, now)
                    .await?
            }
        };
        tx.insert_submission(form.id, contact, &parsed.answers, now)
            .await?;
        tx.append_event(form.account, contact, &form.kind.event(form.id), now)
            .await?;
        tx.commit().await?;
        Ok(FormReceipt {
            form: form.id,
            contact,
            created,
            changed,
        })
    }
}

/// A subscription form records when the contact subscribed, the first time.
fn with_subscription_date(
    kind: FormKind,
    changes: &ContactChanges,
    known: &BTreeMap<String, Value>,
    now: DateTime<Utc>,
) -> ContactChanges {
    let mut changes = changes.clone();
    if kind == FormKind::Subscription && !known.contains_key("subscription_date") {
        let date = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        changes
            .values
            .push(("subscription_date".into(), Value::String(date)));
    }
    changes
}

impl StoreTx {
    /// Creates the contact, or merges into the one with this email. Twice at most:
    /// when another transaction creates the same email between our look-up and
    /// our insert, the second round finds it (as the bulk upsert does).
    async fn upsert_by_email(
        &mut self,
        form: &Form,
        email: &Email,
        changes: &ContactChanges,
        now: DateTime<Utc>,
    ) -> Result<(ContactId, bool, Vec<String>), StoreError> {
        for _ in 0..2 {
            if let Some(contact) = self.lock_contact_by_email(form.account, email).await? {
                let changes = with_subscription_date(form.kind, changes, &contact.fields, now);
                let (id, changed) = self
                    .merge_contact(form.account, contact, &changes, now)
                    .await?;
                return Ok((id, false, changed));
            }
            let fields =
                with_subscription_date(form.kind, changes, &BTreeMap::new(), now).initial_fields();
            if let Some(id) = self
                .insert_contact(form.account, email, &fields, now)
                .await?
            {
                return Ok((id, true, Vec::new()));
            }
        }
        Err(StoreError::Conflict(Conflict::ContactEmail))
    }

    /// Applies the changes to a locked contact; writes (and announces) only real changes.
    async fn merge_contact(
        &mut self,
        account: AccountId,
        mut contact: Contact,
        changes: &ContactChanges,
        now: DateTime<Utc>,
    ) -> Result<(ContactId, Vec<String>), StoreError> {
        let changed = changes.apply(&mut contact.email, &mut contact.fields);
        if !changed.is_empty() {
            self.save_contact(account, &contact, changed.clone(), now)
                .await?;
        }
        Ok((contact.id, changed))
    }

    async fn insert_submission(
        &mut self,
        form: FormId,
        contact: ContactId,
        answers: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let answers = Value::Object(answers.clone()).to_string();
        on_tx!(self, conn => {
            sqlx::query("INSERT INTO form_submissions (form_id, contact_id, answers, submitted_at) VALUES ($1, $2, $3, $4)")
                .bind(form.0).bind(contact.0).bind(&answers).bind(to_millis(now))
                .execute(conn)
                .await?;
        });
        Ok(())
    }
}
