//! Deliveries: written when a contact reaches a Send a Webhook step, claimed by
//! dispatchers with a lease, resolved with every attempt recorded.

mod batches;
mod checkpoint;
mod claim;
mod leases;
mod offers;
mod turns;

pub use offers::Missed;

use super::{Store, StoreError, on_pool};

/// Runs `$body` with `$conn` bound to where the dispatcher writes: on SQLite
/// the writer connection, in the dispatcher's turn (see `turns`); on
/// PostgreSQL the pool, since writers need no turns there.
macro_rules! on_writer {
    ($store:expr, $conn:ident => $body:expr) => {
        match $store {
            Store::Sqlite(pool) => {
                let mut turn = turns::write_turn(pool, turns::Writer::Dispatcher).await?;
                let $conn = turn.conn();
                $body
            }
            Store::Postgres($conn) => $body,
        }
    };
}
use crate::clock::{from_millis, to_millis};
use crate::model::{AccountId, ContactId, DeliveryId, ScenarioId, StepId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Where deliveries go. Targets never change: a new step configuration makes a
/// new target, so dispatchers may cache them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetId(pub i64);

#[derive(Debug, Clone)]
pub struct TargetRow {
    pub id: TargetId,
    pub account_id: AccountId,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub signing_secret: Option<String>,
}

/// A contact reaching a Send a Webhook step, with the request to send.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub account: AccountId,
    pub scenario: ScenarioId,
    pub step: &'a StepId,
    pub contact: ContactId,
    /// Which time this contact goes through the scenario (re-entry makes 2, 3, …).
    pub pass: i64,
    pub target: TargetId,
    pub event_id: &'a str,
    /// The JSON payload, frozen now.
    pub body: &'a str,
    pub now: DateTime<Utc>,
    /// The end of the retry window.
    pub deadline: DateTime<Utc>,
}

/// A delivery leased to one dispatcher until `lease_until`.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: DeliveryId,
    pub target: TargetId,
    pub event_id: String,
    pub body: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
}

/// What a dispatcher asks for: due deliveries leased to `owner` from `now`
/// until `lease_until`, at most `limit`, with a cap per target: a `listed`
/// target takes at most its cap (0 leaves it out), any other at most
/// `others` (none when `None`).
#[derive(Debug, Clone, Copy)]
pub struct ClaimAsk<'a> {
    pub owner: &'a str,
    pub now: DateTime<Utc>,
    pub lease_until: DateTime<Utc>,
    pub limit: i64,
    pub listed: &'a [(TargetId, i64)],
    pub others: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    Pending,
    Accepted,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Accepted => "accepted",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn from_db(s: &str) -> DeliveryState {
        match s {
            "accepted" => DeliveryState::Accepted,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

/// What an attempt decided for its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Accepted,
    RetryAt(DateTime<Utc>),
    Failed,
}

/// One attempt, as recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub delivery: DeliveryId,
    pub attempt_no: i64,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub status: Option<u16>,
    /// Stable code of the error class, `None` when accepted.
    pub error_class: Option<String>,
    pub excerpt: String,
    pub resolution: Resolution,
    pub finished_at: DateTime<Utc>,
}

/// The four numbers of a Send a Webhook step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepStats {
    pub reached: i64,
    pub accepted: i64,
    pub pending: i64,
    pub failed: i64,
}

/// A claimed row, or `None` when its body is gone (its account was deleted
/// meanwhile): it is not sent.
fn claimed_from_row<R: Row>(row: &R) -> Result<Option<ClaimedDelivery>, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    let Some(body) = row.try_get::<Option<String>, _>("body")? else {
        return Ok(None);
    };
    Ok(Some(ClaimedDelivery {
        id: DeliveryId(row.try_get("id")?),
        target: TargetId(row.try_get("target_id")?),
        event_id: row.try_get("event_id")?,
        body,
        attempts: row.try_get("attempts")?,
        created_at: from_millis(row.try_get("created_at")?),
        deadline_at: from_millis(row.try_get("deadline_at")?),
    }))
}

impl Store {
    /// Closes this store's writer connection and forgets its leases, letting
    /// its dispatch lock go (SQLite), before its pool.
    pub(super) async fn close_writer(&self) {
        if let Store::Sqlite(pool) = self {
            turns::close(pool).await;
            leases::close(pool);
        }
    }

    /// Makes this process the one that sends this database's deliveries: on
    /// SQLite, whose leases live in the dispatching process's memory, no
    /// other process may then dispatch from the file, and this fails if one
    /// already does. (PostgreSQL takes as many dispatching processes as come.)
    pub fn reserve_dispatch(&self) -> Result<(), StoreError> {
        if let Store::Sqlite(pool) = self {
            leases::of(pool)?;
        }
        Ok(())
    }

    /// Lets `owner`, a running dispatcher, take the new deliveries written by
    /// this process from memory instead of claiming them back from the
    /// database (SQLite, whose one dispatching process is this one; see
    /// `offers`), holding at most `budget` bytes of them. False on
    /// PostgreSQL, or while another dispatcher of this process takes them.
    pub fn open_offers(&self, owner: &str, budget: usize) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => Ok(leases::of(pool)?.offers(|o| o.open(owner, budget))),
            Store::Postgres(_) => Ok(false),
        }
    }

    /// `owner` stops taking offers. Those it held are forgotten: their rows
    /// are due, for the next claim.
    pub fn close_offers(&self, owner: &str) {
        if let Some(leases) = self.dispatching() {
            leases.offers(|o| o.close(owner));
        }
    }

    /// The deliveries that became due without being offered (the offers were
    /// full, or they were resent) since the last call: only a claim finds them.
    pub fn offers_missed(&self) -> Missed {
        self.dispatching()
            .map(|l| l.offers(offers::Offers::take_missed))
            .unwrap_or_default()
    }

    /// Takes offered deliveries due at `ask.now`, oldest first, as a claim
    /// would take them ([`Store::claim_due_capped`]).
    pub async fn take_offered(&self, ask: &ClaimAsk<'_>) -> Vec<ClaimedDelivery> {
        let Some(leases) = self.dispatching().filter(|_| ask.limit > 0) else {
            return Vec::new();
        };
        let caps: HashMap<TargetId, i64> = ask.listed.iter().copied().collect();
        let cap = |t| caps.get(&t).copied().unwrap_or(ask.others.unwrap_or(0));
        let _claiming = leases.claiming().await;
        leases.take_offered(
            ask.owner,
            (to_millis(ask.now), to_millis(ask.lease_until)),
            ask.limit as usize,
            cap,
        )
    }

    /// Delivery `id` is no longer to be sent from an offer (it is being
    /// cancelled). Should the cancel not commit, a claim finds it.
    pub(super) fn withdraw_offer(&self, id: DeliveryId) {
        if let Some(leases) = self.dispatching() {
            leases.offers(|o| {
                if let Some(target) = o.withdraw_id(id.0) {
                    o.miss(Missed::of([target]));
                }
            });
        }
    }

    /// Deliveries became due without being offered (they were resent).
    pub(super) fn offers_miss(&self) {
        if let Some(leases) = self.dispatching() {
            leases.offers(|o| o.miss(Missed::any()));
        }
    }

    /// The leases and offers this process keeps for the file, once it
    /// dispatches from it (SQLite only).
    fn dispatching(&self) -> Option<Arc<leases::Leases>> {
        match self {
            Store::Sqlite(pool) => leases::existing(pool),
            Store::Postgres(_) => None,
        }
    }

    /// The target with exactly this URL, headers and secret, created when new.
    pub async fn target_for(
        &self,
        account: AccountId,
        url: &str,
        headers: &[(String, String)],
        signing_secret: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<TargetId, StoreError> {
        self.target_for_step(account, url, headers, &[], signing_secret, now)
            .await
    }

    /// The same, knowing which headers hold secrets (masked in the delivery log).
    pub async fn target_for_step(
        &self,
        account: AccountId,
        url: &str,
        headers: &[(String, String)],
        secret_headers: &[String],
        signing_secret: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<TargetId, StoreError> {
        let headers_json = serde_json::to_string(headers).expect("strings serialise");
        let secrets_json = serde_json::to_string(secret_headers).expect("strings serialise");
        let fingerprint = fingerprint(
            url,
            &format!("{headers_json}{secrets_json}"),
            signing_secret,
        );
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO webhook_targets (account_id, url, headers, secret_headers, signing_secret, fingerprint, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, fingerprint) DO NOTHING",
            )
            .bind(account.0).bind(url).bind(&headers_json).bind(&secrets_json).bind(signing_secret).bind(&fingerprint)
            .bind(to_millis(now))
            .execute(pool)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "SELECT id FROM webhook_targets WHERE account_id = $1 AND fingerprint = $2",
            )
            .bind(account.0).bind(&fingerprint)
            .fetch_one(pool)
            .await?;
            Ok(TargetId(id))
        })
    }

    pub async fn target(&self, id: TargetId) -> Result<TargetRow, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT id, account_id, url, headers, signing_secret FROM webhook_targets WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?;
            let headers: String = row.try_get("headers")?;
            Ok(TargetRow {
                id,
                account_id: AccountId(row.try_get("account_id")?),
                url: row.try_get("url")?,
                headers: serde_json::from_str(&headers).unwrap_or_default(),
                signing_secret: row.try_get("signing_secret")?,
            })
        })
    }

    /// Records that a contact reached a Send a Webhook step and creates its
    /// delivery, both in one transaction. Returns `None` when this pass was
    /// already recorded (a replay after a crash): nothing is counted twice.
    pub async fn record_webhook_pass(
        &self,
        new: &NewDelivery<'_>,
    ) -> Result<Option<DeliveryId>, StoreError> {
        Ok(self
            .record_webhook_passes(std::slice::from_ref(new))
            .await?
            .pop()
            .flatten())
    }

    /// The same for many contacts in one transaction (group commit), a few
    /// statements for the whole batch.
    pub async fn record_webhook_passes(
        &self,
        batch: &[NewDelivery<'_>],
    ) -> Result<Vec<Option<DeliveryId>>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(pool) => batches::record_passes_sqlite(pool, batch).await,
            Store::Postgres(pool) => batches::record_passes_postgres(pool, batch).await,
        }
    }

    /// Leases up to `limit` due deliveries to `owner` until `lease_until`,
    /// leaving out those going to the `skip` targets (destinations at their cap).
    pub async fn claim_due(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        skip: &[TargetId],
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let listed: Vec<(TargetId, i64)> = skip.iter().map(|t| (*t, 0)).collect();
        self.claim_due_capped(&ClaimAsk {
            owner,
            now,
            lease_until,
            limit,
            listed: &listed,
            others: Some(limit),
        })
        .await
    }

    /// Leases due deliveries (at most `ask.limit`, read in due order) with a
    /// cap per target: a listed target takes at most its cap (0 leaves it
    /// out); any other target takes at most `ask.others`, or nothing when
    /// that is `None`.
    pub async fn claim_due_capped(
        &self,
        ask: &ClaimAsk<'_>,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let &ClaimAsk {
            owner,
            now,
            lease_until,
            limit,
            listed,
            others,
        } = ask;
        let caps = claim::Caps { listed, others };
        if limit <= 0 || caps.claim_nothing() {
            return Ok(Vec::new());
        }
        let sql = claim::Caps::claim_sql(self.engine());
        let params = caps.params();
        let mut claimed = match self {
            Store::Sqlite(pool) => {
                let leases = leases::of(pool)?;
                let (until, now) = (to_millis(lease_until), to_millis(now));
                let _claiming = leases.claiming().await;
                let rows = sqlx::query(sql)
                    .bind(now)
                    .bind(limit)
                    .bind(params.others_cap)
                    .bind(params.others_allowed)
                    .bind(params.capped_json())
                    .bind(params.left_out_json())
                    .bind(leases.unavailable_json(now))
                    .fetch_all(pool)
                    .await?;
                // Rows whose body is gone are leased too, and left alone.
                let granted = rows
                    .iter()
                    .map(|r| {
                        Ok((
                            r.try_get::<i64, _>("id")?,
                            TargetId(r.try_get("target_id")?),
                        ))
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?;
                leases.grant(&granted, owner, until);
                rows.iter()
                    .filter_map(|r| claimed_from_row(r).transpose())
                    .collect::<Result<Vec<_>, _>>()?
            }
            Store::Postgres(pool) => {
                let rows = sqlx::query(sql)
                    .bind(to_millis(lease_until))
                    .bind(owner)
                    .bind(to_millis(now))
                    .bind(limit)
                    .bind(params.others_cap)
                    .bind(params.others_allowed)
                    .bind(&params.capped)
                    .bind(&params.caps)
                    .bind(&params.left_out)
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .filter_map(|r| claimed_from_row(r).transpose())
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    /// When the next delivery these caps allow can be claimed: the earliest due
    /// time among pending deliveries not leased at `now`. Deliveries leased (in
    /// flight) or left out do not count, so a dispatcher waiting for them sleeps.
    pub async fn next_claimable_at(
        &self,
        now: DateTime<Utc>,
        listed: &[(TargetId, i64)],
        others: Option<i64>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let caps = claim::Caps { listed, others };
        if caps.claim_nothing() {
            return Ok(None);
        }
        let sql = claim::Caps::next_claimable_sql(self.engine());
        let params = caps.params();
        let now = to_millis(now);
        let t: Option<i64> = match self {
            Store::Sqlite(pool) => {
                sqlx::query_scalar(sql)
                    .bind(now)
                    .bind(params.others_allowed)
                    .bind(params.capped_json())
                    .bind(params.left_out_json())
                    .bind(
                        leases::existing(pool)
                            .map_or_else(|| "[]".to_string(), |l| l.unavailable_json(now)),
                    )
                    .fetch_optional(pool)
                    .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_scalar(sql)
                    .bind(now)
                    .bind(params.others_allowed)
                    .bind(&params.capped)
                    .bind(&params.left_out)
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(t.map(from_millis))
    }

    /// Records attempts and their resolutions in one transaction. A delivery
    /// another dispatcher already resolved is left as it is; its attempt is
    /// still recorded.
    pub async fn record_attempts(&self, batch: &[AttemptRecord]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        match self {
            Store::Sqlite(pool) => batches::record_attempts_sqlite(pool, batch).await,
            Store::Postgres(pool) => batches::record_attempts_postgres(pool, batch).await,
        }
    }

    /// Gives leased deliveries back without an attempt (a destination already
    /// busy), due again at `due`. Only those `owner` holds are given back.
    pub async fn release(
        &self,
        ids: &[DeliveryId],
        owner: &str,
        due: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        match self {
            Store::Sqlite(pool) => {
                let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
                give_back_sqlite(pool, owner, Some(&ids), due).await?;
            }
            Store::Postgres(pool) => {
                // One text per list of ids: not worth keeping prepared.
                let sql = sqlx::AssertSqlSafe(format!(
                    "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL, next_attempt_at = $1
                     WHERE id IN ({}) AND lease_owner = $2 AND state = 'pending'",
                    id_list(ids)
                ));
                sqlx::query(sql)
                    .persistent(false)
                    .bind(to_millis(due))
                    .bind(owner)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Fails deliveries whose window closed before they could be attempted (the
    /// service was down at their last due time): no attempt is made after the
    /// deadline, and each is failed exactly once.
    pub async fn expire(&self, ids: &[DeliveryId], now: DateTime<Utc>) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET state = 'failed', finished_at = $1, next_attempt_at = NULL,
                 last_error = 'window_closed', lease_until = NULL, lease_owner = NULL
             WHERE id IN ({}) AND state = 'pending'",
            id_list(ids)
        ));
        on_writer!(self, conn => {
            sqlx::query(sql).persistent(false).bind(to_millis(now)).execute(conn).await?;
        });
        if let Store::Sqlite(pool) = self
            && let Some(leases) = leases::existing(pool)
        {
            leases.end(ids.iter().map(|id| id.0));
        }
        Ok(())
    }

    /// Gives back every lease `owner` holds (at shutdown, after the grace
    /// period): those deliveries are due again at `now`, not when the lease
    /// would have run out.
    pub async fn release_all(&self, owner: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(pool) => give_back_sqlite(pool, owner, None, now).await,
            Store::Postgres(pool) => {
                let done = sqlx::query(
                    "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL, next_attempt_at = $2
                     WHERE lease_owner = $1 AND state = 'pending'",
                )
                .bind(owner)
                .bind(to_millis(now))
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }
        }
    }

    /// The due time of the longest-waiting due delivery (for /metrics).
    /// Deliveries in flight are not waiting: their lease moved their due time
    /// (PostgreSQL) or leaves them out (SQLite).
    pub async fn oldest_due_at(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let now = to_millis(now);
        let t: Option<i64> = match self {
            Store::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT MIN(next_attempt_at) FROM deliveries
                     WHERE state = 'pending' AND next_attempt_at <= $1
                       AND id NOT IN (SELECT value FROM json_each($2))",
                )
                .bind(now)
                .bind(leased_json(pool, now))
                .fetch_one(pool)
                .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT MIN(next_attempt_at) FROM deliveries
                     WHERE state = 'pending' AND next_attempt_at <= $1",
                )
                .bind(now)
                .fetch_one(pool)
                .await?
            }
        };
        Ok(t.map(from_millis))
    }

    /// When the earliest pending delivery is due, if any: a delivery in flight
    /// is due when its lease runs out.
    pub async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let t: Option<i64> = match self {
            Store::Sqlite(pool) => {
                // Every lease held, run out or not: one that ran out made its
                // delivery due when it did.
                let leases = leases::existing(pool);
                let leased = leases
                    .as_ref()
                    .map_or_else(|| "[]".to_string(), |l| l.leased_json(i64::MIN));
                let waiting: Option<i64> = sqlx::query_scalar(
                    "SELECT MIN(next_attempt_at) FROM deliveries
                     WHERE state = 'pending' AND id NOT IN (SELECT value FROM json_each($1))",
                )
                .bind(leased)
                .fetch_one(pool)
                .await?;
                let in_flight = leases.and_then(|l| l.first_end(i64::MIN));
                waiting.into_iter().chain(in_flight).min()
            }
            Store::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'",
                )
                .fetch_one(pool)
                .await?
            }
        };
        Ok(t.map(from_millis))
    }

    pub async fn step_stats(
        &self,
        scenario: ScenarioId,
        step: &StepId,
    ) -> Result<StepStats, StoreError> {
        // One statement, so one snapshot: with separate queries a pass committed
        // in between would show in one count and not the other.
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM step_passes WHERE scenario_id = $1 AND step_id = $2) AS reached,
                        COUNT(*) FILTER (WHERE state = 'accepted') AS accepted,
                        COUNT(*) FILTER (WHERE state = 'pending') AS pending,
                        COUNT(*) FILTER (WHERE state = 'failed') AS failed
                 FROM deliveries WHERE scenario_id = $1 AND step_id = $2",
            )
            .bind(scenario.0).bind(&step.0)
            .fetch_one(pool)
            .await?;
            Ok(StepStats {
                reached: row.try_get("reached")?,
                accepted: row.try_get("accepted")?,
                pending: row.try_get("pending")?,
                failed: row.try_get("failed")?,
            })
        })
    }

    /// Counts of deliveries by state, across accounts (for /metrics).
    pub async fn delivery_counts(&self) -> Result<Vec<(DeliveryState, i64)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((DeliveryState::from_db(&r.try_get::<String, _>("state")?), r.try_get("n")?)))
                .collect()
        })
    }

    /// The state and attempt count of one delivery.
    pub async fn delivery_state(&self, id: DeliveryId) -> Result<(DeliveryState, i64), StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT state, attempts FROM deliveries WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok((DeliveryState::from_db(&row.try_get::<String, _>("state")?), row.try_get("attempts")?))
        })
    }

    /// Every recorded attempt of a delivery, oldest first.
    pub async fn attempts_of(&self, id: DeliveryId) -> Result<Vec<AttemptRow>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT attempt_no, started_at, duration_ms, status, error_class, excerpt
                 FROM attempts WHERE delivery_id = $1 ORDER BY attempt_no",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(AttemptRow {
                        attempt_no: r.try_get("attempt_no")?,
                        started_at: from_millis(r.try_get("started_at")?),
                        duration_ms: r.try_get("duration_ms")?,
                        status: r.try_get::<Option<i64>, _>("status")?.map(|s| s as u16),
                        error_class: r.try_get("error_class")?,
                        excerpt: r.try_get("excerpt")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptRow {
    pub attempt_no: i64,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub status: Option<u16>,
    pub error_class: Option<String>,
    pub excerpt: String,
}

/// The deliveries leased at `now` in this process, as JSON (`[]` before its first claim).
fn leased_json(pool: &sqlx::SqlitePool, now: i64) -> String {
    leases::existing(pool).map_or_else(|| "[]".to_string(), |l| l.leased_json(now))
}

/// Gives `owner`'s leases back, of `ids` or all of them: due again at `due`.
async fn give_back_sqlite(
    pool: &sqlx::SqlitePool,
    owner: &str,
    ids: Option<&[i64]>,
    due: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let leases = leases::existing(pool);
    let mine = leases
        .as_ref()
        .map(|l| l.held_by(owner, ids))
        .unwrap_or_default();
    let mut turn = turns::write_turn(pool, turns::Writer::Dispatcher).await?;
    let done = sqlx::query(
        "UPDATE deliveries SET next_attempt_at = $1
         WHERE id IN (SELECT value FROM json_each($2)) AND state = 'pending'",
    )
    .bind(to_millis(due))
    .bind(serde_json::to_string(&mine).expect("integers serialise"))
    .execute(turn.conn())
    .await?;
    drop(turn);
    if let Some(leases) = leases {
        leases.end(mine);
    }
    Ok(done.rows_affected())
}

/// The offers a transaction makes as it writes new deliveries: takeable once
/// it committed ([`Offering::committed`]), withdrawn if it did not. A new
/// delivery that could not be offered (no dispatcher took offers when it was
/// written, or they were full) is reported as missed once it committed, not
/// before: a dispatcher that looked for it in between would not find it.
pub struct Offering {
    pool: sqlx::SqlitePool,
    /// The file's offers, once something was offered.
    leases: Option<Arc<leases::Leases>>,
    made: Vec<(TargetId, i64)>,
    /// The targets of the new deliveries not offered.
    unoffered: HashSet<TargetId>,
}

impl Offering {
    pub(crate) fn of(pool: &sqlx::SqlitePool) -> Offering {
        Offering {
            pool: pool.clone(),
            leases: None,
            made: Vec::new(),
            unoffered: HashSet::new(),
        }
    }

    /// Offers new deliveries, written and not yet committed.
    pub(crate) fn offer<'a>(
        &mut self,
        new: impl IntoIterator<Item = (&'a NewDelivery<'a>, DeliveryId)>,
    ) {
        let mut new = new.into_iter().peekable();
        if new.peek().is_none() {
            return;
        }
        let Some(leases) = leases::existing(&self.pool) else {
            self.unoffered.extend(new.map(|(n, _)| n.target));
            return;
        };
        leases.offers(|offers| {
            if !offers.is_open() {
                self.unoffered.extend(new.map(|(n, _)| n.target));
                return;
            }
            for (n, id) in new {
                let delivery = ClaimedDelivery {
                    id,
                    target: n.target,
                    event_id: n.event_id.to_owned(),
                    body: n.body.to_owned(),
                    attempts: 0,
                    created_at: n.now,
                    deadline_at: n.deadline,
                };
                if offers.offer(delivery, to_millis(n.now)) {
                    self.made.push((n.target, id.0));
                } else {
                    self.unoffered.insert(n.target);
                }
            }
        });
        self.leases = Some(leases);
    }

    /// The transaction committed: its offers can be taken.
    pub(crate) fn committed(mut self) {
        if let Some(leases) = &self.leases {
            leases.offers(|o| o.commit(&self.made));
        }
        self.made.clear();
        if !self.unoffered.is_empty()
            && let Some(leases) = leases::existing(&self.pool)
        {
            let missed = Missed::of(std::mem::take(&mut self.unoffered));
            leases.offers(|o| o.miss(missed));
        }
    }
}

impl Drop for Offering {
    fn drop(&mut self) {
        if let Some(leases) = &self.leases
            && !self.made.is_empty()
        {
            leases.offers(|o| o.withdraw(self.made.drain(..)));
        }
    }
}

/// Ids for `IN (…)`: only integers are spliced into a statement, never text.
/// One statement, one transaction, however many ids.
fn id_list(ids: &[DeliveryId]) -> String {
    let ids: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
    ids.join(",")
}

fn fingerprint(url: &str, headers_json: &str, secret: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [url, headers_json, secret.unwrap_or("")] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        h.finalize(),
    )
}
