//! The system status shown on the home page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub version: String,
    /// "SQLite" or "PostgreSQL".
    pub engine: String,
    pub database_answering: bool,
    /// RFC 3339, UTC.
    pub checked_at: String,
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn system_status() -> Result<StatusReport, ServerFnError> {
    use crate::state::AppState;
    use hookflow::store::Engine;

    let state = expect_context::<AppState>();
    let engine = match state.store.engine() {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    };
    Ok(StatusReport {
        version: env!("CARGO_PKG_VERSION").to_string(),
        engine: engine.to_string(),
        database_answering: state.store.ping().await.is_ok(),
        checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}
