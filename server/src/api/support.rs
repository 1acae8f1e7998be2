//! Small pieces every API module uses: path and query extractors whose
//! rejections are JSON API errors, paging parameters, field problems, instants.

use super::ApiError;
use super::error::Problem;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, SecondsFormat, Utc};
use hookflow::model::ContactId;
use hookflow::model::contact::FieldProblem;
use hookflow::store::{Conflict, MAX_PAGE, StoreError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

/// Path parameters. An id that is not a number cannot name anything, so it is a
/// 404 like any other unknown id.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::not_found(
                "not found: ids in the path are whole numbers",
            )),
            Err(other) => {
                tracing::error!(error = %other, "a route reads path parameters it does not have");
                Err(ApiError::internal())
            }
        }
    }
}

/// Query parameters; a malformed query string is a 400 that says why.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|e| {
                let reason = e
                    .body_text()
                    .replace("Failed to deserialize query string: ", "");
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!("the query string is not valid: {reason}"),
                )
            })
    }
}

/// `?after=&limit=`: keyset paging over ids.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Return items whose id is greater than this (the `next_after` of the previous page).
    pub after: Option<i64>,
    /// How many items, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageParams {
    pub const DEFAULT_LIMIT: u32 = 50;

    pub fn parse(&self) -> Result<(Option<ContactId>, u32), ApiError> {
        let limit = self.limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("must be 1 to {MAX_PAGE}"),
            ));
        }
        Ok((self.after.map(ContactId), limit))
    }
}

/// Field problems as API problems.
pub fn problems(problems: Vec<FieldProblem>) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|p| Problem {
            field: p.field,
            message: p.message,
            code: None,
            step: None,
        })
        .collect()
}

/// A 422 listing every problem of the input.
pub fn invalid_input(found: Vec<FieldProblem>) -> ApiError {
    let message = match found.as_slice() {
        [one] => one.to_string(),
        _ => format!("{} fields need fixing", found.len()),
    };
    ApiError::problems(message, problems(found))
}

/// Store errors, with a 409 naming the field that must change.
pub fn store_error(e: StoreError) -> ApiError {
    let field = match &e {
        StoreError::Conflict(Conflict::ContactEmail) => "email",
        StoreError::Conflict(Conflict::GroupName) => "name",
        StoreError::Conflict(Conflict::CustomFieldKey) => "key",
        _ => return e.into(),
    };
    ApiError {
        field: Some(field.into()),
        ..ApiError::from(e)
    }
}

/// Store errors of a request about one contact, group, …: "not found" says
/// what was not found (in this account, as far as the caller can tell).
pub fn about(what: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(format!("no such {what} in this account")),
        other => store_error(other),
    }
}

/// Instants in responses: RFC 3339, UTC, milliseconds.
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
