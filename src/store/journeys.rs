//! Journeys: one row per contact pass through a scenario. A journey at a step
//! with a due time is work as data: the engine claims due journeys with a lease
//! and moves each one on in a transaction that also holds the step's effects.

use super::{Store, StoreError, StoreTx, on_pool, on_tx};
use crate::clock::{from_millis, to_millis};
use crate::model::{AccountId, ContactId, DeliveryId, ScenarioId, StepId};
use crate::store::NewDelivery;
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct JourneyRow {
    pub id: i64,
    pub account: AccountId,
    pub scenario: ScenarioId,
    pub contact: ContactId,
    pub pass: i64,
    pub current_step: Option<StepId>,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyState {
    Active,
    Done,
    Exited,
}

impl JourneyState {
    fn as_str(self) -> &'static str {
        match self {
            JourneyState::Active => "active",
            JourneyState::Done => "done",
            JourneyState::Exited => "exited",
        }
    }
}

const CLAIM_SQLITE: &str = "UPDATE journeys SET lease_until = $1, lease_owner = $2
    WHERE id IN (SELECT id FROM journeys
                 WHERE state = 'active' AND due_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
                 ORDER BY due_at LIMIT $4)
    RETURNING id, account_id, scenario_id, contact_id, pass, current_step, due_at";
const CLAIM_POSTGRES: &str = "UPDATE journeys j SET lease_until = $1, lease_owner = $2
    FROM (SELECT id FROM journeys
          WHERE state = 'active' AND due_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
          ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
    WHERE j.id = due.id
    RETURNING j.id, j.account_id, j.scenario_id, j.contact_id, j.pass, j.current_step, j.due_at";

fn journey_from_row<R: Row>(row: &R) -> Result<JourneyRow, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    Ok(JourneyRow {
        id: row.try_get("id")?,
        account: AccountId(row.try_get("account_id")?),
        scenario: ScenarioId(row.try_get("scenario_id")?),
        contact: ContactId(row.try_get("contact_id")?),
        pass: row.try_get("pass")?,
        current_step: row
            .try_get::<Option<String>, _>("current_step")?
            .map(StepId),
        due_at: row.try_get::<Option<i64>, _>("due_at")?.map(from_millis),
    })
}

impl StoreTx {
    /// Starts a journey at `start`, due now. With `reentry` false a contact
    /// enters a scenario once ever; with it true, again once the previous pass
    /// is over. `None` when the entry rule says no (or this entry already happened).
    pub async fn enrol(
        &mut self,
        account: AccountId,
        scenario: ScenarioId,
        contact: ContactId,
        start: &StepId,
        reentry: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let now = to_millis(now);
        on_tx!(self, conn => {
            let (active, last): (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*) FILTER (WHERE state = 'active'), MAX(pass) FROM journeys
                 WHERE scenario_id = $1 AND contact_id = $2",
            )
            .bind(scenario.0).bind(contact.0)
            .fetch_one(&mut *conn)
            .await?;
            let pass = match (last, reentry) {
                (None, _) => 1,
                (Some(_), false) => return Ok(None),
                (Some(_), true) if active > 0 => return Ok(None),
                (Some(n), true) => n + 1,
            };
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO journeys (account_id, scenario_id, contact_id, pass, state, current_step, due_at, entered_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'active', $5, $6, $6, $6)
                 ON CONFLICT (scenario_id, contact_id, pass) DO NOTHING RETURNING id",
            )
            .bind(account.0).bind(scenario.0).bind(contact.0).bind(pass).bind(&start.0).bind(now)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(id)
        })
    }

    /// Counts a contact through a step, once per pass. False when already counted.
    pub async fn record_step_pass(
        &mut self,
        journey: &JourneyRow,
        step: &StepId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        on_tx!(self, conn => {
            let n = sqlx::query(
                "INSERT INTO step_passes (account_id, scenario_id, step_id, contact_id, pass, reached_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(journey.account.0).bind(journey.scenario.0).bind(&step.0).bind(journey.contact.0)
            .bind(journey.pass).bind(to_millis(now))
            .execute(conn)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    /// The delivery of a Send a Webhook step, in the transaction that counted the
    /// contact through it. `None` when this pass already has its delivery.
    pub async fn insert_delivery(
        &mut self,
        new: &NewDelivery<'_>,
    ) -> Result<Option<DeliveryId>, StoreError> {
        let now = to_millis(new.now);
        let id = on_tx!(self, conn => {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO deliveries (account_id, scenario_id, step_id, contact_id, pass, target_id,
                     event_id, state, created_at, deadline_at, next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $8)
                 ON CONFLICT (scenario_id, step_id, contact_id, pass) DO NOTHING RETURNING id",
            )
            .bind(new.account.0).bind(new.scenario.0).bind(&new.step.0).bind(new.contact.0)
            .bind(new.pass).bind(new.target.0).bind(new.event_id)
            .bind(now).bind(to_millis(new.deadline))
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(id) = id {
                sqlx::query("INSERT INTO delivery_bodies (delivery_id, body) VALUES ($1, $2)")
                    .bind(id).bind(new.body)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<_, StoreError>(id)
        })?;
        let id = id.map(DeliveryId);
        if let (Some(id), StoreTx::Sqlite { offering, .. }) = (id, &mut *self) {
            offering.offer([(new, id)]);
        }
        Ok(id)
    }

    /// Moves a journey to `step` (due at `due`), or ends it; gives up its lease.
    pub async fn move_journey(
        &mut self,
        id: i64,
        step: Option<&StepId>,
        due: Option<DateTime<Utc>>,
        state: JourneyState,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE journeys SET current_step = $1, due_at = $2, state = $3, updated_at = $4,
                     lease_until = NULL, lease_owner = NULL
                 WHERE id = $5",
            )
            .bind(step.map(|s| s.0.as_str())).bind(due.map(to_millis)).bind(state.as_str()).bind(to_millis(now)).bind(id)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// A time-based trigger fires once per scenario, contact and occasion.
    pub async fn record_trigger_fire(
        &mut self,
        scenario: ScenarioId,
        contact: ContactId,
        occasion: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        on_tx!(self, conn => {
            let n = sqlx::query(
                "INSERT INTO trigger_fires (scenario_id, contact_id, occasion, fired_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(scenario.0).bind(contact.0).bind(occasion).bind(to_millis(now))
            .execute(conn)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    /// Segment membership: returns whether it changed.
    pub async fn set_segment_member(
        &mut self,
        scenario: ScenarioId,
        contact: ContactId,
        member: bool,
    ) -> Result<bool, StoreError> {
        on_tx!(self, conn => {
            let sql = if member {
                "INSERT INTO segment_members (scenario_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM segment_members WHERE scenario_id = $1 AND contact_id = $2"
            };
            let n = sqlx::query(sql).bind(scenario.0).bind(contact.0).execute(conn).await?.rows_affected();
            Ok(n == 1)
        })
    }
}

impl Store {
    pub async fn claim_due_journeys(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<JourneyRow>, StoreError> {
        let sql = match self {
            Store::Sqlite(_) => CLAIM_SQLITE,
            Store::Postgres(_) => CLAIM_POSTGRES,
        };
        on_pool!(self, pool => {
            let rows = sqlx::query(sql)
                .bind(to_millis(lease_until)).bind(owner).bind(to_millis(now)).bind(limit)
                .fetch_all(pool)
                .await?;
            let mut journeys = rows.iter().map(journey_from_row).collect::<Result<Vec<_>, _>>()?;
            journeys.sort_by_key(|j| j.id);
            Ok(journeys)
        })
    }

    pub async fn journeys_of(
        &self,
        scenario: ScenarioId,
        contact: ContactId,
    ) -> Result<Vec<(JourneyRow, String)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, account_id, scenario_id, contact_id, pass, current_step, due_at, state FROM journeys
                 WHERE scenario_id = $1 AND contact_id = $2 ORDER BY pass",
            )
            .bind(scenario.0).bind(contact.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((journey_from_row(r)?, r.try_get("state")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// When the earliest active journey is due, if any.
    pub async fn next_journey_due_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        on_pool!(self, pool => {
            let t: Option<i64> = sqlx::query_scalar("SELECT MIN(due_at) FROM journeys WHERE state = 'active'")
                .fetch_one(pool)
                .await?;
            Ok(t.map(from_millis))
        })
    }
}
