//! Scenarios: name, status, and the definition (trigger, entry rule, step graph)
//! as JSON. Saves name the version they edited, so a second editor's save is
//! refused instead of overwriting.

use super::error::Conflict;
use super::{Store, StoreError, on_pool};
use crate::clock::{from_millis, to_millis};
use crate::model::scenario::References;
use crate::model::{AccountId, ScenarioId};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRow {
    pub id: ScenarioId,
    pub account_id: AccountId,
    pub name: String,
    /// draft, active, paused or archived.
    pub status: String,
    pub definition: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn row_to_scenario<R: Row>(row: &R) -> Result<ScenarioRow, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    Ok(ScenarioRow {
        id: ScenarioId(row.try_get("id")?),
        account_id: AccountId(row.try_get("account_id")?),
        name: row.try_get("name")?,
        status: row.try_get("status")?,
        definition: row.try_get("definition")?,
        version: row.try_get("version")?,
        created_at: from_millis(row.try_get("created_at")?),
        updated_at: from_millis(row.try_get("updated_at")?),
    })
}

macro_rules! select_scenarios {
    ($where:literal) => {
        concat!(
            "SELECT id, account_id, name, status, definition, version, created_at, updated_at FROM scenarios WHERE ",
            $where
        )
    };
}

impl Store {
    pub async fn create_scenario(
        &self,
        account: AccountId,
        name: &str,
        definition: &str,
        now: DateTime<Utc>,
    ) -> Result<ScenarioRow, StoreError> {
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO scenarios (account_id, name, status, definition, version, created_at, updated_at)
                 VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id",
            )
            .bind(account.0).bind(name).bind(definition).bind(to_millis(now))
            .fetch_one(pool)
            .await?
        });
        self.scenario(account, ScenarioId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn scenario(
        &self,
        account: AccountId,
        id: ScenarioId,
    ) -> Result<Option<ScenarioRow>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(select_scenarios!("account_id = $1 AND id = $2"))
                .bind(account.0).bind(id.0)
                .fetch_optional(pool)
                .await?;
            Ok(row.as_ref().map(row_to_scenario).transpose()?)
        })
    }

    /// The account's scenarios, newest first, optionally of one status.
    pub async fn scenarios(
        &self,
        account: AccountId,
        status: Option<&str>,
    ) -> Result<Vec<ScenarioRow>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(select_scenarios!("account_id = $1 AND ($2 IS NULL OR status = $2) ORDER BY id DESC"))
                .bind(account.0).bind(status)
                .fetch_all(pool)
                .await?;
            Ok(rows.iter().map(row_to_scenario).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Active scenarios of every account (time-based sweeps).
    pub async fn all_active_scenarios(&self) -> Result<Vec<ScenarioRow>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(select_scenarios!("status = 'active' ORDER BY id"))
                .fetch_all(pool)
                .await?;
            Ok(rows.iter().map(row_to_scenario).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Saves a new name and definition if the scenario is still at `expected_version`.
    pub async fn update_scenario(
        &self,
        account: AccountId,
        id: ScenarioId,
        expected_version: i64,
        name: &str,
        definition: &str,
        now: DateTime<Utc>,
    ) -> Result<ScenarioRow, StoreError> {
        let changed = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE scenarios SET name = $1, definition = $2, version = version + 1, updated_at = $3
                 WHERE account_id = $4 AND id = $5 AND version = $6",
            )
            .bind(name).bind(definition).bind(to_millis(now)).bind(account.0).bind(id.0).bind(expected_version)
            .execute(pool)
            .await?
            .rows_affected()
        });
        let row = self
            .scenario(account, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if changed == 0 {
            return Err(StoreError::Conflict(Conflict::ScenarioVersion));
        }
        Ok(row)
    }

    pub async fn set_scenario_status(
        &self,
        account: AccountId,
        id: ScenarioId,
        status: &str,
        now: DateTime<Utc>,
    ) -> Result<ScenarioRow, StoreError> {
        let changed = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE scenarios SET status = $1, version = version + 1, updated_at = $2
                 WHERE account_id = $3 AND id = $4",
            )
            .bind(status).bind(to_millis(now)).bind(account.0).bind(id.0)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.scenario(account, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// How many contacts passed each step of a scenario (the number above each step).
    pub async fn step_pass_counts(
        &self,
        account: AccountId,
        id: ScenarioId,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT step_id, COUNT(*) AS n FROM step_passes WHERE account_id = $1 AND scenario_id = $2
                 GROUP BY step_id ORDER BY step_id",
            )
            .bind(account.0).bind(id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("step_id")?, r.try_get("n")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// What a scenario of this account may refer to (validation).
    pub async fn scenario_references(&self, account: AccountId) -> Result<References, StoreError> {
        let mut refs = References {
            custom_fields: self.account_custom_fields(account).await?,
            ..References::default()
        };
        on_pool!(self, pool => {
            let groups: Vec<i64> = sqlx::query_scalar("SELECT id FROM groups WHERE account_id = $1")
                .bind(account.0).fetch_all(pool).await?;
            refs.group_ids = groups.into_iter().collect();
            let mailings: Vec<i64> = sqlx::query_scalar("SELECT id FROM mailings WHERE account_id = $1")
                .bind(account.0).fetch_all(pool).await?;
            refs.mailing_ids = mailings.into_iter().collect();
            let forms = sqlx::query("SELECT id, kind FROM forms WHERE account_id = $1")
                .bind(account.0).fetch_all(pool).await?;
            for row in forms {
                let id: i64 = row.try_get("id")?;
                match row.try_get::<String, _>("kind")?.as_str() {
                    "subscription" => refs.subscription_form_ids.insert(id),
                    "survey" => refs.survey_form_ids.insert(id),
                    _ => refs.profile_form_ids.insert(id),
                };
            }
        });
        Ok(refs)
    }
}
