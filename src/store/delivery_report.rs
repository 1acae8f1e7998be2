//! What the statistics pages read beyond a step's four numbers: a step's
//! accepted, pending and failed over time, every webhook step's counts in an
//! account, and the destinations failing right now.

use super::{Store, StoreError, on_pool};
use crate::clock::{from_millis, to_millis};
use crate::model::{AccountId, ScenarioId, StepId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// A step's deliveries by state at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimelinePoint {
    pub at: DateTime<Utc>,
    pub accepted: i64,
    pub pending: i64,
    pub failed: i64,
}

/// The deliveries of one webhook step in an account, by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepCounts {
    pub scenario_id: ScenarioId,
    pub step_id: StepId,
    pub accepted: i64,
    pub pending: i64,
    pub failed: i64,
}

/// A destination whose last attempts were refused: deliveries to it are waiting
/// for their next attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailingDestination {
    pub url: String,
    /// Pending deliveries whose last attempt failed.
    pub retrying: i64,
    /// What their last attempts got, the most frequent first: an HTTP status or
    /// an error class, and how many.
    pub outcomes: Vec<(FailureOutcome, i64)>,
    /// When the oldest of them was created.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum FailureOutcome {
    Status(i64),
    Error(String),
}

/// Pending deliveries that failed before, grouped by what went wrong: the
/// destination's URL, the last status and error class, how many, and since when
/// (Unix milliseconds).
type FailingGroup = (String, Option<i64>, Option<String>, i64, i64);

impl Store {
    /// Accepted, pending and failed deliveries of a step at `buckets` instants
    /// evenly spread from its first delivery to `now` (the last one is `now`, so
    /// it agrees with the step's statistics). Built from each delivery's creation
    /// and finish times: a delivery resent after failing counts as pending from
    /// its creation. Empty when the step has no delivery.
    pub async fn step_timeline(
        &self,
        account: AccountId,
        scenario: ScenarioId,
        step: &StepId,
        now: DateTime<Utc>,
        buckets: u32,
    ) -> Result<Vec<TimelinePoint>, StoreError> {
        let buckets = i64::from(buckets.max(1));
        let first: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT MIN(created_at) FROM deliveries
                 WHERE account_id = $1 AND scenario_id = $2 AND step_id = $3",
            )
            .bind(account.0).bind(scenario.0).bind(&step.0)
            .fetch_one(pool)
            .await?
        });
        let Some(first) = first else {
            return Ok(Vec::new());
        };
        let end = to_millis(now).max(first + 1);
        // Ceiling division: the last bucket ends at or after `end`.
        let width = ((end - first) + buckets - 1) / buckets;
        // One statement, one snapshot: creations, and finishes by state.
        let rows: Vec<(String, i64, i64)> = on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT 'created' AS k, (created_at - $4) / $5 AS b, COUNT(*) AS n FROM deliveries
                 WHERE account_id = $1 AND scenario_id = $2 AND step_id = $3
                 GROUP BY 2
                 UNION ALL
                 SELECT state AS k, (finished_at - $4) / $5 AS b, COUNT(*) AS n FROM deliveries
                 WHERE account_id = $1 AND scenario_id = $2 AND step_id = $3
                   AND state IN ('accepted', 'failed') AND finished_at IS NOT NULL
                 GROUP BY 1, 2",
            )
            .bind(account.0).bind(scenario.0).bind(&step.0).bind(first).bind(width)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("k")?, r.try_get("b")?, r.try_get("n")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let last = buckets - 1;
        let mut created = vec![0_i64; buckets as usize];
        let mut accepted = vec![0_i64; buckets as usize];
        let mut failed = vec![0_i64; buckets as usize];
        for (kind, bucket, n) in rows {
            // A clock that went back puts a time outside the range: the nearest end.
            let b = bucket.clamp(0, last) as usize;
            match kind.as_str() {
                "created" => created[b] += n,
                "accepted" => accepted[b] += n,
                _ => failed[b] += n,
            }
        }
        let (mut c, mut a, mut f) = (0, 0, 0);
        Ok((0..buckets)
            .map(|i| {
                let i_ = i as usize;
                c += created[i_];
                a += accepted[i_];
                f += failed[i_];
                TimelinePoint {
                    at: from_millis((first + (i + 1) * width).min(end)),
                    accepted: a,
                    pending: c - a - f,
                    failed: f,
                }
            })
            .collect())
    }

    /// Every step of the account's scenarios that has deliveries, with their
    /// counts by state.
    pub async fn webhook_step_counts(
        &self,
        account: AccountId,
    ) -> Result<Vec<StepCounts>, StoreError> {
        on_pool!(self, pool => {
            // By scenario, so the (scenario_id, step_id, state) index answers.
            let rows = sqlx::query(
                "SELECT scenario_id, step_id,
                        COUNT(*) FILTER (WHERE state = 'accepted') AS accepted,
                        COUNT(*) FILTER (WHERE state = 'pending') AS pending,
                        COUNT(*) FILTER (WHERE state = 'failed') AS failed
                 FROM deliveries
                 WHERE scenario_id IN (SELECT id FROM scenarios WHERE account_id = $1)
                 GROUP BY scenario_id, step_id
                 ORDER BY scenario_id, step_id",
            )
            .bind(account.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StepCounts {
                        scenario_id: ScenarioId(r.try_get("scenario_id")?),
                        step_id: StepId(r.try_get("step_id")?),
                        accepted: r.try_get("accepted")?,
                        pending: r.try_get("pending")?,
                        failed: r.try_get("failed")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// The destinations with deliveries waiting for another attempt after a
    /// failed one, the most affected first.
    pub async fn failing_destinations(
        &self,
        account: AccountId,
    ) -> Result<Vec<FailingDestination>, StoreError> {
        let rows: Vec<FailingGroup> = on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT t.url, d.last_status, d.last_error, COUNT(*) AS n, MIN(d.created_at) AS since
                 FROM deliveries d JOIN webhook_targets t ON t.id = d.target_id
                 WHERE d.account_id = $1 AND d.state = 'pending' AND d.attempts > 0
                 GROUP BY t.url, d.last_status, d.last_error",
            )
            .bind(account.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get("url")?,
                        r.try_get("last_status")?,
                        r.try_get("last_error")?,
                        r.try_get("n")?,
                        r.try_get("since")?,
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let mut by_url: BTreeMap<String, FailingDestination> = BTreeMap::new();
        for (url, status, error, n, since) in rows {
            let outcome = match (error, status) {
                (Some(e), Some(s)) if e == "http_status" => FailureOutcome::Status(s),
                (Some(e), _) => FailureOutcome::Error(e),
                (None, Some(s)) => FailureOutcome::Status(s),
                (None, None) => FailureOutcome::Error("unknown".into()),
            };
            let since = from_millis(since);
            let d = by_url.entry(url.clone()).or_insert(FailingDestination {
                url,
                retrying: 0,
                outcomes: Vec::new(),
                since,
            });
            d.retrying += n;
            d.since = d.since.min(since);
            match d.outcomes.iter_mut().find(|(o, _)| *o == outcome) {
                Some((_, count)) => *count += n,
                None => d.outcomes.push((outcome, n)),
            }
        }
        let mut out: Vec<FailingDestination> = by_url.into_values().collect();
        for d in &mut out {
            d.outcomes
                .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        out.sort_by(|a, b| b.retrying.cmp(&a.retrying).then_with(|| a.url.cmp(&b.url)));
        Ok(out)
    }
}
