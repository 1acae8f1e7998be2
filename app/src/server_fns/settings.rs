//! The account's settings, an admin's alone: users, API tokens, the webhook
//! signing secret and the time zone. Every function starts with
//! `require_role(Role::Admin)`; a marketer's call answers 403.

use super::contacts::FieldError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    /// `admin` or `marketer`.
    pub role: String,
    pub created_at: String,
    /// The admin looking at the list (who cannot remove themselves).
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub users: Vec<UserRow>,
    pub tokens: Vec<TokenRow>,
    pub signing_secret_set: bool,
    pub time_zone: String,
}

/// A secret shown once (a new token, a new signing secret), or what is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Created {
    ShowOnce(String),
    Problems(Vec<FieldError>),
}

#[cfg(feature = "ssr")]
fn problem(field: &str, message: impl std::fmt::Display) -> Created {
    Created::Problems(vec![FieldError {
        field: field.into(),
        message: message.to_string(),
    }])
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn account_settings() -> Result<SettingsView, ServerFnError> {
    use super::contacts::ssr::instant;
    use super::refuse::store_failed as failed;
    use crate::session::{Role, require_role};
    use crate::state::AppState;
    use hookflow::store::UserRole;

    let admin = require_role(Role::Admin)?;
    let store = expect_context::<AppState>().store;
    let account = admin.account_id;
    let users = store.account_users(account).await.map_err(failed("user"))?;
    let tokens = store
        .account_tokens(account)
        .await
        .map_err(failed("token"))?;
    let secret = store
        .account_signing_secret(account)
        .await
        .map_err(failed("account"))?;
    let (_, time_zone) = store
        .account_settings(account)
        .await
        .map_err(failed("account"))?;
    Ok(SettingsView {
        users: users
            .into_iter()
            .map(|u| UserRow {
                id: u.id.0,
                is_me: u.id == admin.id,
                email: u.email,
                role: match u.role {
                    UserRole::Admin => "admin",
                    UserRole::Marketer => "marketer",
                }
                .into(),
                created_at: instant(u.created_at),
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: instant(t.created_at),
                last_used_at: t.last_used_at.map(instant),
            })
            .collect(),
        signing_secret_set: secret.is_some(),
        time_zone,
    })
}

/// Adds a user to the account. The password is checked by the same policy as
/// everywhere (`Password::parse`). Returns the problems, empty when created.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn create_user(
    email: String,
    password: String,
    role: String,
) -> Result<Vec<FieldError>, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::session::{Role, require_role};
    use crate::state::AppState;
    use hookflow::auth::Password;
    use hookflow::model::Email;
    use hookflow::store::{Conflict, StoreError, UserRole};

    let admin = require_role(Role::Admin)?;
    let store = expect_context::<AppState>().store;
    let mut problems = Vec::new();
    let mut report = |field: &str, message: String| {
        problems.push(FieldError {
            field: field.into(),
            message,
        })
    };
    let email = Email::parse(email.trim())
        .map_err(|e| report("email", e.to_string()))
        .ok();
    let password = Password::parse(&password, email.as_ref().map_or("", |e| e.as_str()))
        .map_err(|e| report("password", e.to_string()))
        .ok();
    let role = match role.as_str() {
        "admin" => Some(UserRole::Admin),
        "marketer" => Some(UserRole::Marketer),
        _ => {
            report("role", "choose marketer or admin".into());
            None
        }
    };
    let (Some(email), Some(password), Some(role)) = (email, password, role) else {
        return Ok(problems);
    };
    match store
        .create_user(
            admin.account_id,
            &email,
            &password.hash(),
            role,
            chrono::Utc::now(),
        )
        .await
    {
        Ok(_) => Ok(Vec::new()),
        Err(StoreError::Conflict(Conflict::UserEmail)) => Ok(vec![FieldError {
            field: "email".into(),
            message: "a user with this email already exists".into(),
        }]),
        Err(e) => Err(failed("user")(e)),
    }
}

/// Removes one of the account's users; they are logged out everywhere.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn remove_user(id: i64) -> Result<(), ServerFnError> {
    use crate::session::{Role, require_role};
    use crate::state::AppState;
    use hookflow::model::UserId;

    let admin = require_role(Role::Admin)?;
    if admin.id == UserId(id) {
        return Err(super::refuse::conflict(
            "You cannot remove yourself; ask another admin.",
        ));
    }
    expect_context::<AppState>()
        .store
        .delete_user(admin.account_id, UserId(id))
        .await
        .map_err(super::refuse::store_failed("user"))
}

/// Creates an API token for the admin; its whole value is in the answer and
/// nowhere else (only its hash is stored).
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn create_api_token(name: String) -> Result<Created, ServerFnError> {
    use super::refuse::store_failed as failed;
    use crate::session::{Role, require_role};
    use crate::state::AppState;
    use hookflow::model::UserId;

    let admin = require_role(Role::Admin)?;
    let name = name.trim();
    if name.is_empty() {
        return Ok(problem(
            "name",
            "enter a name that says what the token is for",
        ));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Ok(problem("name", "use at most 100 characters, on one line"));
    }
    let store = expect_context::<AppState>().store;
    let user = store
        .user_by_id(UserId(admin.id.0))
        .await
        .map_err(failed("user"))?
        .ok_or_else(|| {
            super::refuse::refuse(
                axum::http::StatusCode::UNAUTHORIZED,
                "Your user no longer exists: log in again.",
            )
        })?;
    let token = hookflow::auth::new_token();
    store
        .create_token(&user, name, &token.prefix, &token.hash, chrono::Utc::now())
        .await
        .map_err(failed("token"))?;
    Ok(Created::ShowOnce(token.secret))
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn revoke_api_token(id: i64) -> Result<(), ServerFnError> {
    use crate::session::{Role, require_role};
    use crate::state::AppState;

    let admin = require_role(Role::Admin)?;
    expect_context::<AppState>()
        .store
        .revoke_token(admin.account_id, id, chrono::Utc::now())
        .await
        .map_err(super::refuse::store_failed("token"))
}

/// Generates a new signing secret (replacing the old one) and shows it once.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn rotate_signing_secret() -> Result<String, ServerFnError> {
    use crate::session::{Role, require_role};
    use crate::state::AppState;
    use hookflow::webhook::signing::SigningSecret;

    let admin = require_role(Role::Admin)?;
    let secret = SigningSecret::generate().expose_whsec();
    expect_context::<AppState>()
        .store
        .set_account_signing_secret(admin.account_id, Some(&secret))
        .await
        .map_err(super::refuse::store_failed("account"))?;
    Ok(secret)
}

/// Sets the account's time zone (an IANA name); returns the problems, empty when saved.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn set_time_zone(name: String) -> Result<Vec<FieldError>, ServerFnError> {
    use crate::session::{Role, require_role};
    use crate::state::AppState;

    let admin = require_role(Role::Admin)?;
    let name = name.trim();
    let Ok(zone) = name.parse::<chrono_tz::Tz>() else {
        return Ok(vec![FieldError {
            field: "time_zone".into(),
            message: format!("`{name}` is not a time zone: use an IANA name such as Europe/Paris"),
        }]);
    };
    expect_context::<AppState>()
        .store
        .set_account_time_zone(admin.account_id, zone)
        .await
        .map_err(super::refuse::store_failed("account"))?;
    Ok(Vec::new())
}
