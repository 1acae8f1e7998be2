//! The HTTP surface: the Leptos app (pages and server functions), static files,
//! and the operational endpoints.

pub mod auth;
pub mod forms;
pub mod health;
pub mod metrics;
pub mod tracking;

use app::session::provide_from_request;
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use std::sync::LazyLock;
use tower_http::trace::TraceLayer;

/// The app's pages, listed once per process. Listing them renders the app
/// with resources held back by a flag that is global to the process
/// (leptos_server's `SuppressResourceLoad`): a resource another server of the
/// same process first polled meanwhile would wait forever, and its page would
/// stop mid-stream (leptos-rs/leptos#4773). Listed once, before any server of
/// the process answers, that cannot happen. The tests run many servers in one
/// process, and one of their pages hung this way under load.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

pub fn router(state: AppState) -> Router {
    let routes = ROUTES.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        .nest("/api/v1", crate::api::router())
        .merge(forms::routes())
        .merge(tracking::routes())
        .merge(auth::routes())
        .leptos_routes_with_context(&state, routes, provide_from_request, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            provide_from_request,
            shell,
        ))
        .layer(from_fn_with_state(state.clone(), crate::session::gate))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
