//! What server functions reach through context: the store and the Leptos options.

use axum::extract::FromRef;
use hookflow::store::Store;
use leptos::prelude::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
}
