//! `POST /api/v1/events`: what happened to a contact (a form submitted, an email
//! opened, a link clicked, a survey answered, a profile updated). The event is
//! stored, and the engine enrols the contact into the scenarios it triggers.

use super::doc::ErrorBody;
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hookflow::engine::event::ContactEvent;
use hookflow::model::{ContactId, Email};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Name the contact by `contact_id` or by `email`, not both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    /// What happened.
    #[serde(rename = "type")]
    #[schema(value_type = EventType)]
    pub kind: String,
    /// The contact, by id …
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// … or by email.
    #[serde(default)]
    #[schema(format = Email)]
    pub email: Option<String>,
    /// The subscription form, update-profile form or survey (`form_submitted`,
    /// `profile_updated`, `survey_answered`).
    #[serde(default)]
    pub form_id: Option<i64>,
    /// The mailing opened or clicked (`email_opened`, `link_clicked`).
    #[serde(default)]
    pub mailing_id: Option<i64>,
    /// The link clicked (`link_clicked`): a complete http:// or https:// URL, at
    /// most 2048 characters.
    #[serde(default)]
    #[schema(format = "uri", max_length = 2048)]
    pub url: Option<String>,
}

/// What happened to the contact.
// `EventIn` keeps `type` as text and parses it here, so that an unknown type is
// answered with this list rather than serde's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    FormSubmitted,
    ProfileUpdated,
    SurveyAnswered,
    EmailOpened,
    LinkClicked,
}

impl EventType {
    fn parse(raw: &str) -> Result<EventType, ApiError> {
        serde_json::from_value(serde_json::Value::from(raw)).map_err(|_| {
            ApiError::invalid(
                "type",
                "use form_submitted, profile_updated, survey_answered, email_opened or link_clicked",
            )
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventAccepted {
    pub accepted: bool,
    /// The contact the event was recorded for.
    pub contact_id: i64,
}

fn required(value: Option<i64>, field: &str) -> Result<i64, ApiError> {
    value.ok_or_else(|| ApiError::invalid(field, "required for this event type"))
}

/// Records the event; active scenarios it triggers enrol the contact shortly after.
#[utoipa::path(post, path = "/events", operation_id = "post_event", tag = "events", request_body = EventIn,
    responses(
        (status = 202, description = "Recorded; the engine enrols the contact into the scenarios it triggers", body = EventAccepted),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = "Unknown type; a form, mailing or contact that does not exist in this account; \
            a missing id the type needs; an invalid email or URL", body = ErrorBody),
    ))]
pub async fn post(
    State(state): State<AppState>,
    auth: ApiAuth,
    ApiJson(input): ApiJson<EventIn>,
) -> Result<(StatusCode, Json<EventAccepted>), ApiError> {
    let refs = state.store.scenario_references(auth.account).await?;
    let event = match EventType::parse(&input.kind)? {
        EventType::FormSubmitted => {
            let form_id = required(input.form_id, "form_id")?;
            if !refs.subscription_form_ids.contains(&form_id) {
                return Err(ApiError::invalid(
                    "form_id",
                    "no subscription form with this id",
                ));
            }
            ContactEvent::FormSubmitted { form_id }
        }
        EventType::ProfileUpdated => {
            let form_id = required(input.form_id, "form_id")?;
            if !refs.profile_form_ids.contains(&form_id) {
                return Err(ApiError::invalid(
                    "form_id",
                    "no update-profile form with this id",
                ));
            }
            ContactEvent::ProfileUpdated { form_id }
        }
        EventType::SurveyAnswered => {
            let form_id = required(input.form_id, "form_id")?;
            if !refs.survey_form_ids.contains(&form_id) {
                return Err(ApiError::invalid("form_id", "no survey with this id"));
            }
            ContactEvent::SurveyAnswered { form_id }
        }
        kind @ (EventType::EmailOpened | EventType::LinkClicked) => {
            let mailing_id = required(input.mailing_id, "mailing_id")?;
            if !refs.mailing_ids.contains(&mailing_id) {
                return Err(ApiError::invalid("mailing_id", "no mailing with this id"));
            }
            if kind == EventType::EmailOpened {
                ContactEvent::EmailOpened { mailing_id }
            } else {
                let url = input.url.clone().unwrap_or_default();
                if url::Url::parse(&url)
                    .map(|u| !matches!(u.scheme(), "http" | "https"))
                    .unwrap_or(true)
                    || url.len() > 2048
                {
                    return Err(ApiError::invalid(
                        "url",
                        "the clicked link, a complete http:// or https:// URL",
                    ));
                }
                ContactEvent::LinkClicked { mailing_id, url }
            }
        }
    };
    let contact = match (input.contact_id, input.email.as_deref()) {
        (Some(id), None) => state
            .store
            .contact_snapshot(auth.account, ContactId(id))
            .await?
            .map(|s| s.record.id),
        (None, Some(email)) => {
            let email =
                Email::parse(email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
            state
                .store
                .contact_id_by_email(auth.account, &email)
                .await?
        }
        _ => {
            return Err(ApiError::invalid(
                "contact_id",
                "name the contact by contact_id or by email (one of them)",
            ));
        }
    }
    .ok_or_else(|| ApiError::invalid("contact_id", "no such contact"))?;
    let mut tx = state.store.begin().await?;
    tx.append_event(auth.account, contact, &event, Utc::now())
        .await?;
    tx.commit().await?;
    state.engine.wake();
    Ok((
        StatusCode::ACCEPTED,
        Json(EventAccepted {
            accepted: true,
            contact_id: contact.0,
        }),
    ))
}
