//! Resend and cancel: a failed delivery becomes pending again (same id, so
//! receivers can deduplicate, and a new retry window); a pending one becomes
//! failed with the reason. Each action is recorded with who did it and when, in
//! the transaction that does it.

use super::{Store, StoreError, StoreTx, on_pool, on_tx};
use crate::clock::{from_millis, to_millis};
use crate::model::{AccountId, DeliveryId, ScenarioId, StepId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAction {
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// Why an action did not apply to a delivery that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionRefused {
    /// Only failed deliveries can be resent.
    NotFailed,
    /// Only pending deliveries can be cancelled.
    NotPending,
}

impl StoreTx {
    async fn record_action(
        &mut self,
        account: AccountId,
        delivery: DeliveryId,
        action: &str,
        actor: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO delivery_actions (account_id, delivery_id, action, actor, reason, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(account.0).bind(delivery.0).bind(action).bind(actor).bind(reason).bind(to_millis(now))
            .execute(conn)
            .await?;
        });
        Ok(())
    }
}

impl Store {
    async fn delivery_exists(
        &self,
        account: AccountId,
        id: DeliveryId,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(id.0)
                .fetch_one(pool)
                .await?;
            Ok(n == 1)
        })
    }

    /// A failed delivery becomes pending again, due now, with a new window.
    pub async fn resend_delivery(
        &self,
        account: AccountId,
        id: DeliveryId,
        actor: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<Result<(), ActionRefused>, StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, deadline_at = $2, finished_at = NULL,
                     lease_until = NULL, lease_owner = NULL
                 WHERE account_id = $3 AND id = $4 AND state = 'failed'",
            )
            .bind(to_millis(now)).bind(to_millis(now + window)).bind(account.0).bind(id.0)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            drop(tx);
            return if self.delivery_exists(account, id).await? {
                Ok(Err(ActionRefused::NotFailed))
            } else {
                Err(StoreError::NotFound)
            };
        }
        tx.record_action(account, id, "resend", actor, None, now)
            .await?;
        tx.commit().await?;
        self.offers_miss();
        Ok(Ok(()))
    }

    /// Every failed delivery of a step becomes pending again. Returns how many.
    pub async fn resend_failed_of_step(
        &self,
        account: AccountId,
        scenario: ScenarioId,
        step: &StepId,
        actor: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => {
            // The actions first, while the rows are still failed.
            sqlx::query(
                "INSERT INTO delivery_actions (account_id, delivery_id, action, actor, reason, created_at)
                 SELECT account_id, id, 'resend', $1, NULL, $2 FROM deliveries
                 WHERE account_id = $3 AND scenario_id = $4 AND step_id = $5 AND state = 'failed'",
            )
            .bind(actor).bind(to_millis(now)).bind(account.0).bind(scenario.0).bind(&step.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, deadline_at = $2, finished_at = NULL,
                     lease_until = NULL, lease_owner = NULL
                 WHERE account_id = $3 AND scenario_id = $4 AND step_id = $5 AND state = 'failed'",
            )
            .bind(to_millis(now)).bind(to_millis(now + window)).bind(account.0).bind(scenario.0).bind(&step.0)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.commit().await?;
        if n > 0 {
            self.offers_miss();
        }
        Ok(n)
    }

    /// A pending delivery becomes failed with the reason; no further attempt is made.
    pub async fn cancel_delivery(
        &self,
        account: AccountId,
        id: DeliveryId,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), ActionRefused>, StoreError> {
        // Not to be taken from an offer while, or after, it is cancelled.
        self.withdraw_offer(id);
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE deliveries SET state = 'failed', next_attempt_at = NULL, finished_at = $1,
                     last_error = 'cancelled', lease_until = NULL, lease_owner = NULL
                 WHERE account_id = $2 AND id = $3 AND state = 'pending'",
            )
            .bind(to_millis(now)).bind(account.0).bind(id.0)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            drop(tx);
            return if self.delivery_exists(account, id).await? {
                Ok(Err(ActionRefused::NotPending))
            } else {
                Err(StoreError::NotFound)
            };
        }
        tx.record_action(account, id, "cancel", actor, Some(reason), now)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The actions taken on a delivery, oldest first.
    pub async fn delivery_actions(
        &self,
        account: AccountId,
        id: DeliveryId,
    ) -> Result<Vec<DeliveryAction>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT action, actor, reason, created_at FROM delivery_actions
                 WHERE account_id = $1 AND delivery_id = $2 ORDER BY id",
            )
            .bind(account.0).bind(id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DeliveryAction {
                        action: r.try_get("action")?,
                        actor: r.try_get("actor")?,
                        reason: r.try_get("reason")?,
                        at: from_millis(r.try_get("created_at")?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }
}
