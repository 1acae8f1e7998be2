//! `/groups`: named lists of contacts, and their members. Adding a contact to a
//! group fires the "added to a group" trigger (the store appends the event).

use super::contacts::ContactPageOut;
use super::doc::ErrorBody;
use super::support::{ApiPath, ApiQuery, PageParams, about, instant, store_error};
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use hookflow::model::ContactId;
use hookflow::model::group::{GroupId, GroupName};
use hookflow::store::Group;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, rename_group, delete_group))
        .routes(routes!(group_members))
        .routes(routes!(add_member, remove_member))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    pub id: i64,
    #[schema(example = "Newsletter")]
    pub name: String,
    /// How many contacts are in the group.
    pub members: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<Group> for GroupOut {
    fn from(g: Group) -> Self {
        GroupOut {
            id: g.id.0,
            name: g.name,
            members: g.members,
            created_at: instant(g.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupListOut {
    pub data: Vec<GroupOut>,
}

impl From<Vec<Group>> for GroupListOut {
    fn from(groups: Vec<Group>) -> Self {
        GroupListOut {
            data: groups.into_iter().map(GroupOut::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    /// 1 to 100 characters, unique in the account.
    #[schema(example = "Newsletter")]
    name: String,
}

impl GroupBody {
    fn name(&self) -> Result<GroupName, ApiError> {
        GroupName::parse(&self.name).map_err(|e| ApiError::invalid("name", e.to_string()))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipOut {
    pub group_id: i64,
    pub contact_id: i64,
    /// False when the contact already was a member (nothing happened).
    pub changed: bool,
}

const ID: &str = "The group's id";

#[utoipa::path(get, path = "/groups", tag = "groups",
    responses(
        (status = 200, description = "Every group of the account, by name", body = GroupListOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
    ))]
async fn list_groups(
    auth: ApiAuth,
    State(state): State<AppState>,
) -> Result<Json<GroupListOut>, ApiError> {
    Ok(Json(state.store.groups(auth.account).await?.into()))
}

#[utoipa::path(post, path = "/groups", tag = "groups", request_body = GroupBody,
    responses(
        (status = 201, description = "Created", body = GroupOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 409, description = "A group with this name exists", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ))]
async fn create_group(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<impl IntoResponse, ApiError> {
    let group = state
        .store
        .create_group(auth.account, &body.name()?, Utc::now())
        .await
        .map_err(store_error)?;
    let location = format!("/api/v1/groups/{}", group.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(GroupOut::from(group)),
    ))
}

#[utoipa::path(get, path = "/groups/{id}", tag = "groups", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "The group", body = GroupOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such group in this account", body = ErrorBody),
    ))]
async fn get_group(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupOut>, ApiError> {
    Ok(Json(
        state
            .store
            .group(auth.account, GroupId(id))
            .await
            .map_err(about("group"))?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", request_body = GroupBody,
    params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Renamed", body = GroupOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such group in this account", body = ErrorBody),
        (status = 409, description = "Another group has this name", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ))]
async fn rename_group(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<Json<GroupOut>, ApiError> {
    let group = state
        .store
        .rename_group(auth.account, GroupId(id), &body.name()?)
        .await
        .map_err(about("group"))?;
    Ok(Json(group.into()))
}

#[utoipa::path(delete, path = "/groups/{id}", tag = "groups", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 204, description = "Deleted; its members are removed from it, not deleted"),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such group in this account", body = ErrorBody),
    ))]
async fn delete_group(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_group(auth.account, GroupId(id), Utc::now())
        .await
        .map_err(about("group"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/groups/{id}/members", tag = "groups",
    params(("id" = i64, Path, description = ID), PageParams),
    responses(
        (status = 200, description = "One page of the group's contacts, in id order", body = ContactPageOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such group in this account", body = ErrorBody),
        (status = 422, description = "A parameter is out of range", body = ErrorBody),
    ))]
async fn group_members(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<ContactPageOut>, ApiError> {
    let (after, limit) = page.parse()?;
    let page = state
        .store
        .group_members(auth.account, GroupId(id), after, limit)
        .await
        .map_err(about("group"))?;
    Ok(Json(page.into()))
}

#[utoipa::path(put, path = "/groups/{id}/members/{contact_id}", tag = "groups",
    params(("id" = i64, Path, description = ID), ("contact_id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact is a member", body = MembershipOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such group or contact in this account", body = ErrorBody),
    ))]
async fn add_member(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath((id, contact)): ApiPath<(i64, i64)>,
) -> Result<Json<MembershipOut>, ApiError> {
    let changed = state
        .store
        .add_to_group(auth.account, GroupId(id), ContactId(contact), Utc::now())
        .await
        .map_err(about("group or contact"))?;
    Ok(Json(MembershipOut {
        group_id: id,
        contact_id: contact,
        changed,
    }))
}

#[utoipa::path(delete, path = "/groups/{id}/members/{contact_id}", tag = "groups",
    params(("id" = i64, Path, description = ID), ("contact_id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 204, description = "The contact is not a member (any more)"),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such group or contact in this account", body = ErrorBody),
    ))]
async fn remove_member(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath((id, contact)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .remove_from_group(auth.account, GroupId(id), ContactId(contact), Utc::now())
        .await
        .map_err(about("group or contact"))?;
    Ok(StatusCode::NO_CONTENT)
}
