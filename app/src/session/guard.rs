//! Server side: the session as context, and the checks server functions start with.

use super::{CurrentUser, Role, SignedIn};
use crate::server_fns::refuse::refuse;
use axum::http::StatusCode;
use axum::http::request::Parts;
use leptos::prelude::*;

/// Context for one request: the `SignedIn` the session gate put in the request.
/// Given to `leptos_routes_with_context`, so pages and server functions see it.
pub fn provide_from_request() {
    let signed_in = use_context::<Parts>().and_then(|p| p.extensions.get::<SignedIn>().cloned());
    if let Some(signed_in) = signed_in {
        provide_context(signed_in.user.clone());
        provide_context(signed_in);
    }
}

/// The signed-in user, or 401. (The session gate already answers 401 to server
/// function calls without a session; this is the belt to those braces.)
pub fn require_user() -> Result<CurrentUser, ServerFnError> {
    use_context::<CurrentUser>().ok_or_else(|| {
        refuse(
            StatusCode::UNAUTHORIZED,
            "You are not logged in: log in again.",
        )
    })
}

/// The signed-in user when their role allows it, or 403. An admin may do
/// everything a marketer may.
pub fn require_role(role: Role) -> Result<CurrentUser, ServerFnError> {
    let user = require_user()?;
    if role == Role::Marketer || user.is_admin() {
        Ok(user)
    } else {
        Err(refuse(
            StatusCode::FORBIDDEN,
            "Only an admin of this account may do this.",
        ))
    }
}
