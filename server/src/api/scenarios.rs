//! Scenarios: create, list, read, update (with the version it edited). The graph
//! travels as JSON; secret header values never come back out. Validation,
//! activation and the other status changes are in `scenario_status.rs`.

use super::doc::ErrorBody;
use super::support::ApiQuery;
use super::{ApiAuth, ApiError, ApiJson, error::Problem};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use hookflow::model::ScenarioId;
use hookflow::model::scenario::{Problem as ScenarioProblem, ScenarioDefinition, ScenarioStatus};
use hookflow::store::ScenarioRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The description of the `{id}` path parameter.
pub(crate) const ID: &str = "The scenario's id";

#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioOut {
    pub id: i64,
    #[schema(example = "New customers to the CRM")]
    pub name: String,
    pub status: ScenarioStatus,
    /// Send it back with an update: a save based on an older version is refused.
    pub version: i64,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
    /// Secret header values are left out (`value: null`); send them back that way
    /// to keep them.
    pub definition: ScenarioDefinition,
    /// What stops this scenario from being activated (empty when ready).
    pub problems: Vec<ScenarioProblem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioUpdate {
    /// The `version` of the scenario this edit started from.
    pub version: i64,
    pub definition: ScenarioDefinition,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the scenarios with this status.
    #[param(value_type = Option<ScenarioStatus>)]
    pub status: Option<String>,
}

pub fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("no such {what}")))
}

pub(crate) fn definition_of(row: &ScenarioRow) -> Result<ScenarioDefinition, ApiError> {
    serde_json::from_str(&row.definition).map_err(|e| {
        tracing::error!(scenario_id = row.id.0, error = %e, "stored scenario definition unreadable");
        ApiError::internal()
    })
}

pub(crate) fn status_of(row: &ScenarioRow) -> ScenarioStatus {
    serde_json::from_value(serde_json::Value::String(row.status.clone())).unwrap_or_default()
}

pub(crate) async fn output(state: &AppState, row: &ScenarioRow) -> Result<ScenarioOut, ApiError> {
    let definition = definition_of(row)?;
    let refs = state.store.scenario_references(row.account_id).await?;
    Ok(ScenarioOut {
        id: row.id.0,
        name: row.name.clone(),
        status: status_of(row),
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        problems: definition.validate(&refs),
        definition: definition.redacted(),
    })
}

pub(crate) fn to_api_problems(problems: &[ScenarioProblem]) -> Vec<Problem> {
    problems
        .iter()
        .map(|p| Problem {
            field: p.field.clone(),
            message: p.message.clone(),
            code: Some(p.code.as_str().to_string()),
            step: p.step.as_ref().map(|s| s.0.clone()),
        })
        .collect()
}

fn check_name(def: &ScenarioDefinition) -> Result<(), ApiError> {
    let len = def.name.trim().chars().count();
    if len == 0 || len > 200 {
        return Err(ApiError::invalid(
            "name",
            "give the scenario a name of 1 to 200 characters",
        ));
    }
    Ok(())
}

async fn load(state: &AppState, auth: &ApiAuth, id: &str) -> Result<ScenarioRow, ApiError> {
    let id = ScenarioId(parse_id(id, "scenario")?);
    state
        .store
        .scenario(auth.account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such scenario"))
}

/// Saves a new scenario as a draft, problems and all; `problems` lists them.
#[utoipa::path(post, path = "/scenarios", operation_id = "create_scenario", tag = "scenarios", request_body = ScenarioDefinition,
    responses(
        (status = 201, description = "Saved as a draft", body = ScenarioOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = "Not a scenario (unknown trigger or step type, a missing or unknown key) \
            or a name that is empty or over 200 characters", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: ApiAuth,
    ApiJson(definition): ApiJson<ScenarioDefinition>,
) -> Result<(StatusCode, Json<ScenarioOut>), ApiError> {
    check_name(&definition)?;
    let json = serde_json::to_string(&definition).expect("definitions serialise");
    let row = state
        .store
        .create_scenario(auth.account, definition.name.trim(), &json, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(output(&state, &row).await?)))
}

#[utoipa::path(get, path = "/scenarios", operation_id = "list_scenarios", tag = "scenarios", params(ListQuery),
    responses(
        (status = 200, description = "Every scenario of the account", body = Vec<ScenarioOut>),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: ApiAuth,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ScenarioOut>>, ApiError> {
    if let Some(status) = &query.status
        && !["draft", "active", "paused", "archived"].contains(&status.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            "use draft, active, paused or archived",
        ));
    }
    let rows = state
        .store
        .scenarios(auth.account, query.status.as_deref())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(output(&state, row).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/scenarios/{id}", operation_id = "get_scenario", tag = "scenarios", params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "The scenario", body = ScenarioOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<ScenarioOut>, ApiError> {
    let row = load(&state, &auth, &id).await?;
    Ok(Json(output(&state, &row).await?))
}

/// Saves a new definition. An active scenario must stay valid; journeys go on
/// with the new graph (contacts waiting at a removed step leave the scenario).
#[utoipa::path(put, path = "/scenarios/{id}", operation_id = "update_scenario", tag = "scenarios", request_body = ScenarioUpdate,
    params(("id" = i64, Path, description = ID)),
    responses(
        (status = 200, description = "Saved", body = ScenarioOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 404, description = "No such scenario in this account", body = ErrorBody),
        (status = 409, description = "The scenario is archived, or was saved by someone else since `version`", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = "Not a scenario, an invalid name, or (for an active scenario) \
            every problem that would make it invalid", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    auth: ApiAuth,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<ScenarioUpdate>,
) -> Result<Json<ScenarioOut>, ApiError> {
    let row = load(&state, &auth, &id).await?;
    let status = status_of(&row);
    if status == ScenarioStatus::Archived {
        return Err(ApiError::conflict("an archived scenario cannot be changed"));
    }
    let mut definition = update.definition;
    check_name(&definition)?;
    definition.keep_saved_secrets(&definition_of(&row)?);
    if status == ScenarioStatus::Active {
        let problems = definition.validate(&state.store.scenario_references(auth.account).await?);
        if !problems.is_empty() {
            return Err(ApiError::problems(
                "an active scenario must stay valid; fix these first",
                to_api_problems(&problems),
            ));
        }
    }
    let json = serde_json::to_string(&definition).expect("definitions serialise");
    let saved = state
        .store
        .update_scenario(auth.account, row.id, update.version, definition.name.trim(), &json, Utc::now())
        .await
        .map_err(|e| match e {
            hookflow::store::StoreError::Conflict(_) => ApiError::conflict(
                "someone else saved this scenario since you opened it; reload it and make your change again",
            ),
            other => other.into(),
        })?;
    Ok(Json(output(&state, &saved).await?))
}

pub(crate) async fn load_scenario(
    state: &AppState,
    auth: &ApiAuth,
    id: &str,
) -> Result<ScenarioRow, ApiError> {
    load(state, auth, id).await
}
