//! `/metrics` in Prometheus text format: deliveries by state and the age of the
//! oldest due delivery (read from the database, so every instance reports the
//! same), plus this process's attempt counters and latency histogram.

use app::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use hookflow::store::DeliveryState;
use std::fmt::Write;

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    let counts = match state.store.delivery_counts().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: database not answering");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "database not answering\n".to_string(),
            )
                .into_response();
        }
    };
    out.push_str("# HELP hookflow_deliveries Webhook deliveries by state.\n# TYPE hookflow_deliveries gauge\n");
    for s in [
        DeliveryState::Pending,
        DeliveryState::Accepted,
        DeliveryState::Failed,
    ] {
        let n = counts
            .iter()
            .find(|(state, _)| *state == s)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "hookflow_deliveries{{state=\"{}\"}} {n}", s.as_str());
    }
    let now = chrono::Utc::now();
    let age = match state.store.oldest_due_at(now).await {
        Ok(Some(due)) => (now - due).num_milliseconds().max(0) as f64 / 1000.0,
        _ => 0.0,
    };
    out.push_str("# HELP hookflow_oldest_due_delivery_age_seconds How long the longest-waiting due delivery has been due.\n");
    out.push_str("# TYPE hookflow_oldest_due_delivery_age_seconds gauge\n");
    let _ = writeln!(out, "hookflow_oldest_due_delivery_age_seconds {age}");
    state.dispatcher.metrics().render(&mut out);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
