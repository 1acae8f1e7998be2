//! Routes of scenarios, their steps' statistics and logs, events and test sends.

use super::{events, scenario_status, scenarios, steps, webhooks};
use app::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scenarios::list, scenarios::create))
        .routes(routes!(scenarios::get, scenarios::update))
        .routes(routes!(scenario_status::validate))
        .routes(routes!(scenario_status::activate))
        .routes(routes!(scenario_status::pause))
        .routes(routes!(scenario_status::archive))
        .routes(routes!(scenario_status::passes))
        .routes(routes!(steps::stats))
        .routes(routes!(steps::deliveries))
        .routes(routes!(events::post))
        .routes(routes!(webhooks::test))
}
