//! `/contacts`: create, read, change and delete the account's contacts. Values are
//! checked against the field catalogue (built-in and the account's custom fields);
//! every change leaves its event for the scenario engine (the store does that).

use super::doc::{ContactBody, ContactFields, ErrorBody};
use super::groups::GroupListOut;
use super::support::{ApiPath, ApiQuery, PageParams, about, instant, invalid_input, store_error};
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use hookflow::model::contact::{ContactInput, InputMode};
use hookflow::model::fields::Catalogue;
use hookflow::model::{ContactId, Email};
use hookflow::store::{Contact, ContactPage};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(get_contact, update_contact, delete_contact))
        .routes(routes!(contact_groups))
        .routes(routes!(super::contacts_bulk::upsert_contacts))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    #[schema(example = 54321)]
    pub id: i64,
    #[schema(example = "john.doe@example.org")]
    pub email: String,
    /// Every value the contact has; a field without a value is absent.
    #[schema(value_type = ContactFields)]
    pub fields: BTreeMap<String, Value>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}

impl From<Contact> for ContactOut {
    fn from(c: Contact) -> Self {
        ContactOut {
            id: c.id.0,
            email: c.email.to_string(),
            fields: c.fields,
            created_at: instant(c.created_at),
            updated_at: instant(c.updated_at),
        }
    }
}

/// One page of contacts in id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPageOut {
    pub data: Vec<ContactOut>,
    /// Pass as `after` to get the next page; `null` on the last page.
    pub next_after: Option<i64>,
}

impl From<ContactPage> for ContactPageOut {
    fn from(page: ContactPage) -> Self {
        ContactPageOut {
            data: page.contacts.into_iter().map(ContactOut::from).collect(),
            next_after: page.next_after.map(|id| id.0),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListParams {
    /// Return contacts whose id is greater than this (`next_after` of the previous page).
    after: Option<i64>,
    /// How many contacts, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Only the contact with this email (case does not matter).
    email: Option<String>,
}

#[utoipa::path(get, path = "/contacts", tag = "contacts", params(ContactListParams),
    responses(
        (status = 200, description = "One page of contacts, or the one with `email`", body = ContactPageOut),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 422, description = "A parameter is out of range", body = ErrorBody),
    ))]
async fn list_contacts(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ContactListParams>,
) -> Result<Json<ContactPageOut>, ApiError> {
    let (after, limit) = PageParams {
        after: q.after,
        limit: q.limit,
    }
    .parse()?;
    if let Some(email) = q.email {
        let email = Email::parse(&email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
        let found = state.store.contact_by_email(auth.account, &email).await?;
        let data = found.into_iter().map(ContactOut::from).collect();
        return Ok(Json(ContactPageOut {
            data,
            next_after: None,
        }));
    }
    let page = state
        .store
        .list_contacts(auth.account, after, limit)
        .await?;
    Ok(Json(page.into()))
}

#[utoipa::path(post, path = "/contacts", tag = "contacts", request_body = ContactBody,
    responses(
        (status = 201, description = "Created", body = ContactOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 409, description = "A contact with this email exists", body = ErrorBody),
        (status = 422, description = "Invalid values; `problems` names each field", body = ErrorBody),
    ))]
async fn create_contact(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<impl IntoResponse, ApiError> {
    let custom = state.store.account_custom_fields(auth.account).await?;
    let changes = input
        .parse(&Catalogue::new(&custom), InputMode::Create)
        .map_err(invalid_input)?;
    let email = changes
        .email
        .clone()
        .ok_or_else(|| ApiError::invalid("email", "email is required"))?;
    let contact = state
        .store
        .create_contact(auth.account, &email, &changes.initial_fields(), Utc::now())
        .await
        .map_err(store_error)?;
    let location = format!("/api/v1/contacts/{}", contact.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ContactOut::from(contact)),
    ))
}

#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact", body = ContactOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such contact in this account", body = ErrorBody),
    ))]
async fn get_contact(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContactOut>, ApiError> {
    Ok(Json(
        state
            .store
            .contact(auth.account, ContactId(id))
            .await
            .map_err(about("contact"))?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", request_body = ContactBody,
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact after the change; keys not sent are kept", body = ContactOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such contact in this account", body = ErrorBody),
        (status = 409, description = "Another contact has this email", body = ErrorBody),
        (status = 422, description = "Invalid values; `problems` names each field", body = ErrorBody),
    ))]
async fn update_contact(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Json<ContactOut>, ApiError> {
    let custom = state.store.account_custom_fields(auth.account).await?;
    let changes = input
        .parse(&Catalogue::new(&custom), InputMode::Update)
        .map_err(invalid_input)?;
    let (contact, _changed) = state
        .store
        .update_contact(auth.account, ContactId(id), &changes, Utc::now())
        .await
        .map_err(about("contact"))?;
    Ok(Json(contact.into()))
}

#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 204, description = "Deleted, with its group memberships"),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such contact in this account", body = ErrorBody),
    ))]
async fn delete_contact(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_contact(auth.account, ContactId(id))
        .await
        .map_err(about("contact"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/contacts/{id}/groups", tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The groups the contact is in, by name", body = GroupListOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such contact in this account", body = ErrorBody),
    ))]
async fn contact_groups(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupListOut>, ApiError> {
    let groups = state
        .store
        .contact_groups(auth.account, ContactId(id))
        .await
        .map_err(about("contact"))?;
    Ok(Json(groups.into()))
}
