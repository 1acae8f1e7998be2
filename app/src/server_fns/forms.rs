//! Forms in the browser: list with kind and public address, create, delete.
//! The rules are the REST API's (server/src/api/forms.rs).

use super::contacts::FieldError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSummary {
    pub id: i64,
    /// `subscription`, `update_profile` or `survey`.
    pub kind: String,
    pub name: String,
    /// `/f/{public_id}`.
    pub public_path: String,
    /// The labels of the contact fields it asks, in order.
    pub fields: Vec<String>,
}

/// A field a form may ask (catalogue key and label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskableField {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormsPage {
    pub forms: Vec<FormSummary>,
    pub askable: Vec<AskableField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FormOutcome {
    Created(FormSummary),
    Problems(Vec<FieldError>),
}

/// The kinds a marketer creates here, with their labels. (A survey needs
/// questions; the REST API creates those.)
pub const KINDS: [(&str, &str); 2] = [
    ("subscription", "Subscription"),
    ("update_profile", "Update profile"),
];

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "subscription" => "Subscription",
        "update_profile" => "Update profile",
        "survey" => "Survey",
        _ => "Form",
    }
}

#[cfg(feature = "ssr")]
fn summary(
    f: hookflow::store::Form,
    catalogue: &hookflow::model::fields::Catalogue<'_>,
) -> FormSummary {
    FormSummary {
        id: f.id.0,
        kind: f.kind.as_str().to_string(),
        public_path: f.public_path(),
        name: f.name,
        fields: f
            .definition
            .fields
            .iter()
            .map(|field| {
                catalogue
                    .get(&field.key)
                    .map_or(field.key.clone(), |c| c.label.to_string())
            })
            .collect(),
    }
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn forms_overview() -> Result<FormsPage, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::state::AppState;
    use hookflow::model::fields::{Catalogue, FieldGroup, FieldKind};

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let custom = store
        .account_custom_fields(user.account_id)
        .await
        .map_err(failed("form"))?;
    let catalogue = Catalogue::new(&custom);
    let forms = store.forms(user.account_id).await.map_err(failed("form"))?;
    // A form asks contact details and custom fields; consent and statistics are
    // recorded by Hookflow, not typed by the contact.
    let askable = catalogue
        .fields()
        .filter(|f| {
            matches!(
                f.group,
                FieldGroup::ContactDetails | FieldGroup::CustomFields
            )
        })
        .filter(|f| f.kind != FieldKind::List && f.key != "email")
        .map(|f| AskableField {
            key: f.key.to_string(),
            label: f.label.to_string(),
        })
        .collect();
    Ok(FormsPage {
        forms: forms.into_iter().map(|f| summary(f, &catalogue)).collect(),
        askable,
    })
}

/// Creates a form asking the email (always, required) and `fields` (optional).
#[server(prefix = "/fn", client = crate::session::CsrfClient, input = Json)]
pub async fn create_form(
    kind: String,
    name: String,
    fields: Vec<String>,
) -> Result<FormOutcome, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::state::AppState;
    use hookflow::model::fields::Catalogue;
    use hookflow::store::{FormContent, FormDefinition, FormField, FormKind};

    let user = crate::session::require_user()?;
    let store = expect_context::<AppState>().store;
    let Some(kind) = FormKind::parse(kind.trim()) else {
        return Ok(FormOutcome::Problems(vec![FieldError {
            field: "kind".into(),
            message: "choose subscription or update profile".into(),
        }]));
    };
    let custom = store
        .account_custom_fields(user.account_id)
        .await
        .map_err(failed("form"))?;
    let catalogue = Catalogue::new(&custom);
    let mut asked = vec![FormField {
        key: "email".into(),
        required: true,
    }];
    asked.extend(fields.into_iter().map(|key| FormField {
        key,
        required: false,
    }));
    let definition = FormDefinition {
        fields: asked,
        questions: Vec::new(),
    };
    let content = match FormContent::parse_new(kind, &name, definition, &catalogue) {
        Ok(content) => content,
        Err(problems) => {
            return Ok(FormOutcome::Problems(
                problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            ));
        }
    };
    let form = store
        .create_form(user.account_id, kind, &content, chrono::Utc::now())
        .await
        .map_err(failed("form"))?;
    Ok(FormOutcome::Created(summary(form, &catalogue)))
}

/// Deletes the form; its public page answers 404 from now on.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn delete_form(id: i64) -> Result<(), ServerFnError> {
    use crate::state::AppState;
    use hookflow::store::FormId;

    let user = crate::session::require_user()?;
    expect_context::<AppState>()
        .store
        .delete_form(user.account_id, FormId(id))
        .await
        .map_err(super::refuse::store_failed("form"))
}
