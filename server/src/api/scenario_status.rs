//! A scenario's life: validate, activate, pause, archive; and how many contacts
//! passed each of its steps.

use super::doc::ErrorBody;
use super::scenarios::{
    ID, ScenarioOut, definition_of, load_scenario, output, status_of, to_api_problems,
};
use super::{ApiAuth, ApiError};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use hookflow::model::scenario::{Problem as ScenarioProblem, ScenarioStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    /// True when the scenario can be activated.
    pub valid: bool,
    pub problems: Vec<ScenarioProblem>,
}

#[utoipa::path(post, path = "/scenarios/{id}/validate", operation_id = "validate_scenario", tag = "scenarios", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Every problem that stops the saved scenario from being activated", body = Validation),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
    ))]
pub async fn validate(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<Validation>, ApiError> {
    let row = load_scenario(&state, &auth, &id).await?;
    let problems =
        definition_of(&row)?.validate(&state.store.scenario_references(auth.account).await?);
    Ok(Json(Validation {
        valid: problems.is_empty(),
        problems,
    }))
}

/// The first activation of a "meets criteria" scenario with `include_existing`
/// also enrols the contacts who already meet the criteria.
#[utoipa::path(post, path = "/scenarios/{id}/activate", operation_id = "activate_scenario", tag = "scenarios", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Active: it enrols contacts when its trigger fires", body = ScenarioOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
        (status = 409, description = "The scenario is archived", body = ErrorBody),
        (status = 422, description = "The scenario is not valid; `problems` lists every problem, with its step", body = ErrorBody),
    ))]
pub async fn activate(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<ScenarioOut>, ApiError> {
    let row = load_scenario(&state, &auth, &id).await?;
    if status_of(&row) == ScenarioStatus::Archived {
        return Err(ApiError::conflict(
            "an archived scenario cannot be activated again",
        ));
    }
    let problems =
        definition_of(&row)?.validate(&state.store.scenario_references(auth.account).await?);
    if !problems.is_empty() {
        return Err(ApiError::problems(
            "this scenario cannot be activated yet",
            to_api_problems(&problems),
        ));
    }
    let was = status_of(&row);
    let row = state
        .store
        .set_scenario_status(auth.account, row.id, "active", Utc::now())
        .await?;
    if was == ScenarioStatus::Draft {
        state.engine.enrol_existing(auth.account, row.id).await?;
    }
    state.engine.wake();
    Ok(Json(output(&state, &row).await?))
}

#[utoipa::path(post, path = "/scenarios/{id}/pause", operation_id = "pause_scenario", tag = "scenarios", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Paused: it enrols no one until activated again", body = ScenarioOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
        (status = 409, description = "The scenario is not active", body = ErrorBody),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<ScenarioOut>, ApiError> {
    let row = load_scenario(&state, &auth, &id).await?;
    if status_of(&row) != ScenarioStatus::Active {
        return Err(ApiError::conflict("only an active scenario can be paused"));
    }
    let row = state
        .store
        .set_scenario_status(auth.account, row.id, "paused", Utc::now())
        .await?;
    Ok(Json(output(&state, &row).await?))
}

/// Archiving stops the scenario for good; its statistics stay readable.
#[utoipa::path(post, path = "/scenarios/{id}/archive", operation_id = "archive_scenario", tag = "scenarios", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Archived", body = ScenarioOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
    ))]
pub async fn archive(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<ScenarioOut>, ApiError> {
    let row = load_scenario(&state, &auth, &id).await?;
    let row = state
        .store
        .set_scenario_status(auth.account, row.id, "archived", Utc::now())
        .await?;
    state.engine.wake();
    Ok(Json(output(&state, &row).await?))
}

/// How many contacts passed each step (the numbers above the steps).
#[utoipa::path(get, path = "/scenarios/{id}/passes", operation_id = "scenario_passes", tag = "scenarios", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "By step id, how many contacts passed the step; steps nobody passed are absent",
            body = BTreeMap<String, i64>, example = json!({"hook": 1})),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
    ))]
pub async fn passes(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<BTreeMap<String, i64>>, ApiError> {
    let row = load_scenario(&state, &auth, &id).await?;
    Ok(Json(
        state
            .store
            .step_pass_counts(auth.account, row.id)
            .await?
            .into_iter()
            .collect(),
    ))
}
