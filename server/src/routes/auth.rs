//! `POST /login` and `POST /logout`. (`GET /login` is the app's LoginPage.)
//!
//! A login checks the rate limit first, then the password; a success replaces
//! any session the browser had (a new id, never the old one) and leads to the
//! page asked for. A failure shows the login page again with one message for
//! an unknown email and a wrong password alike.

use crate::session::cookie::session_cookie;
use crate::session::{ClientAddress, CookiePolicy, csrf};
use app::pages::login::LoginProblem;
use app::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Form, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::Utc;
use hookflow::auth::{Password, verify_password};
use hookflow::model::Email;
use hookflow::store::{StoreError, User};
use leptos::prelude::provide_context;
use serde::Deserialize;
use std::sync::LazyLock;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
}

const WRONG: &str = "Email or password is wrong.";

#[derive(Debug, Default, Deserialize)]
struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(state): State<AppState>,
    policy: Option<Extension<CookiePolicy>>,
    ClientAddress(address): ClientAddress,
    uri: Uri,
    headers: HeaderMap,
    Form(typed): Form<Credentials>,
) -> Response {
    if let Err(refusal) = csrf::same_origin(&headers) {
        return refusal.into_response();
    }
    let now = Utc::now();
    let problem = |message: String| LoginProblem {
        message,
        email: typed.email.trim().chars().take(254).collect(),
    };
    match state
        .store
        .count_login_attempt(&typed.email, &address, now)
        .await
    {
        Err(e) => return unavailable(e),
        Ok(Err(limited)) => {
            tracing::warn!(%address, "login refused: too many failed attempts");
            let page = problem(limited.message(now));
            let mut response = login_page(&state, &uri, page, StatusCode::TOO_MANY_REQUESTS).await;
            let wait = (limited.retry_at - now).num_seconds().max(1);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            return response;
        }
        Ok(Ok(())) => {}
    }
    let user = match find_user(&state, &typed.email).await {
        Ok(user) => user,
        Err(e) => return unavailable(e),
    };
    let Some(user) = check_password(user, typed.password.clone()).await else {
        tracing::info!(%address, "login failed");
        return login_page(
            &state,
            &uri,
            problem(WRONG.into()),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    };
    match start_session(&state, &headers, &user, &typed.email, &address).await {
        Ok(cookie) => {
            tracing::info!(user_id = %user.id, account_id = %user.account_id, "logged in");
            let next = crate::session::query_param(uri.query(), "next");
            let mut response = Redirect::to(safe_next(next.as_deref())).into_response();
            let policy = policy.map(|Extension(p)| p).unwrap_or_default();
            let set = policy.set(&headers, &cookie);
            response.headers_mut().insert(header::SET_COOKIE, set);
            response
        }
        Err(e) => unavailable(e),
    }
}

async fn find_user(state: &AppState, typed: &str) -> Result<Option<User>, StoreError> {
    match Email::parse(typed) {
        Ok(email) => state.store.user_by_email(&email).await,
        Err(_) => Ok(None),
    }
}

/// A hash to check against when the email is unknown, so both cases take as long.
static NOBODY: LazyLock<String> = LazyLock::new(|| {
    Password::parse("no user has this pass phrase", "nobody@hookflow.invalid")
        .expect("a valid pass phrase")
        .hash()
});

/// The user, when the password is theirs. Argon2 is slow on purpose: off the
/// async threads.
async fn check_password(user: Option<User>, typed: String) -> Option<User> {
    if typed.len() > 4 * Password::MAX_LEN {
        return None;
    }
    tokio::task::spawn_blocking(move || {
        let hash = user.as_ref().map_or(NOBODY.as_str(), |u| &u.password_hash);
        let ok = verify_password(&typed, hash);
        user.filter(|_| ok)
    })
    .await
    .ok()
    .flatten()
}

/// Forgives the attempt, ends the browser's old session, starts a new one;
/// returns the new cookie.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    typed: &str,
    address: &str,
) -> Result<String, StoreError> {
    let now = Utc::now();
    state.store.forgive_login_attempt(typed, address).await?;
    if let Some(old) = session_cookie(headers) {
        state.store.delete_session(&old).await?;
    }
    let new = state.store.create_session(user, now).await?;
    if let Err(e) = state.store.purge_expired_sessions(now).await {
        tracing::warn!(error = %e, "could not purge expired sessions");
    }
    Ok(new.cookie)
}

/// Ends the session (the gate has checked its CSRF token) and forgets the cookie.
async fn logout(
    State(state): State<AppState>,
    policy: Option<Extension<CookiePolicy>>,
    headers: HeaderMap,
) -> Response {
    if let Some(cookie) = session_cookie(&headers)
        && let Err(e) = state.store.delete_session(&cookie).await
    {
        return unavailable(e);
    }
    let policy = policy.map(|Extension(p)| p).unwrap_or_default();
    let mut response = Redirect::to("/login").into_response();
    let clear = policy.clear(&headers);
    response.headers_mut().insert(header::SET_COOKIE, clear);
    response
}

/// Where a login may lead: a path on this site, never another site
/// (`//evil.example`, `https://…`, `/\evil.example` are all refused for `/`).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && path.len() <= 2048
                && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
                && !path.starts_with("/login")
                && !path.starts_with("/logout") =>
        {
            path
        }
        _ => "/",
    }
}

/// The login page again, with what went wrong.
async fn login_page(
    state: &AppState,
    uri: &Uri,
    problem: LoginProblem,
    status: StatusCode,
) -> Response {
    let app_state = state.clone();
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(app_state.clone());
            provide_context(problem.clone());
        },
        move || app::shell(options.clone()),
    );
    let request = Request::builder()
        .uri(uri.clone())
        .body(Body::empty())
        .expect("the request's own URI");
    let mut response = render(request).await;
    *response.status_mut() = status;
    response
}

fn unavailable(e: StoreError) -> Response {
    tracing::error!(error = %e, "login: the database failed");
    let message = "The database is not answering; try again in a moment.";
    (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn a_login_only_leads_to_a_page_of_this_site() {
        assert_eq!(
            safe_next(Some("/scenarios?tab=active")),
            "/scenarios?tab=active"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/ evil",
            "javascript:alert(1)",
            "/login",
            "/logout",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
