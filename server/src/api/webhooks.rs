//! `POST /api/v1/webhooks/test`: the Test button, for programs.

use super::doc::ErrorBody;
use super::{ApiAuth, ApiError, ApiJson, error::Problem};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::Utc;
use hookflow::model::ContactId;
use hookflow::webhook::config::{WebhookStepConfig, WebhookStepInput};
use hookflow::webhook::signing::SigningSecret;
use hookflow::webhook::test_result::TestSendResult;
use hookflow::webhook::test_send::test_send;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// The Send a Webhook step's configuration, as in a scenario's step.
    pub config: WebhookStepInput,
    /// A real contact to send instead of the sample member.
    #[serde(default)]
    pub contact_id: Option<i64>,
}

/// Sends one test request now (never retried), for the sample member or a real
/// contact, and reports what the destination answered.
#[utoipa::path(post, path = "/webhooks/test", operation_id = "test_webhook", tag = "webhooks", request_body = TestRequest,
    responses(
        (status = 200, description = "The request was tried; `accepted` says whether the destination took it, \
            and when not, `error_code` and `error_message` say why", body = TestSendResult),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = "The configuration has problems (each `problems[].field` is under `config.`), \
            or no such contact", body = ErrorBody),
    ))]
pub async fn test(
    State(state): State<AppState>,
    auth: ApiAuth,
    ApiJson(request): ApiJson<TestRequest>,
) -> Result<Json<TestSendResult>, ApiError> {
    let custom = state.store.account_custom_fields(auth.account).await?;
    let config = WebhookStepConfig::parse(&request.config, &custom, None).map_err(|errors| {
        let problems = errors
            .into_iter()
            .map(|e| Problem {
                field: format!("config.{}", e.field),
                message: e.message,
                code: None,
                step: None,
            })
            .collect();
        ApiError::problems("the webhook configuration has problems", problems)
    })?;
    let contact = match request.contact_id {
        None => None,
        Some(id) => Some(
            state
                .store
                .contact_snapshot(auth.account, ContactId(id))
                .await?
                .ok_or_else(|| ApiError::invalid("contact_id", "no such contact"))?
                .record,
        ),
    };
    let secret = match state.store.account_signing_secret(auth.account).await? {
        Some(raw) => SigningSecret::parse(&raw).ok(),
        None => None,
    };
    let result = test_send(
        &state.sender,
        &config,
        auth.account,
        contact.as_ref(),
        secret.as_ref(),
        Utc::now(),
    )
    .await;
    Ok(Json(result))
}
