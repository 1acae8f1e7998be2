//! `POST /contacts/bulk`: create or update up to 1000 contacts by email in one
//! transaction. Each item gets its own result; an invalid item never stops the
//! others.

use super::doc::{ContactBody, ErrorBody};
use super::error::Problem;
use super::support::problems;
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::Utc;
use hookflow::model::contact::{ContactBatch, ContactInput};
use hookflow::store::UpsertOutcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// At most 1000 contacts, each with its `email`.
    #[schema(value_type = Vec<ContactBody>, max_items = 1000)]
    contacts: Vec<ContactInput>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkStatus {
    Created,
    Updated,
    Unchanged,
    Invalid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItemOut {
    /// The item's position in `contacts`, from 0.
    pub index: usize,
    pub status: BulkStatus,
    /// The contact's id; absent for invalid items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The keys whose value changed (`updated` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// What is wrong, field by field (`invalid` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<super::doc::ProblemDetail>)]
    pub problems: Vec<Problem>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct BulkResponse {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub invalid: usize,
    /// One result per item, in the order sent.
    pub results: Vec<BulkItemOut>,
}

#[utoipa::path(post, path = "/contacts/bulk", tag = "contacts", request_body = BulkRequest,
    responses(
        (status = 200, description = "Every item's outcome; invalid items were skipped", body = BulkResponse),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 422, description = "More than 1000 contacts, or not a list", body = ErrorBody),
    ))]
pub(super) async fn upsert_contacts(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BulkRequest>,
) -> Result<Json<BulkResponse>, ApiError> {
    let batch = ContactBatch::new(body.contacts)
        .map_err(|e| ApiError::invalid("contacts", e.to_string()))?;
    let outcomes = state
        .store
        .upsert_contacts(auth.account, &batch, Utc::now())
        .await?;
    let mut response = BulkResponse::default();
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let item = |status, id: Option<i64>| BulkItemOut {
            index,
            status,
            id,
            changed: Vec::new(),
            problems: Vec::new(),
        };
        response.results.push(match outcome {
            UpsertOutcome::Created(id) => {
                response.created += 1;
                item(BulkStatus::Created, Some(id.0))
            }
            UpsertOutcome::Updated { id, changed } => {
                response.updated += 1;
                BulkItemOut {
                    changed,
                    ..item(BulkStatus::Updated, Some(id.0))
                }
            }
            UpsertOutcome::Unchanged(id) => {
                response.unchanged += 1;
                item(BulkStatus::Unchanged, Some(id.0))
            }
            UpsertOutcome::Invalid(found) => {
                response.invalid += 1;
                BulkItemOut {
                    problems: problems(found),
                    ..item(BulkStatus::Invalid, None)
                }
            }
        });
    }
    Ok(Json(response))
}
