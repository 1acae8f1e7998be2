//! Who is signed in, as the pages and server functions see it.
//!
//! The server resolves the session cookie for every request (server/src/session)
//! and puts a `SignedIn` in the request; `provide_from_request` turns it into
//! context for pages and server functions. `App` hands the same value to the
//! browser through a `SharedValue`, so the hydrated page sees what the server saw.

mod csrf_client;
#[cfg(feature = "ssr")]
mod guard;

pub use csrf_client::CsrfClient;
#[cfg(feature = "ssr")]
pub use guard::{provide_from_request, require_role, require_user};

use hookflow::model::{AccountId, UserId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The header that carries the session's CSRF token on server function calls.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The hidden field that carries it in HTML forms.
pub const CSRF_FIELD: &str = "_csrf";

/// A marketer works on scenarios, contacts, groups and forms; an admin also
/// manages users, API tokens and the account's signing secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Marketer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The signed-in user and the CSRF token of their session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub csrf_token: String,
}

/// Puts the signed-in user (if any) in context, on the server from the request
/// and in the browser from what the server rendered.
pub fn provide_signed_in() {
    let signed_in = SharedValue::new(use_context::<SignedIn>).into_inner();
    if let Some(signed_in) = signed_in {
        provide_context(signed_in.user.clone());
        provide_context(signed_in);
    }
}
