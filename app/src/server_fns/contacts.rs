//! Contacts in the browser: search and list, create, read one grouped as the
//! webhook step shows fields, save changes with a problem beside each field.
//! The rules are the REST API's (server/src/api/contacts.rs): values are parsed
//! against the account's field catalogue by `ContactInput::parse`.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// How many contacts one page of the list shows.
pub const PAGE_SIZE: u32 = 25;

/// One row of the contact list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactList {
    pub contacts: Vec<ContactSummary>,
    /// The cursor of the next page; `None` on the last one.
    pub next_after: Option<i64>,
}

/// A problem with one field, shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// One field of a contact as the edit form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldView {
    pub key: String,
    pub label: String,
    /// `text`, `email`, `number`, `date`, `date_time` or `choice`.
    pub kind: String,
    pub choices: Vec<String>,
    /// The stored value as text ("" when it has none).
    pub value: String,
}

/// Fields under one heading: Contact details, Consent information, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSection {
    pub label: String,
    pub fields: Vec<FieldView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: i64,
    pub email: String,
    pub sections: Vec<FieldSection>,
    pub created_at: String,
    pub updated_at: String,
}

/// What saving or creating gave: the contact's id, or the problems to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved(i64),
    Problems(Vec<FieldError>),
}

/// The text the user sees for a failed call: the server's own message when it
/// sent one, never the transport's wording.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message.clone(),
        _ => "The server could not be reached; try again.".to_string(),
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    pub fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// A contact as lists show it: email, "first last", creation time.
    pub fn summary(c: hookflow::store::Contact) -> super::ContactSummary {
        let text = |k: &str| {
            c.fields
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let name = format!("{} {}", text("firstname"), text("lastname"))
            .trim()
            .to_string();
        super::ContactSummary {
            id: c.id.0,
            email: c.email.to_string(),
            name,
            created_at: instant(c.created_at),
        }
    }
}

/// One page of contacts in id order, or the one whose email is `email`.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn list_contacts(
    email: String,
    after: Option<i64>,
) -> Result<ContactList, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::state::AppState;
    use hookflow::model::{ContactId, Email};
    use ssr::summary;

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let email = email.trim();
    if !email.is_empty() {
        let email = Email::parse(email).map_err(|e| {
            super::refuse::bad_request(format!("Search by a whole email address: {e}."))
        })?;
        let found = store
            .contact_by_email(user.account_id, &email)
            .await
            .map_err(failed("contact"))?;
        return Ok(ContactList {
            contacts: found.into_iter().map(summary).collect(),
            next_after: None,
        });
    }
    let page = store
        .list_contacts(user.account_id, after.map(ContactId), PAGE_SIZE)
        .await
        .map_err(failed("contact"))?;
    Ok(ContactList {
        contacts: page.contacts.into_iter().map(summary).collect(),
        next_after: page.next_after.map(|id| id.0),
    })
}

/// Creates a contact from its email (and optional names).
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn create_contact(
    email: String,
    firstname: String,
    lastname: String,
) -> Result<SaveOutcome, ServerFnError> {
    use crate::state::AppState;
    use hookflow::model::contact::{ContactInput, InputMode};
    use hookflow::model::fields::Catalogue;
    use hookflow::store::{Conflict, StoreError};
    use serde_json::Value;

    let user = crate::session::require_user()?;
    let state = expect_context::<AppState>();
    let custom = state
        .store
        .account_custom_fields(user.account_id)
        .await
        .map_err(super::refuse::store_failed("contact"))?;
    let mut input = ContactInput::default();
    for (key, value) in [
        ("email", email),
        ("firstname", firstname),
        ("lastname", lastname),
    ] {
        input.0.insert(key.into(), Value::String(value));
    }
    let changes = match input.parse(&Catalogue::new(&custom), InputMode::Create) {
        Ok(changes) => changes,
        Err(problems) => {
            return Ok(SaveOutcome::Problems(
                problems.into_iter().map(field_error).collect(),
            ));
        }
    };
    let Some(email) = changes.email.clone() else {
        return Ok(SaveOutcome::Problems(vec![FieldError {
            field: "email".into(),
            message: "email is required".into(),
        }]));
    };
    match state
        .store
        .create_contact(
            user.account_id,
            &email,
            &changes.initial_fields(),
            chrono::Utc::now(),
        )
        .await
    {
        Ok(contact) => {
            state.engine.wake();
            Ok(SaveOutcome::Saved(contact.id.0))
        }
        Err(StoreError::Conflict(Conflict::ContactEmail)) => {
            Ok(SaveOutcome::Problems(vec![FieldError {
                field: "email".into(),
                message: "a contact with this email already exists".into(),
            }]))
        }
        Err(e) => Err(super::refuse::store_failed("contact")(e)),
    }
}

#[cfg(feature = "ssr")]
fn field_error(p: hookflow::model::contact::FieldProblem) -> FieldError {
    FieldError {
        field: p.field,
        message: p.message,
    }
}

/// The contact, its fields grouped as the webhook step groups them.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn contact_detail(id: i64) -> Result<ContactView, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::state::AppState;
    use hookflow::model::ContactId;
    use hookflow::model::fields::{Catalogue, FieldGroup, FieldKind};
    use serde_json::Value;
    use ssr::instant;

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let contact = store
        .contact(user.account_id, ContactId(id))
        .await
        .map_err(failed("contact"))?;
    let custom = store
        .account_custom_fields(user.account_id)
        .await
        .map_err(failed("contact"))?;
    let catalogue = Catalogue::new(&custom);
    let as_text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let sections = FieldGroup::ALL
        .into_iter()
        .map(|group| FieldSection {
            label: group.label().to_string(),
            fields: catalogue
                .group(group)
                .filter(|f| f.kind != FieldKind::List)
                .map(|f| FieldView {
                    key: f.key.to_string(),
                    label: f.label.to_string(),
                    kind: serde_json::to_value(f.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                    choices: f.choices.iter().map(|c| c.to_string()).collect(),
                    value: if f.key == "email" {
                        contact.email.to_string()
                    } else {
                        as_text(contact.fields.get(f.key))
                    },
                })
                .collect::<Vec<_>>(),
        })
        .filter(|s| !s.fields.is_empty())
        .collect();
    Ok(ContactView {
        id,
        email: contact.email.to_string(),
        sections,
        created_at: instant(contact.created_at),
        updated_at: instant(contact.updated_at),
    })
}

/// Saves the form's values (key, text); blank text clears a value. Nothing is
/// saved when any value is wrong: every problem comes back, each naming its field.
#[server(prefix = "/fn", client = crate::session::CsrfClient, input = Json)]
pub async fn save_contact(
    id: i64,
    values: Vec<(String, String)>,
) -> Result<SaveOutcome, ServerFnError> {
    use crate::state::AppState;
    use hookflow::model::ContactId;
    use hookflow::model::contact::{ContactInput, InputMode};
    use hookflow::model::fields::Catalogue;
    use hookflow::store::{Conflict, StoreError};
    use serde_json::Value;

    let user = crate::session::require_user()?;
    let state = expect_context::<AppState>();
    let custom = state
        .store
        .account_custom_fields(user.account_id)
        .await
        .map_err(super::refuse::store_failed("contact"))?;
    let mut input = ContactInput::default();
    for (key, value) in values {
        input.0.insert(key, Value::String(value));
    }
    let changes = match input.parse(&Catalogue::new(&custom), InputMode::Update) {
        Ok(changes) => changes,
        Err(problems) => {
            return Ok(SaveOutcome::Problems(
                problems.into_iter().map(field_error).collect(),
            ));
        }
    };
    match state
        .store
        .update_contact(user.account_id, ContactId(id), &changes, chrono::Utc::now())
        .await
    {
        Ok(_) => {
            state.engine.wake();
            Ok(SaveOutcome::Saved(id))
        }
        Err(StoreError::Conflict(Conflict::ContactEmail)) => {
            Ok(SaveOutcome::Problems(vec![FieldError {
                field: "email".into(),
                message: "another contact has this email".into(),
            }]))
        }
        Err(e) => Err(super::refuse::store_failed("contact")(e)),
    }
}
