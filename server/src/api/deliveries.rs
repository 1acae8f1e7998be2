//! One delivery as sent, and what a person may do with it: resend a failed one
//! (pending again with the same id and a new retry window) or cancel a pending
//! one (failed, with the reason). Every action is recorded with who did it.

use super::doc::ErrorBody;
use super::scenarios::{ID, load_scenario, parse_id};
use super::steps::{STEP_ID, step_id};
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use hookflow::model::DeliveryId;
use hookflow::store::{ActionRefused, AttemptRow, DeliveryAction, DeliveryDetail};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_delivery))
        .routes(routes!(resend_delivery))
        .routes(routes!(cancel_delivery))
        .routes(routes!(resend_failed))
}

const DELIVERY_ID: &str = "The delivery's id";

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    #[serde(flatten)]
    pub detail: DeliveryDetail,
    pub attempt_log: Vec<AttemptRow>,
    /// Resends and cancellations, oldest first.
    pub actions: Vec<DeliveryAction>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Why no further attempt should be made (1 to 500 characters).
    #[schema(example = "The CRM was replaced; these contacts are imported by hand")]
    reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResentOut {
    /// How many failed deliveries became pending again.
    pub resent: u64,
}

/// Who did it, as recorded: the API token and its user.
fn actor(auth: &ApiAuth) -> String {
    format!("user {} (API token {})", auth.user.0, auth.token_id)
}

fn delivery_id(raw: &str) -> Result<DeliveryId, ApiError> {
    parse_id(raw, "delivery").map(DeliveryId)
}

async fn output(state: &AppState, auth: &ApiAuth, id: DeliveryId) -> Result<DeliveryOut, ApiError> {
    let detail = state
        .store
        .delivery_detail(auth.account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such delivery"))?;
    Ok(DeliveryOut {
        attempt_log: state.store.attempts_of(id).await?,
        actions: state.store.delivery_actions(auth.account, id).await?,
        detail,
    })
}

fn window(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.engine.config().delivery_window)
        .unwrap_or(chrono::Duration::hours(12))
}

#[utoipa::path(get, path = "/deliveries/{id}", operation_id = "get_delivery", tag = "steps",
    params(("id" = i64, Path, description = DELIVERY_ID)),
    responses(
        (status = 200, description = "The delivery, the request as sent (secret header values masked), every attempt and action", body = DeliveryOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such delivery in this account", body = ErrorBody),
    ))]
async fn get_delivery(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<DeliveryOut>, ApiError> {
    Ok(Json(output(&state, &auth, delivery_id(&id)?).await?))
}

#[utoipa::path(post, path = "/deliveries/{id}/resend", operation_id = "resend_delivery", tag = "steps",
    params(("id" = i64, Path, description = DELIVERY_ID)),
    responses(
        (status = 200, description = "Pending again, due now, with the same id and a new retry window", body = DeliveryOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such delivery in this account", body = ErrorBody),
        (status = 409, description = "Only a failed delivery can be resent", body = ErrorBody),
    ))]
async fn resend_delivery(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<DeliveryOut>, ApiError> {
    let id = delivery_id(&id)?;
    match state
        .store
        .resend_delivery(auth.account, id, &actor(&auth), Utc::now(), window(&state))
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(ActionRefused::NotFailed | ActionRefused::NotPending)) => {
            return Err(ApiError::conflict(
                "only a failed delivery can be resent; this one is pending or accepted",
            ));
        }
        Err(hookflow::store::StoreError::NotFound) => {
            return Err(ApiError::not_found("no such delivery"));
        }
        Err(e) => return Err(e.into()),
    }
    state.dispatcher.wake();
    Ok(Json(output(&state, &auth, id).await?))
}

#[utoipa::path(post, path = "/deliveries/{id}/cancel", operation_id = "cancel_delivery", tag = "steps",
    params(("id" = i64, Path, description = DELIVERY_ID)), request_body = CancelBody,
    responses(
        (status = 200, description = "Failed, with the reason; no further attempt", body = DeliveryOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such delivery in this account", body = ErrorBody),
        (status = 409, description = "Only a pending delivery can be cancelled", body = ErrorBody),
        (status = 422, description = "No reason, or a reason over 500 characters", body = ErrorBody),
    ))]
async fn cancel_delivery(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<Json<DeliveryOut>, ApiError> {
    let id = delivery_id(&id)?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid(
            "reason",
            "say why, in 1 to 500 characters",
        ));
    }
    match state
        .store
        .cancel_delivery(auth.account, id, &actor(&auth), reason, Utc::now())
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(_)) => {
            return Err(ApiError::conflict(
                "only a pending delivery can be cancelled; this one is already accepted or failed",
            ));
        }
        Err(hookflow::store::StoreError::NotFound) => {
            return Err(ApiError::not_found("no such delivery"));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Json(output(&state, &auth, id).await?))
}

#[utoipa::path(post, path = "/scenarios/{id}/steps/{step_id}/resend-failed", operation_id = "resend_failed", tag = "steps",
    params(("id" = i64, Path, description = ID), ("step_id" = String, Path, description = STEP_ID)),
    responses(
        (status = 200, description = "Every failed delivery of the step is pending again", body = ResentOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account, or a step id that cannot exist", body = ErrorBody),
    ))]
async fn resend_failed(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path((id, step)): Path<(String, String)>,
) -> Result<(StatusCode, Json<ResentOut>), ApiError> {
    let scenario = load_scenario(&state, &auth, &id).await?;
    let step = step_id(&step)?;
    let resent = state
        .store
        .resend_failed_of_step(
            auth.account,
            scenario.id,
            &step,
            &actor(&auth),
            Utc::now(),
            window(&state),
        )
        .await?;
    if resent > 0 {
        state.dispatcher.wake();
    }
    Ok((StatusCode::OK, Json(ResentOut { resent })))
}
