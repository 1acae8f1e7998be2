//! Forms of one account: subscription, update-profile and survey. Each has a public
//! id (24 random base62 characters, so its page at `/f/{public_id}` cannot be
//! guessed); everything else is scoped by account like the rest of the store.

mod definition;
mod entry;
mod submit;

pub use definition::{
    FormDefinition, FormField, FormId, FormKind, Question, QuestionKind, check_name,
};
pub use entry::FormEntry;
pub use submit::{FormReceipt, FormReply, FormSubmission};

use super::contact_rows::stored_instant;
use super::{Store, StoreError, on_pool};
use crate::auth::random_base62;
use crate::clock::{from_millis, to_millis};
use crate::model::AccountId;
use crate::model::contact::FieldProblem;
use crate::model::fields::Catalogue;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub id: FormId,
    pub account: AccountId,
    pub kind: FormKind,
    pub name: String,
    pub public_id: String,
    pub definition: FormDefinition,
    pub created_at: DateTime<Utc>,
}

impl Form {
    /// Where its public page is served.
    pub fn public_path(&self) -> String {
        format!("/f/{}", self.public_id)
    }
}

/// The length of a form's public id.
pub const PUBLIC_ID_LEN: usize = 24;

/// A form's name and definition, checked (see [`FormContent::parse`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FormContent {
    name: Option<String>,
    definition: Option<FormDefinition>,
}

impl FormContent {
    /// The name and definition of a new form.
    pub fn parse_new(
        kind: FormKind,
        name: &str,
        definition: FormDefinition,
        catalogue: &Catalogue<'_>,
    ) -> Result<FormContent, Vec<FieldProblem>> {
        FormContent::parse(kind, Some(name), Some(definition), catalogue)
    }

    /// Checks what is given (`None` keeps the saved value) for a form of `kind`.
    pub fn parse(
        kind: FormKind,
        name: Option<&str>,
        definition: Option<FormDefinition>,
        catalogue: &Catalogue<'_>,
    ) -> Result<FormContent, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = name.map(check_name).transpose().unwrap_or_else(|message| {
            problems.push(FieldProblem::new("name", message));
            None
        });
        let definition = definition
            .map(|d| d.check(kind, catalogue))
            .transpose()
            .unwrap_or_else(|found| {
                problems.extend(found);
                None
            });
        if problems.is_empty() {
            Ok(FormContent { name, definition })
        } else {
            Err(problems)
        }
    }
}

/// `id, account_id, kind, name, public_id, definition, created_at`.
type FormRow = (i64, i64, String, String, String, String, i64);

macro_rules! select_forms {
    ($rest:literal) => {
        concat!(
            "SELECT id, account_id, kind, name, public_id, definition, created_at FROM forms ",
            $rest
        )
    };
}

fn form_from_row(row: FormRow) -> Result<Form, StoreError> {
    let (id, account, kind, name, public_id, definition, created_at) = row;
    let unreadable = |what: String| StoreError::Database(sqlx::Error::Decode(what.into()));
    let kind = FormKind::parse(&kind)
        .ok_or_else(|| unreadable(format!("form {id} has an unknown kind `{kind}`")))?;
    let definition = serde_json::from_str(&definition)
        .map_err(|e| unreadable(format!("form {id} has an unreadable definition: {e}")))?;
    Ok(Form {
        id: FormId(id),
        account: AccountId(account),
        kind,
        name,
        public_id,
        definition,
        created_at: from_millis(created_at),
    })
}

impl Store {
    /// Creates a form named and defined by `content` (see [`FormContent::parse_new`]).
    pub async fn create_form(
        &self,
        account: AccountId,
        kind: FormKind,
        content: &FormContent,
        now: DateTime<Utc>,
    ) -> Result<Form, StoreError> {
        let now = stored_instant(now);
        let name = content.name.clone().unwrap_or_else(|| "Form".into());
        let definition = content
            .definition
            .clone()
            .unwrap_or_else(|| FormDefinition {
                fields: vec![FormField {
                    key: "email".into(),
                    required: true,
                }],
                questions: Vec::new(),
            });
        let json = serde_json::to_string(&definition).expect("definitions serialise");
        let public_id = random_base62(PUBLIC_ID_LEN);
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO forms (account_id, kind, name, public_id, definition, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(account.0).bind(kind.as_str()).bind(&name).bind(&public_id).bind(&json).bind(to_millis(now))
            .fetch_one(pool)
            .await?
        });
        Ok(Form {
            id: FormId(id),
            account,
            kind,
            name,
            public_id,
            definition,
            created_at: now,
        })
    }

    /// Every form of the account, newest first.
    pub async fn forms(&self, account: AccountId) -> Result<Vec<Form>, StoreError> {
        let rows: Vec<FormRow> = on_pool!(self, pool => {
            sqlx::query_as(select_forms!("WHERE account_id = $1 ORDER BY id DESC"))
                .bind(account.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(form_from_row).collect()
    }

    pub async fn form(&self, account: AccountId, id: FormId) -> Result<Form, StoreError> {
        let row: Option<FormRow> = on_pool!(self, pool => {
            sqlx::query_as(select_forms!("WHERE account_id = $1 AND id = $2"))
                .bind(account.0).bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        form_from_row(row.ok_or(StoreError::NotFound)?)
    }

    /// The form a public page shows, whichever account it belongs to.
    pub async fn form_by_public_id(&self, public_id: &str) -> Result<Option<Form>, StoreError> {
        if public_id.len() != PUBLIC_ID_LEN || !public_id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Ok(None);
        }
        let row: Option<FormRow> = on_pool!(self, pool => {
            sqlx::query_as(select_forms!("WHERE public_id = $1"))
                .bind(public_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(form_from_row).transpose()
    }

    /// Renames and/or redefines the form (its kind and public id never change).
    pub async fn update_form(
        &self,
        account: AccountId,
        id: FormId,
        content: &FormContent,
    ) -> Result<Form, StoreError> {
        let definition = content
            .definition
            .as_ref()
            .map(|d| serde_json::to_string(d).expect("definitions serialise"));
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE forms SET name = COALESCE($1, name), definition = COALESCE($2, definition)
                 WHERE account_id = $3 AND id = $4",
            )
            .bind(content.name.as_deref()).bind(definition.as_deref()).bind(account.0).bind(id.0)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        self.form(account, id).await
    }

    /// Deletes the form and its submissions; its page answers 404 from now on.
    pub async fn delete_form(&self, account: AccountId, id: FormId) -> Result<(), StoreError> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM forms WHERE account_id = $1 AND id = $2")
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
