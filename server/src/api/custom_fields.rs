//! `/custom-fields`: the account's own contact fields (text, number or date).
//! Their keys are accepted in contact bodies, CSV headers and placeholders.

use super::doc::ErrorBody;
use super::support::{ApiPath, about, store_error};
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hookflow::model::fields::{CustomField, CustomFieldError, CustomFieldKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_custom_fields, create_custom_field))
        .routes(routes!(delete_custom_field))
}

/// The kind of a custom field's values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KindOut {
    Text,
    Number,
    Date,
}

impl From<CustomFieldKind> for KindOut {
    fn from(kind: CustomFieldKind) -> Self {
        match kind {
            CustomFieldKind::Text => KindOut::Text,
            CustomFieldKind::Number => KindOut::Number,
            CustomFieldKind::Date => KindOut::Date,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldOut {
    #[schema(example = "loyalty_points")]
    pub key: String,
    #[schema(example = "Loyalty points")]
    pub label: String,
    pub kind: KindOut,
}

impl From<&CustomField> for CustomFieldOut {
    fn from(f: &CustomField) -> Self {
        CustomFieldOut {
            key: f.key().into(),
            label: f.label().into(),
            kind: f.kind().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldListOut {
    pub data: Vec<CustomFieldOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldBody {
    /// Lowercase letters, digits and `_`, starting with a letter; not a built-in key.
    #[schema(example = "loyalty_points", max_length = 64)]
    key: String,
    #[schema(example = "Loyalty points", max_length = 100)]
    label: String,
    #[schema(value_type = KindOut)]
    kind: String,
}

impl CustomFieldBody {
    fn parse(&self) -> Result<CustomField, ApiError> {
        let kind = match self.kind.trim() {
            "text" => CustomFieldKind::Text,
            "number" => CustomFieldKind::Number,
            "date" => CustomFieldKind::Date,
            _ => return Err(ApiError::invalid("kind", "must be text, number or date")),
        };
        CustomField::new(&self.key, &self.label, kind).map_err(|e| {
            let field = match e {
                CustomFieldError::EmptyLabel | CustomFieldError::LabelTooLong => "label",
                _ => "key",
            };
            ApiError::invalid(field, e.to_string())
        })
    }
}

#[utoipa::path(get, path = "/custom-fields", tag = "custom-fields",
    responses(
        (status = 200, description = "The account's custom fields", body = CustomFieldListOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
    ))]
async fn list_custom_fields(
    auth: ApiAuth,
    State(state): State<AppState>,
) -> Result<Json<CustomFieldListOut>, ApiError> {
    let fields = state.store.account_custom_fields(auth.account).await?;
    Ok(Json(CustomFieldListOut {
        data: fields.iter().map(CustomFieldOut::from).collect(),
    }))
}

#[utoipa::path(post, path = "/custom-fields", tag = "custom-fields", request_body = CustomFieldBody,
    responses(
        (status = 201, description = "Created", body = CustomFieldOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 409, description = "A custom field with this key exists", body = ErrorBody),
        (status = 422, description = "Invalid key, label or kind", body = ErrorBody),
    ))]
async fn create_custom_field(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CustomFieldBody>,
) -> Result<(StatusCode, Json<CustomFieldOut>), ApiError> {
    let field = body.parse()?;
    state
        .store
        .create_custom_field(auth.account, &field, Utc::now())
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(CustomFieldOut::from(&field))))
}

#[utoipa::path(delete, path = "/custom-fields/{key}", tag = "custom-fields",
    params(("key" = String, Path, description = "The custom field's key")),
    responses(
        (status = 204, description = "Deleted, with its value on every contact"),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such custom field in this account", body = ErrorBody),
    ))]
async fn delete_custom_field(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(key): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_custom_field(auth.account, &key)
        .await
        .map_err(about("custom field"))?;
    Ok(StatusCode::NO_CONTENT)
}
