//! The public form pages: `GET /f/{public_id}` shows the form (prefilled from a
//! signed `?t=` link on an update-profile form), `POST /f/{public_id}` saves it
//! from the page (`application/x-www-form-urlencoded`) or from a JSON client
//! (`{"values": {…}, "answers": {…}, "token": "…"}`). Browsers get HTML, JSON
//! clients get JSON; bad input is a 4xx, never a 5xx.

mod page;

use crate::api::ApiError;
use crate::api::support::invalid_input;
use app::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use hookflow::model::contact::FieldProblem;
use hookflow::model::fields::Catalogue;
use hookflow::store::{Form, FormEntry, FormKind, FormReply, Store, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/f/{public_id}", get(show_form).post(submit_form))
}

#[derive(Debug, Default, Deserialize)]
struct LinkQuery {
    /// The signed contact token of an update-profile link.
    t: Option<String>,
}

/// A JSON client's submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonEntry {
    #[serde(default)]
    values: Map<String, Value>,
    #[serde(default)]
    answers: Map<String, Value>,
    token: Option<String>,
}

async fn show_form(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    let token = query.ok().and_then(|Query(q)| q.t);
    match load(&state.store, &public_id, token.as_deref()).await {
        Ok(Some((form, custom, values))) => {
            let filled = page::Filled {
                values: &values,
                answers: &Map::new(),
                token: token.as_deref().filter(|_| values.contains_key("email")),
                problems: &[],
            };
            html(
                StatusCode::OK,
                page::form_page(&form, &Catalogue::new(&custom), &filled),
            )
        }
        Ok(None) => html(StatusCode::NOT_FOUND, page::not_found()),
        Err(e) => internal(e, false),
    }
}

type Loaded = (
    Form,
    Vec<hookflow::model::fields::CustomField>,
    Map<String, Value>,
);

/// The form, its account's custom fields, and what the page shows prefilled: the
/// contact a valid update-profile link names, else nothing.
async fn load(
    store: &Store,
    public_id: &str,
    token: Option<&str>,
) -> Result<Option<Loaded>, StoreError> {
    let Some(form) = store.form_by_public_id(public_id).await? else {
        return Ok(None);
    };
    let custom = store.account_custom_fields(form.account).await?;
    let mut values = Map::new();
    if let (Some(token), FormKind::UpdateProfile) = (token, form.kind) {
        let signed = store.tracking_key().await?.verify_profile(token);
        if let Some((_, id)) = signed.filter(|(account, _)| *account == form.account) {
            match store.contact(form.account, id).await {
                Ok(contact) => {
                    values.insert("email".into(), Value::String(contact.email.to_string()));
                    let asked = |k: &String| form.definition.fields.iter().any(|f| &f.key == k);
                    values.extend(contact.fields.into_iter().filter(|(k, _)| asked(k)));
                }
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(Some((form, custom, values)))
}

async fn submit_form(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    query: Result<Query<LinkQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json = is_json(&headers);
    let mut entry = if json {
        match serde_json::from_slice::<JsonEntry>(&body) {
            Ok(e) => FormEntry {
                values: e.values,
                answers: e.answers,
                token: e.token,
            },
            Err(e) if e.is_data() => {
                return ApiError::invalid("body", e.to_string()).into_response();
            }
            Err(e) => {
                let message = format!("the body is not valid JSON: {e}");
                return ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message)
                    .into_response();
            }
        }
    } else {
        from_urlencoded(&body)
    };
    if entry.token.is_none() {
        entry.token = query.ok().and_then(|Query(q)| q.t);
    }
    match state
        .store
        .submit_form(&public_id, &entry, Utc::now())
        .await
    {
        Ok(FormReply::Saved(_)) => {
            state.engine.wake();
            if json {
                return (StatusCode::OK, axum::Json(json!({"status": "received"}))).into_response();
            }
            match state.store.form_by_public_id(&public_id).await {
                Ok(Some(form)) => html(StatusCode::OK, page::thank_you(&form)),
                _ => html(
                    StatusCode::OK,
                    page::layout("Thank you", "<h1>Thank you</h1>"),
                ),
            }
        }
        Ok(FormReply::Invalid(problems)) if json => invalid_input(problems).into_response(),
        Ok(FormReply::Invalid(problems)) => {
            invalid_page(&state.store, &public_id, &entry, &problems).await
        }
        Err(StoreError::NotFound) if json => {
            ApiError::not_found("no form has this address").into_response()
        }
        Err(StoreError::NotFound) => html(StatusCode::NOT_FOUND, page::not_found()),
        Err(e) => internal(e, json),
    }
}

/// The form again, as it was filled in, with each problem beside its field.
async fn invalid_page(
    store: &Store,
    public_id: &str,
    entry: &FormEntry,
    problems: &[FieldProblem],
) -> Response {
    let (form, custom) = match store.form_by_public_id(public_id).await {
        Ok(Some(form)) => match store.account_custom_fields(form.account).await {
            Ok(custom) => (form, custom),
            Err(e) => return internal(e, false),
        },
        Ok(None) => return html(StatusCode::NOT_FOUND, page::not_found()),
        Err(e) => return internal(e, false),
    };
    let filled = page::Filled {
        values: &entry.values,
        answers: &entry.answers,
        token: entry.token.as_deref(),
        problems,
    };
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        page::form_page(&form, &Catalogue::new(&custom), &filled),
    )
}

/// The page's fields: `answers.<id>` are survey answers, everything else is a
/// contact value (the form decides which of them it takes).
fn from_urlencoded(body: &[u8]) -> FormEntry {
    let mut entry = FormEntry::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        let value = Value::String(value.into_owned());
        match key.strip_prefix("answers.") {
            Some(id) => entry.answers.insert(id.to_string(), value),
            None => entry.values.insert(key.into_owned(), value),
        };
    }
    entry
}

fn is_json(headers: &HeaderMap) -> bool {
    let says_json = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"))
    };
    says_json(header::CONTENT_TYPE)
}

/// Pages may show a contact's own values: never keep them in a cache.
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn internal(e: StoreError, json: bool) -> Response {
    tracing::error!(error = %e, "store error on a public form page");
    if json {
        return ApiError::internal().into_response();
    }
    html(StatusCode::INTERNAL_SERVER_ERROR, page::unavailable())
}
