//! What server functions and routes reach through context: the store, the
//! dispatcher (to wake it and read its counters), the engine (to wake it after
//! writing events), the webhook sender (for test sends) and the Leptos options.

use axum::extract::FromRef;
use hookflow::delivery::Dispatcher;
use hookflow::engine::Engine;
use hookflow::store::Store;
use hookflow::webhook::sender::Sender;
use leptos::prelude::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub dispatcher: Dispatcher,
    pub engine: Engine,
    pub sender: Sender,
}
