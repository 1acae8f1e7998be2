//! `/forms`: subscription, update-profile and survey forms. Each has a public page
//! at `public_url` (`/f/{public_id}`) whose submissions create or update a contact
//! and fire the form's trigger; survey answers are read back from `/submissions`.

mod schema;

use super::doc::ErrorBody;
use super::support::{ApiPath, ApiQuery, PageParams, instant, invalid_input};
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use hookflow::model::fields::Catalogue;
use hookflow::store::{Form, FormContent, FormDefinition, FormId, FormKind, FormSubmission};
use schema::{FormDefinitionSchema, FormKindSchema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_forms, create_form))
        .routes(routes!(get_form, update_form, delete_form))
        .routes(routes!(form_submissions))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormOut {
    pub id: i64,
    #[schema(value_type = FormKindSchema)]
    pub kind: FormKind,
    #[schema(example = "Newsletter sign-up")]
    pub name: String,
    /// 24 random characters: the page's address cannot be guessed.
    pub public_id: String,
    /// The public page, relative to this server's address.
    #[schema(example = "/f/3kTMd9aQx1LbWz0pR7sYc2Ve")]
    pub public_url: String,
    #[schema(value_type = FormDefinitionSchema)]
    pub definition: FormDefinition,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<Form> for FormOut {
    fn from(f: Form) -> Self {
        FormOut {
            id: f.id.0,
            kind: f.kind,
            public_url: f.public_path(),
            name: f.name,
            public_id: f.public_id,
            definition: f.definition,
            created_at: instant(f.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormListOut {
    pub data: Vec<FormOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFormBody {
    #[schema(value_type = FormKindSchema)]
    kind: String,
    /// 1 to 100 characters; shown as the page's title.
    #[schema(example = "Newsletter sign-up")]
    name: String,
    /// Defaults to asking the email only (a survey needs questions).
    #[serde(default)]
    #[schema(value_type = FormDefinitionSchema)]
    definition: FormDefinition,
}

/// What to change; the kind and public address never change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormChangesBody {
    name: Option<String>,
    #[schema(value_type = Option<FormDefinitionSchema>)]
    definition: Option<FormDefinition>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionOut {
    pub id: i64,
    pub contact_id: i64,
    /// Question id → answer (empty for forms without questions).
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
    /// RFC 3339, UTC.
    pub submitted_at: String,
}

impl From<FormSubmission> for SubmissionOut {
    fn from(s: FormSubmission) -> Self {
        SubmissionOut {
            id: s.id,
            contact_id: s.contact.0,
            answers: s.answers,
            submitted_at: instant(s.submitted_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionPageOut {
    pub data: Vec<SubmissionOut>,
    /// Pass as `after` to get the next page; `null` on the last page.
    pub next_after: Option<i64>,
}

const ID: &str = "The form's id";

async fn content(
    state: &AppState,
    auth: &ApiAuth,
    kind: FormKind,
    name: Option<&str>,
    definition: Option<FormDefinition>,
) -> Result<FormContent, ApiError> {
    let custom = state.store.account_custom_fields(auth.account).await?;
    FormContent::parse(kind, name, definition, &Catalogue::new(&custom)).map_err(invalid_input)
}

#[utoipa::path(get, path = "/forms", tag = "forms",
    responses(
        (status = 200, description = "Every form of the account, newest first", body = FormListOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
    ))]
async fn list_forms(
    auth: ApiAuth,
    State(state): State<AppState>,
) -> Result<Json<FormListOut>, ApiError> {
    let forms = state.store.forms(auth.account).await?;
    Ok(Json(FormListOut {
        data: forms.into_iter().map(FormOut::from).collect(),
    }))
}

#[utoipa::path(post, path = "/forms", tag = "forms", request_body = NewFormBody,
    responses(
        (status = 201, description = "Created; its page is at `public_url`", body = FormOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 422, description = "Invalid kind, name or definition; `problems` names each", body = ErrorBody),
    ))]
async fn create_form(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewFormBody>,
) -> Result<impl IntoResponse, ApiError> {
    let kind = FormKind::parse(body.kind.trim()).ok_or_else(|| {
        ApiError::invalid("kind", "must be subscription, update_profile or survey")
    })?;
    let content = content(&state, &auth, kind, Some(&body.name), Some(body.definition)).await?;
    let form = state
        .store
        .create_form(auth.account, kind, &content, Utc::now())
        .await?;
    let location = format!("/api/v1/forms/{}", form.id.0);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(FormOut::from(form)),
    ))
}

#[utoipa::path(get, path = "/forms/{id}", tag = "forms", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "The form", body = FormOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such form in this account", body = ErrorBody),
    ))]
async fn get_form(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FormOut>, ApiError> {
    Ok(Json(
        state.store.form(auth.account, FormId(id)).await?.into(),
    ))
}

#[utoipa::path(patch, path = "/forms/{id}", tag = "forms", request_body = FormChangesBody,
    params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Changed", body = FormOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such form in this account", body = ErrorBody),
        (status = 422, description = "Invalid name or definition; `problems` names each", body = ErrorBody),
    ))]
async fn update_form(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<FormChangesBody>,
) -> Result<Json<FormOut>, ApiError> {
    let form = state.store.form(auth.account, FormId(id)).await?;
    let content = content(
        &state,
        &auth,
        form.kind,
        body.name.as_deref(),
        body.definition,
    )
    .await?;
    Ok(Json(
        state
            .store
            .update_form(auth.account, form.id, &content)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/forms/{id}", tag = "forms", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 204, description = "Deleted with its submissions; its page answers 404"),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such form in this account", body = ErrorBody),
    ))]
async fn delete_form(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_form(auth.account, FormId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/forms/{id}/submissions", tag = "forms",
    params(("id" = i64, Path, description = ID), PageParams),
    responses(
        (status = 200, description = "One page of submissions, oldest first", body = SubmissionPageOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such form in this account", body = ErrorBody),
        (status = 422, description = "A parameter is out of range", body = ErrorBody),
    ))]
async fn form_submissions(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<SubmissionPageOut>, ApiError> {
    let (_, limit) = page.parse()?;
    let form = state.store.form(auth.account, FormId(id)).await?;
    let after = page.after.unwrap_or(0);
    let mut rows = state
        .store
        .form_submissions(auth.account, form.id, after, limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_after = more.then(|| rows.last().map(|s| s.id)).flatten();
    Ok(Json(SubmissionPageOut {
        data: rows.into_iter().map(SubmissionOut::from).collect(),
        next_after,
    }))
}
