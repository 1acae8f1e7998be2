//! The REST API under /api/v1: Bearer API tokens, JSON in and out, every query
//! scoped to the token's account. Errors are JSON with a stable code and a
//! message that names the field; bad input is always a 4xx.

pub mod account;
pub mod auth;
pub mod contacts;
mod contacts_bulk;
pub mod custom_fields;
pub mod deliveries;
pub mod doc;
mod engine_routes;
pub mod error;
pub mod events;
pub mod forms;
pub mod groups;
pub mod json;
pub mod mailings;
pub mod scenario_status;
pub mod scenarios;
pub mod steps;
pub mod support;
pub mod webhooks;

use app::state::AppState;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use std::sync::LazyLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::ApiAuth;
pub use error::ApiError;
pub use json::ApiJson;

/// Every API route, to be nested under `/api/v1`.
pub fn router() -> Router<AppState> {
    let (documented, _) = documented().split_for_parts();
    Router::new()
        .merge(documented)
        .fallback(|| async { ApiError::not_found("no such API endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take this HTTP method",
            )
        })
}

/// The routes that are in the OpenAPI document. The pattern, for every module: a
/// `routes() -> OpenApiRouter<AppState>` that registers handlers annotated with
/// `#[utoipa::path(…)]` through `routes!(…)` (one call per path), with request
/// and response types deriving `ToSchema`; merge it here. A handler registered
/// this way cannot be missing from the document, nor documented under a path
/// the server does not serve.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .merge(account::routes())
        .merge(contacts::routes())
        .merge(groups::routes())
        .merge(custom_fields::routes())
        .merge(forms::routes())
        .merge(mailings::routes())
        .merge(engine_routes::routes())
        .merge(deliveries::routes())
        .routes(routes!(openapi_json))
}

/// The OpenAPI document of the API (paths relative to its server, `/api/v1`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented().into_openapi()
}

static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    openapi()
        .to_json()
        .expect("the OpenAPI document serialises")
});

#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json")))]
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON.as_str(),
    )
}
