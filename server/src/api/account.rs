//! `/account`: the account the token belongs to, and its time zone (the day a
//! "contact's date is reached" trigger fires on).

use super::doc::ErrorBody;
use super::{ApiAuth, ApiError, ApiJson};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_account, update_account))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// The `idClient` of every webhook payload.
    pub id: i64,
    pub name: String,
    /// An IANA time zone name.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    /// An IANA time zone name, such as `Europe/Paris` or `America/Montreal`.
    #[schema(example = "Europe/Paris")]
    time_zone: String,
}

async fn current(state: &AppState, auth: &ApiAuth) -> Result<AccountOut, ApiError> {
    let (name, time_zone) = state.store.account_settings(auth.account).await?;
    Ok(AccountOut {
        id: auth.account.0,
        name,
        time_zone,
    })
}

#[utoipa::path(get, path = "/account", tag = "account",
    responses(
        (status = 200, description = "The token's account", body = AccountOut),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
    ))]
async fn get_account(
    auth: ApiAuth,
    State(state): State<AppState>,
) -> Result<Json<AccountOut>, ApiError> {
    Ok(Json(current(&state, &auth).await?))
}

#[utoipa::path(patch, path = "/account", tag = "account", request_body = AccountBody,
    responses(
        (status = 200, description = "Saved", body = AccountOut),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong API token", body = ErrorBody),
        (status = 422, description = "Unknown time zone", body = ErrorBody),
    ))]
async fn update_account(
    auth: ApiAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<Json<AccountOut>, ApiError> {
    let name = body.time_zone.trim();
    let zone: chrono_tz::Tz = name.parse().map_err(|_| {
        ApiError::invalid(
            "time_zone",
            format!("`{name}` is not a time zone: use an IANA name such as Europe/Paris"),
        )
    })?;
    state
        .store
        .set_account_time_zone(auth.account, zone)
        .await?;
    Ok(Json(current(&state, &auth).await?))
}
