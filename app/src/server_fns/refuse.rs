//! How a server function says no. The message is what the user reads; the
//! status tells the caller what kind of no it is: a 4xx when the request
//! itself is at fault (a bad value, something that does not exist, a state
//! that forbids it), 503 when the database did not answer. A plain
//! `ServerFnError::new` would answer 500, which says the server is broken.

use axum::http::StatusCode;
use hookflow::store::StoreError;
use leptos::prelude::*;

/// Sets the response's status and returns the message as the call's error.
pub fn refuse(status: StatusCode, message: impl Into<String>) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::ServerError(message.into())
}

/// 400: a value the user sent cannot be used.
pub fn bad_request(message: impl Into<String>) -> ServerFnError {
    refuse(StatusCode::BAD_REQUEST, message)
}

/// 404: what the call names does not exist in this account.
pub fn not_found(message: impl Into<String>) -> ServerFnError {
    refuse(StatusCode::NOT_FOUND, message)
}

/// 409: the thing exists, but its state (or a newer save) forbids the change.
pub fn conflict(message: impl Into<String>) -> ServerFnError {
    refuse(StatusCode::CONFLICT, message)
}

/// 503: the database did not answer; the details go to the log only.
pub fn unavailable() -> ServerFnError {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "The database did not answer; try again.",
    )
}

/// A store error as the user sees it, for calls about a `what`: 404 when it is
/// not in this account, 409 when it already exists, else 503 (the details go
/// to the log only).
pub fn store_failed(what: &'static str) -> impl Fn(StoreError) -> ServerFnError {
    move |e| match e {
        StoreError::NotFound => not_found(format!("There is no such {what}.")),
        StoreError::Conflict(c) => conflict(format!("{c} already exists.")),
        e => {
            leptos::logging::error!("{what}: {e}");
            unavailable()
        }
    }
}
