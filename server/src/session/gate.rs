//! The gate every request passes: which parts need a session, and what happens
//! without one.

use super::cookie::session_cookie;
use super::csrf::{changes_state, check_token, same_origin};
use crate::routes::auth::safe_next;
use app::session::{CurrentUser, Role, SignedIn};
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hookflow::store::{ActiveSession, UserRole};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    /// Public: never looks at the session.
    Open,
    /// `/login`: works without a session.
    Login,
    /// `/fn/…`: server functions; 401 without a session.
    ServerFn,
    /// Every other page; redirects to `/login` without a session.
    Page,
}

fn area(path: &str) -> Area {
    const OPEN: [&str; 4] = ["/f/", "/t/", "/api/", "/pkg/"];
    if path == "/login" {
        Area::Login
    } else if path.starts_with("/fn/") {
        Area::ServerFn
    } else if matches!(path, "/healthz" | "/metrics")
        || OPEN.iter().any(|p| path.starts_with(p))
        || is_static_file(path)
    {
        Area::Open
    } else {
        Area::Page
    }
}

/// The favicon, the icon sprite and the like (pages have no file extension).
fn is_static_file(path: &str) -> bool {
    const KINDS: [&str; 12] = [
        "svg",
        "ico",
        "png",
        "jpg",
        "webp",
        "css",
        "js",
        "wasm",
        "txt",
        "woff2",
        "map",
        "webmanifest",
    ];
    let name = path.rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.')
        .is_some_and(|(_, kind)| KINDS.contains(&kind))
}

pub async fn gate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let area = area(req.uri().path());
    if area == Area::Open {
        return next.run(req).await;
    }
    let session = match session_cookie(req.headers()) {
        Some(cookie) => state.store.session_by_cookie(&cookie, Utc::now()).await,
        None => Ok(None),
    };
    let session = match session {
        Ok(session) => session,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the session");
            let message = "The database is not answering; try again in a moment.";
            return (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
        }
    };
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    let Some(session) = session else {
        return match area {
            Area::ServerFn => {
                let message = "You are not logged in, or your session has ended: log in again.";
                (StatusCode::UNAUTHORIZED, message).into_response()
            }
            Area::Page => to_login(&req, reading),
            _ => private(next.run(req).await),
        };
    };
    if area == Area::Login && reading {
        // Already signed in: straight to where the login would have led.
        let next = query_param(req.uri().query(), "next");
        return Redirect::to(safe_next(next.as_deref())).into_response();
    }
    // `/login` with a session is a new login: no token yet, the handler checks the origin.
    if area != Area::Login && changes_state(req.method()) {
        if let Err(refusal) = same_origin(req.headers()) {
            return refusal.into_response();
        }
        req = match check_token(req, &session.csrf_token).await {
            Ok(req) => req,
            Err(refusal) => return refusal.into_response(),
        };
    }
    req.extensions_mut().insert(signed_in(session));
    let response = next.run(req).await;
    private(match area {
        Area::ServerFn => args_refused_as_400(response).await,
        _ => response,
    })
}

/// A server function's arguments that do not parse (`id=seven`, a missing
/// field) are the caller's fault, yet the framework answers 500, before the
/// function runs: such an answer becomes 400. Its body, `Args|…` in the
/// framework's error encoding, stays as it is, so the app's client reads it.
async fn args_refused_as_400(response: Response) -> Response {
    const KINDS: [&str; 3] = ["Args|", "MissingArg|", "Deserialization|"];
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed; try again.",
        )
            .into_response();
    };
    if KINDS.iter().any(|kind| bytes.starts_with(kind.as_bytes())) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// `/login?next=<this page>`, so the login leads back here.
fn to_login(req: &Request, reading: bool) -> Response {
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|_| reading)
        .unwrap_or("/");
    if here == "/" {
        return Redirect::to("/login").into_response();
    }
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// Pages with someone's data stay out of shared caches and the back button
/// after logout.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn signed_in(session: ActiveSession) -> SignedIn {
    let role = match session.role {
        UserRole::Admin => Role::Admin,
        UserRole::Marketer => Role::Marketer,
    };
    SignedIn {
        user: CurrentUser {
            id: session.user_id,
            account_id: session.account_id,
            email: session.email,
            role,
        },
        csrf_token: session.csrf_token,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_public_parts_go_without_a_session() {
        for open in [
            "/healthz",
            "/metrics",
            "/f/abc123",
            "/t/o/tok",
            "/api/v1/contacts",
            "/pkg/hookflow.wasm",
            "/favicon.svg",
            "/icons.svg",
        ] {
            assert_eq!(area(open), Area::Open, "{open}");
        }
        assert_eq!(area("/login"), Area::Login);
        assert_eq!(area("/fn/system_status"), Area::ServerFn);
        for page in [
            "/",
            "/scenarios",
            "/settings",
            "/logout",
            "/api",
            "/no/such/page",
            "/f",
        ] {
            assert_eq!(area(page), Area::Page, "{page}");
        }
    }
}
