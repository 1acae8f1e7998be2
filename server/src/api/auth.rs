//! `Authorization: Bearer hf_…`: the token names the account every query is
//! scoped to. Missing, malformed, unknown and revoked tokens are all 401.

use super::ApiError;
use app::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use hookflow::auth::{TOKEN_PREFIX, hash_token};
use hookflow::model::{AccountId, UserId};

#[derive(Debug, Clone, Copy)]
pub struct ApiAuth {
    pub account: AccountId,
    pub user: UserId,
    pub token_id: i64,
}

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("send an API token: Authorization: Bearer hf_…")
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with(TOKEN_PREFIX) && t.len() < 200)
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be `Bearer hf_…`")
            })?;
        let found = state.store.token_by_hash(&hash_token(token)).await?;
        let token =
            found.ok_or_else(|| ApiError::unauthorized("this API token is unknown or revoked"))?;
        Ok(ApiAuth {
            account: token.account_id,
            user: token.user_id,
            token_id: token.id,
        })
    }
}
