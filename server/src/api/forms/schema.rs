//! How a form's definition looks in the OpenAPI document. Requests deserialize
//! straight into `hookflow::store::FormDefinition`; these types only describe it.

#![allow(dead_code)]

use serde::Deserialize;
use utoipa::ToSchema;

/// `subscription` fires "a subscription form is submitted", `update_profile`
/// "a contact is updated through the update-profile form", `survey` "a survey is
/// answered".
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormKindSchema {
    Subscription,
    UpdateProfile,
    Survey,
}

/// What the form asks. The email is always asked, first, and required: it is
/// added when missing.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FormDefinitionSchema {
    /// Contact fields, in the order shown: built-in keys (contact details and
    /// consent information) or the account's custom fields. Personal
    /// statistics and groups cannot be asked. At most 50.
    #[serde(default)]
    pub fields: Vec<FormFieldSchema>,
    /// Survey questions (surveys only; a survey has at least one). At most 50.
    #[serde(default)]
    pub questions: Vec<QuestionSchema>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FormFieldSchema {
    #[schema(example = "firstname")]
    pub key: String,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKindSchema {
    /// Free text, at most 2000 characters.
    Text,
    /// One of `options`.
    Choice,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QuestionSchema {
    /// Stable id the answers are kept under: `a-z`, `0-9`, `_`, `-`; at most 64.
    #[schema(example = "heard_from")]
    pub id: String,
    #[schema(example = "How did you hear about us?", max_length = 200)]
    pub label: String,
    pub kind: QuestionKindSchema,
    /// The choices of a `choice` question (1 to 50, each at most 200 characters).
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}
