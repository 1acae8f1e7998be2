//! Email tracking: `GET /t/o/{token}` is the open pixel, `GET /t/c/{token}?u=URL`
//! a tracked link. Tokens are signed (see `hookflow::store::TrackingKey`): only a
//! valid one is counted, and a link redirects only to the URL its signature
//! covers, so the endpoint is no open redirect.

use app::state::AppState;
use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/t/o/{token}", get(open))
        .route("/t/c/{token}", get(click))
}

/// A 1×1 transparent GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// Every answer here must reach the server again next time, or opens and
/// clicks would be lost to caches.
fn no_cache(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let never = HeaderValue::from_static("no-store, no-cache, must-revalidate, max-age=0");
    headers.insert(header::CACHE_CONTROL, never);
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
    response
}

/// Always the pixel, whatever the token: a mail client shows no broken image,
/// and a bad token learns nothing. Only a valid token is counted.
async fn open(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    if let Ok(Path(token)) = token {
        match state.store.tracking_key().await {
            Ok(key) => {
                if let Some(recipient) = key.verify_open(&token) {
                    match state.store.record_open(&recipient, Utc::now()).await {
                        Ok(true) => state.engine.wake(),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "could not record an email open"),
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "could not read the tracking key"),
        }
    }
    no_cache(([(header::CONTENT_TYPE, "image/gif")], PIXEL).into_response())
}

#[derive(Debug, Deserialize)]
struct ClickQuery {
    u: Option<String>,
}

/// Redirects to the link's URL when the token's signature covers it; otherwise
/// 404. A valid click is counted; a failure to count it never stops the visitor.
async fn click(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    query: Result<Query<ClickQuery>, QueryRejection>,
) -> Response {
    let (Ok(Path(token)), Ok(Query(ClickQuery { u: Some(url) }))) = (token, query) else {
        return not_found();
    };
    let key = match state.store.tracking_key().await {
        Ok(key) => key,
        Err(e) => {
            tracing::error!(error = %e, "could not read the tracking key");
            return no_cache(
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Please try this link again in a moment.",
                )
                    .into_response(),
            );
        }
    };
    let Some(recipient) = key.verify_click(&token, &url) else {
        return not_found();
    };
    // The API only signs http(s) URLs; checking again costs nothing.
    let destination = match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => return not_found(),
    };
    let Ok(location) = HeaderValue::from_str(destination.as_str()) else {
        return not_found();
    };
    match state.store.record_click(&recipient, &url, Utc::now()).await {
        Ok(true) => state.engine.wake(),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "could not record a link click"),
    }
    no_cache((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

fn not_found() -> Response {
    let body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Link not found</title>\
        <link rel=\"stylesheet\" href=\"/pkg/hookflow.css\"></head><body><main class=\"content\">\
        <h1>Link not found</h1><p class=\"lead\">This link is not valid. Check that it was copied whole.</p>\
        </main></body></html>\n";
    no_cache((StatusCode::NOT_FOUND, Html(body)).into_response())
}
