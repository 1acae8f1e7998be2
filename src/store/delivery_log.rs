//! The delivery log of a step: newest first, filtered by state, with keyset
//! paging (`before` an id) so a page stays fast at a million rows.

use super::{Store, StoreError, on_pool};
use crate::clock::from_millis;
use crate::model::{AccountId, ContactId, DeliveryId, ScenarioId, StepId};
use crate::store::DeliveryState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryRow {
    pub id: DeliveryId,
    pub contact_id: ContactId,
    pub event_id: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// The contact's email, read with the row (`None` once the contact is
    /// deleted): the log shows it, and one query per line would be N+1.
    #[serde(skip)]
    pub contact_email: Option<String>,
}

/// The contact's email, as a column of a delivery row `d`.
const CONTACT_EMAIL: &str = "(SELECT c.email FROM contacts c
        WHERE c.account_id = d.account_id AND c.id = d.contact_id) AS contact_email";

impl DeliveryRow {
    fn from_row<R: Row>(r: &R) -> Result<DeliveryRow, sqlx::Error>
    where
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> &'r str: sqlx::ColumnIndex<R>,
    {
        Ok(DeliveryRow {
            id: DeliveryId(r.try_get("id")?),
            contact_id: ContactId(r.try_get("contact_id")?),
            event_id: r.try_get("event_id")?,
            state: DeliveryState::from_db(&r.try_get::<String, _>("state")?),
            attempts: r.try_get("attempts")?,
            created_at: from_millis(r.try_get("created_at")?),
            deadline_at: from_millis(r.try_get("deadline_at")?),
            next_attempt_at: r
                .try_get::<Option<i64>, _>("next_attempt_at")?
                .map(from_millis),
            finished_at: r.try_get::<Option<i64>, _>("finished_at")?.map(from_millis),
            last_status: r.try_get("last_status")?,
            last_error: r.try_get("last_error")?,
            contact_email: r.try_get("contact_email")?,
        })
    }
}

/// Which page of a step's delivery log to read: at most `limit` rows, newest
/// first, below the id `before`, and only those in `state` or to the contact
/// with `email` when those are set.
#[derive(Debug, Clone, Copy)]
pub struct LogQuery<'a> {
    pub state: Option<DeliveryState>,
    pub email: Option<&'a str>,
    pub before: Option<i64>,
    pub limit: i64,
}

impl LogQuery<'_> {
    /// The newest `limit` rows, unfiltered.
    pub fn newest(limit: i64) -> Self {
        LogQuery {
            state: None,
            email: None,
            before: None,
            limit,
        }
    }
}

impl Store {
    pub async fn step_deliveries(
        &self,
        account: AccountId,
        scenario: ScenarioId,
        step: &StepId,
        query: LogQuery<'_>,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let LogQuery {
            state,
            email,
            before,
            limit,
        } = query;
        // Only the conditions asked for are in the statement: `($4 IS NULL OR …)`
        // would keep both engines from using the (step, state, id) and (step, id)
        // indexes, and a rare state or an unknown email would read the whole log.
        // The text varies with which filters are set, never with their values.
        let mut sql = format!(
            "SELECT id, contact_id, event_id, state, attempts, created_at, deadline_at, next_attempt_at,
                    finished_at, last_status, last_error, {CONTACT_EMAIL}
             FROM deliveries d
             WHERE account_id = $1 AND scenario_id = $2 AND step_id = $3",
        );
        let mut n = 4;
        let mut next = || {
            n += 1;
            n - 1
        };
        if state.is_some() {
            sql.push_str(&format!(" AND state = ${}", next()));
        }
        if before.is_some() {
            sql.push_str(&format!(" AND id < ${}", next()));
        }
        if email.is_some() {
            sql.push_str(&format!(
                " AND contact_id IN (SELECT id FROM contacts WHERE account_id = $1 AND email = ${})",
                next()
            ));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", next()));
        let sql = sqlx::AssertSqlSafe(sql);
        on_pool!(self, pool => {
            let mut query = sqlx::query(sql).bind(account.0).bind(scenario.0).bind(&step.0);
            if let Some(state) = state {
                query = query.bind(state.as_str());
            }
            if let Some(before) = before {
                query = query.bind(before);
            }
            if let Some(email) = email {
                query = query.bind(email);
            }
            let rows = query.bind(limit).fetch_all(pool).await?;
            rows.iter()
                .map(DeliveryRow::from_row)
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }
}

/// One delivery with the request as it is sent: the URL, the headers (secret
/// values masked) and the frozen body.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryRow,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub scenario_id: ScenarioId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub step_id: StepId,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Store {
    pub async fn delivery_detail(
        &self,
        account: AccountId,
        id: DeliveryId,
    ) -> Result<Option<DeliveryDetail>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.contact_id, d.event_id, d.state, d.attempts, d.created_at, d.deadline_at,
                    d.next_attempt_at, d.finished_at, d.last_status, d.last_error, d.scenario_id, d.step_id,
                    b.body, t.url, t.headers, t.secret_headers, {CONTACT_EMAIL}
             FROM deliveries d JOIN webhook_targets t ON t.id = d.target_id
                 JOIN delivery_bodies b ON b.delivery_id = d.id
             WHERE d.account_id = $1 AND d.id = $2",
        ));
        on_pool!(self, pool => {
            let Some(r) = sqlx::query(sql)
            .bind(account.0).bind(id.0)
            .fetch_optional(pool)
            .await? else { return Ok(None) };
            let headers: Vec<(String, String)> = serde_json::from_str(&r.try_get::<String, _>("headers")?).unwrap_or_default();
            let secret: Vec<String> = serde_json::from_str(&r.try_get::<String, _>("secret_headers")?).unwrap_or_default();
            let headers = headers
                .into_iter()
                .map(|(name, value)| {
                    let masked = secret.iter().any(|s| s.eq_ignore_ascii_case(&name));
                    let value = if masked { crate::webhook::headers::SECRET_MASK.to_string() } else { value };
                    (name, value)
                })
                .collect();
            Ok(Some(DeliveryDetail {
                delivery: DeliveryRow::from_row(&r)?,
                scenario_id: ScenarioId(r.try_get("scenario_id")?),
                step_id: StepId(r.try_get("step_id")?),
                url: r.try_get("url")?,
                headers,
                body: r.try_get("body")?,
            }))
        })
    }
}
