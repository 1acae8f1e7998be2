//! The OpenAPI document's frame: title, server prefix, the bearer security scheme,
//! the error body, and the contact field schemas built from the field catalogue.
//! Paths come from each module's `routes()` (see `api/mod.rs`).

use hookflow::model::contact::{MAX_NOTE_LEN, MAX_TEXT_LEN};
use hookflow::model::fields::{Catalogue, Field, FieldKind};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// The name of the security scheme every operation requires.
pub const BEARER: &str = "bearer_auth";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hookflow API",
        description = "The account the API token belongs to: its contacts, groups and custom fields, \
            and its scenarios (a trigger, then steps such as Send a Webhook) with each step's statistics \
            and delivery log; events that trigger scenarios; test sends of a webhook. \
            Send `Authorization: Bearer hf_…`. Errors are `{\"error\": {\"code\", \"message\", \"field\", \"problems\"}}`."
    ),
    servers((url = "/api/v1", description = "This server")),
    modifiers(&BearerAuth),
    security(("bearer_auth" = [])),
    tags(
        (name = "account", description = "The token's account and its time zone"),
        (name = "contacts", description = "Contacts: email (unique per account) and field values"),
        (name = "groups", description = "Named lists of contacts"),
        (name = "custom-fields", description = "The account's own contact fields"),
        (name = "scenarios", description = "A trigger and a graph of steps every enrolled contact walks through: \
            saved as drafts, validated, activated, paused, archived"),
        (name = "steps", description = "A step's statistics and its delivery log (one delivery per contact, with every attempt)"),
        (name = "events", description = "What happened to a contact (a form submitted, an email opened, …): \
            it enrols the contact into the scenarios it triggers"),
        (name = "webhooks", description = "Test sends of a Send a Webhook step's configuration"),
        (name = "meta", description = "This document"),
    ),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("hf_… (hookflow token create)")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// Every error response.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Stable: `unauthorized`, `not_found`, `conflict`, `invalid_input`, `invalid_json`, …
    pub code: String,
    /// What went wrong, in plain words.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// Every problem of the input, each naming its field (422 only).
    #[serde(default)]
    pub problems: Vec<ProblemDetail>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemDetail {
    pub field: String,
    pub message: String,
    pub code: Option<String>,
    pub step: Option<String>,
}

/// A contact's values keyed by catalogue key (what responses hold).
pub struct ContactFields;
/// A contact as requests send it: `email` and any field values; `null` clears one.
pub struct ContactBody;

impl PartialSchema for ContactFields {
    fn schema() -> RefOr<Schema> {
        fields_schema(false).into()
    }
}

impl ToSchema for ContactFields {
    fn name() -> Cow<'static, str> {
        "ContactFields".into()
    }
}

impl PartialSchema for ContactBody {
    fn schema() -> RefOr<Schema> {
        fields_schema(true).into()
    }
}

impl ToSchema for ContactBody {
    fn name() -> Cow<'static, str> {
        "ContactBody".into()
    }
}

fn fields_schema(with_email: bool) -> ObjectBuilder {
    let description = "Built-in fields are listed; the account's custom fields \
        (GET /custom-fields) are accepted too. Any other key is refused.";
    let mut object = ObjectBuilder::new().description(Some(description));
    let catalogue = Catalogue::built_in();
    let fields = catalogue
        .fields()
        .filter(|f| f.kind != FieldKind::List && (with_email || f.key != "email"));
    for field in fields {
        object = object.property(field.key, field_schema(&field));
    }
    object.additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(true)))
}

fn field_schema(field: &Field<'_>) -> ObjectBuilder {
    let nullable = |t: Type| SchemaType::Array(vec![t, Type::Null]);
    let known = |f: KnownFormat| Some(SchemaFormat::KnownFormat(f));
    let base = ObjectBuilder::new().description(Some(field.label));
    match field.kind {
        FieldKind::Email => base
            .schema_type(Type::String)
            .format(known(KnownFormat::Email)),
        FieldKind::Text => {
            let max = if field.key == "note" {
                MAX_NOTE_LEN
            } else {
                MAX_TEXT_LEN
            };
            base.schema_type(nullable(Type::String))
                .max_length(Some(max))
        }
        FieldKind::Number => base.schema_type(nullable(Type::Integer)).minimum(Some(0)),
        FieldKind::Date => base
            .schema_type(nullable(Type::String))
            .format(known(KnownFormat::Date)),
        FieldKind::DateTime => base
            .schema_type(nullable(Type::String))
            .description(Some(format!(
                "{}: a date (2024-05-28) or an RFC 3339 date and time",
                field.label
            ))),
        FieldKind::Choice => base.schema_type(nullable(Type::String)).enum_values(Some(
            field
                .choices
                .iter()
                .map(|c| Value::from(*c))
                .chain([Value::Null]),
        )),
        FieldKind::List => base.schema_type(Type::Array),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;
    use crate::api::error::Problem;
    use axum::response::IntoResponse;

    async fn body_of(error: ApiError) -> ErrorBody {
        let response = error.into_response();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).expect("the error body matches its schema")
    }

    #[tokio::test]
    async fn error_responses_have_the_documented_shape() {
        let problem = Problem {
            field: "birthdate".into(),
            message: "must be a date".into(),
            code: Some("x".into()),
            step: None,
        };
        let body = body_of(ApiError::problems("1 field needs fixing", vec![problem])).await;
        assert_eq!(body.error.field.as_deref(), Some("birthdate"));
        assert_eq!(body.error.problems[0].field, "birthdate");
        let body = body_of(ApiError::unauthorized("send a token")).await;
        assert_eq!(body.error.code, "unauthorized");
        assert!(body.error.problems.is_empty());
    }
}
