//! A step's statistics and delivery log.

use super::doc::ErrorBody;
use super::scenarios::{ID, load_scenario, parse_id};
use super::support::ApiQuery;
use super::{ApiAuth, ApiError};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use hookflow::model::StepId;
use hookflow::model::scenario::is_valid_step_id;
use hookflow::store::{AttemptRow, DeliveryRow, DeliveryState, LogQuery, StepStats};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(crate) const STEP_ID: &str =
    "The step's id in the scenario's graph (1 to 64 letters, digits, `-` and `_`)";

pub(crate) fn step_id(raw: &str) -> Result<StepId, ApiError> {
    if is_valid_step_id(raw) {
        Ok(StepId(raw.to_string()))
    } else {
        Err(ApiError::not_found("no such step"))
    }
}

/// `{"reached":…,"accepted":…,"pending":…,"failed":…}`; reached = accepted +
/// pending + failed for a Send a Webhook step.
#[utoipa::path(get, path = "/scenarios/{id}/steps/{step_id}/stats", operation_id = "step_stats", tag = "steps",
    params(("id" = i64, Path, description = ID), ("step_id" = String, Path, description = STEP_ID)),
    responses(
        (status = 200, description = "The step's numbers (all 0 for a step no contact reached)", body = StepStats),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account, or a step id that cannot exist", body = ErrorBody),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path((id, step)): Path<(String, String)>,
) -> Result<Json<StepStats>, ApiError> {
    let scenario = load_scenario(&state, &auth, &id).await?;
    Ok(Json(
        state
            .store
            .step_stats(scenario.id, &step_id(&step)?)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only the deliveries in this state.
    #[param(value_type = Option<DeliveryState>)]
    pub state: Option<String>,
    /// Keyset paging: deliveries with a smaller id than this one (`next_before`
    /// of the previous page).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub before: Option<String>,
    /// How many deliveries, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// Only the deliveries of the contact with this email.
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    #[serde(flatten)]
    pub delivery: DeliveryRow,
    /// Every attempt so far, in order.
    pub attempt_log: Vec<AttemptRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveriesPage {
    /// Newest first.
    pub deliveries: Vec<DeliveryOut>,
    /// Pass as `before` for the next page; `null` on the last page.
    pub next_before: Option<i64>,
}

#[utoipa::path(get, path = "/scenarios/{id}/steps/{step_id}/deliveries", operation_id = "step_deliveries", tag = "steps",
    params(("id" = i64, Path, description = ID), ("step_id" = String, Path, description = STEP_ID), DeliveriesQuery),
    responses(
        (status = 200, description = "One page of the step's delivery log, newest first", body = DeliveriesPage),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account, or a step id that cannot exist", body = ErrorBody),
        (status = 422, description = "Unknown `state`, a malformed `email`, or `before` or `limit` out of range", body = ErrorBody),
    ))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path((id, step)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<DeliveriesPage>, ApiError> {
    let scenario = load_scenario(&state, &auth, &id).await?;
    let filter = match query.state.as_deref() {
        None | Some("") => None,
        Some("pending") => Some(DeliveryState::Pending),
        Some("accepted") => Some(DeliveryState::Accepted),
        Some("failed") => Some(DeliveryState::Failed),
        Some(_) => {
            return Err(ApiError::invalid(
                "state",
                "use pending, accepted or failed",
            ));
        }
    };
    let before = match query.before.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            parse_id(raw, "page")
                .map_err(|_| ApiError::invalid("before", "a delivery id from next_before"))?,
        ),
    };
    let limit = match query.limit.as_deref() {
        None | Some("") => 50,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "a number from 1 to 200"))?,
    };
    let email = match query.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            hookflow::model::Email::parse(raw)
                .map_err(|e| ApiError::invalid("email", e.to_string()))?,
        ),
    };
    let rows = state
        .store
        .step_deliveries(
            auth.account,
            scenario.id,
            &step_id(&step)?,
            LogQuery {
                state: filter,
                email: email.as_ref().map(|e| e.as_str()),
                before,
                limit,
            },
        )
        .await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.0))
        .flatten();
    let mut deliveries = Vec::with_capacity(rows.len());
    for delivery in rows {
        let attempt_log = state.store.attempts_of(delivery.id).await?;
        deliveries.push(DeliveryOut {
            delivery,
            attempt_log,
        });
    }
    Ok(Json(DeliveriesPage {
        deliveries,
        next_before,
    }))
}
