//! `/mailings`: references to email campaigns sent by another program, and the
//! signed tracking links that program embeds for each contact (an open pixel
//! and tracked links). Opens and clicks fire the "email opened or link clicked"
//! trigger and count in the contact's personal statistics.

use super::doc::ErrorBody;
use super::support::{ApiPath, instant};
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use hookflow::model::ContactId;
use hookflow::store::{Mailing, MailingId, MailingName, MailingRecipient, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mailings, create_mailing))
        .routes(routes!(get_mailing, rename_mailing, delete_mailing))
        .routes(routes!(tracking_links))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailingOut {
    pub id: i64,
    #[schema(example = "May newsletter")]
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<Mailing> for MailingOut {
    fn from(m: Mailing) -> Self {
        MailingOut {
            id: m.id.0,
            name: m.name,
            created_at: instant(m.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailingListOut {
    pub data: Vec<MailingOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailingBody {
    /// 1 to 100 characters.
    #[schema(example = "May newsletter")]
    name: String,
}

impl MailingBody {
    fn name(&self) -> Result<MailingName, ApiError> {
        MailingName::parse(&self.name).map_err(|message| ApiError::invalid("name", message))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingLinksBody {
    /// The contact the email is sent to.
    contact_id: i64,
    /// A link in the email to track: a complete `http://` or `https://` URL.
    #[schema(example = "https://example.org/offer")]
    url: Option<String>,
}

/// Addresses relative to this server's address: prefix them with the address
/// Hookflow is reached at (for example `https://hookflow.example.org`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingLinksOut {
    /// The open-tracking image: `<img src="…" width="1" height="1" alt="">`.
    #[schema(example = "/t/o/AQEAAAAAAAAAAwAAAAAAAAAHAAAAAAAA1DEj3Dt4pXqgxmHnB2Vd1Q")]
    pub pixel_url: String,
    /// The tracked link that redirects to `url` (when `url` was given).
    pub click_url: Option<String>,
    /// The URL the click link leads to, as signed (normalised).
    pub url: Option<String>,
    /// Append `?t=` and this to an update-profile form's `public_url` to show
    /// the form prefilled for this contact.
    pub profile_token: String,
}

const ID: &str = "The mailing's id";

#[utoipa::path(get, path = "/mailings", tag = "mailings",
    responses(
        (status = 200, description = "Every mailing of the account, newest first", body = MailingListOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
    ))]
async fn list_mailings(
    auth: ApiAuth,
    State(state): State<AppState>,
) -> Result<Json<MailingListOut>, ApiError> {
    let mailings = state.store.mailings(auth.account).await?;
    Ok(Json(MailingListOut {
        data: mailings.into_iter().map(MailingOut::from).collect(),
    }))
}

#[utoipa::path(post, path = "/mailings", tag = "mailings", request_body = MailingBody,
    responses(
        (status = 201, description = "Created", body = MailingOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ))]
async fn create_mailing(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<MailingBody>,
) -> Result<impl IntoResponse, ApiError> {
    let mailing = state
        .store
        .create_mailing(auth.account, &body.name()?, Utc::now())
        .await?;
    let location = format!("/api/v1/mailings/{}", mailing.id.0);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(MailingOut::from(mailing)),
    ))
}

#[utoipa::path(get, path = "/mailings/{id}", tag = "mailings", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "The mailing", body = MailingOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such mailing in this account", body = ErrorBody),
    ))]
async fn get_mailing(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MailingOut>, ApiError> {
    Ok(Json(
        state
            .store
            .mailing(auth.account, MailingId(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/mailings/{id}", tag = "mailings", request_body = MailingBody,
    params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Renamed", body = MailingOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such mailing in this account", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ))]
async fn rename_mailing(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MailingBody>,
) -> Result<Json<MailingOut>, ApiError> {
    Ok(Json(
        state
            .store
            .rename_mailing(auth.account, MailingId(id), &body.name()?)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/mailings/{id}", tag = "mailings", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 204, description = "Deleted; its tracking links stop counting"),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such mailing in this account", body = ErrorBody),
    ))]
async fn delete_mailing(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_mailing(auth.account, MailingId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/mailings/{id}/tracking-links", tag = "mailings", request_body = TrackingLinksBody,
    params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "The signed links to embed in this contact's email", body = TrackingLinksOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such mailing or contact in this account", body = ErrorBody),
        (status = 422, description = "The URL is not a complete http(s) URL", body = ErrorBody),
    ))]
async fn tracking_links(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TrackingLinksBody>,
) -> Result<Json<TrackingLinksOut>, ApiError> {
    let url = body.url.as_deref().map(link_url).transpose()?;
    let mailing = state.store.mailing(auth.account, MailingId(id)).await?;
    let contact = match state
        .store
        .contact(auth.account, ContactId(body.contact_id))
        .await
    {
        Err(StoreError::NotFound) => {
            return Err(ApiError::not_found(
                "not found: no such contact in this account",
            ));
        }
        other => other?,
    };
    let key = state.store.tracking_key().await?;
    let recipient = MailingRecipient {
        account: auth.account,
        mailing: mailing.id,
        contact: contact.id,
    };
    let click_url = url.as_ref().map(|u| {
        let encoded: String = url::form_urlencoded::byte_serialize(u.as_bytes()).collect();
        format!("/t/c/{}?u={encoded}", key.click_token(&recipient, u))
    });
    Ok(Json(TrackingLinksOut {
        pixel_url: format!("/t/o/{}", key.open_token(&recipient)),
        click_url,
        url,
        profile_token: key.profile_token(auth.account, contact.id),
    }))
}

/// A link to track: complete, `http` or `https`, normalised as the click will send it.
fn link_url(raw: &str) -> Result<String, ApiError> {
    const HELP: &str = "must be a complete http:// or https:// URL, like https://example.org/offer";
    if raw.len() > 2000 {
        return Err(ApiError::invalid("url", "must be at most 2000 characters"));
    }
    match url::Url::parse(raw.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(u.to_string())
        }
        _ => Err(ApiError::invalid("url", HELP)),
    }
}
