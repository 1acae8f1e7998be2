//! The engine and its loop.

use super::scenarios::LiveScenario;
use super::{enrol, journey, sweep};
use crate::clock::Clock;
use crate::delivery::Dispatcher;
use crate::model::scenario::Trigger;
use crate::model::{AccountId, ScenarioId};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Events or journeys taken per round trip.
    pub batch_size: usize,
    /// How long a claimed journey is reserved for this process.
    pub lease: Duration,
    /// The backstop between wake-ups (and the path between instances).
    pub poll_interval: Duration,
    /// How often time-based triggers are checked.
    pub sweep_interval: Duration,
    /// How often journeys of a paused scenario look again.
    pub paused_recheck: Duration,
    /// The retry window of new deliveries.
    pub delivery_window: Duration,
    pub owner: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            batch_size: 200,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            sweep_interval: Duration::from_secs(60),
            paused_recheck: Duration::from_secs(60),
            delivery_window: Duration::from_secs(12 * 3600),
            owner: format!(
                "engine-{}-{}",
                std::process::id(),
                crate::auth::random_base62(8)
            ),
        }
    }
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: EngineConfig,
    dispatcher: Option<Dispatcher>,
    wake: Notify,
}

impl Engine {
    /// `dispatcher`, when given, is woken whenever a journey writes a delivery.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: EngineConfig,
        dispatcher: Option<Dispatcher>,
    ) -> Engine {
        Engine {
            inner: Arc::new(Inner {
                store,
                clock,
                config,
                dispatcher,
                wake: Notify::new(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Call after writing events (a contact created, a form submitted…).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// One batch of events; returns how many were processed.
    pub async fn process_events(&self) -> Result<usize, StoreError> {
        let (processed, entered) = enrol::process_events(self).await?;
        if entered > 0 {
            tracing::debug!(processed, entered, "events processed");
        }
        Ok(processed)
    }

    /// One batch of due journeys; returns how many were advanced.
    pub async fn advance_due_journeys(&self) -> Result<usize, StoreError> {
        let (advanced, delivered) = journey::advance_due_journeys(self).await?;
        if delivered && let Some(d) = &self.inner.dispatcher {
            d.wake();
        }
        Ok(advanced)
    }

    /// Fires the time-based triggers due at the clock's current day.
    pub async fn sweep(&self) -> Result<usize, StoreError> {
        sweep::sweep(self).await
    }

    /// Processes events and due journeys until none is left at the clock's
    /// current time. What a test calls after moving the clock.
    pub async fn run_until_idle(&self) -> Result<(), StoreError> {
        for _ in 0..10_000 {
            let events = self.process_events().await?;
            let journeys = self.advance_due_journeys().await?;
            if events == 0 && journeys == 0 {
                return Ok(());
            }
        }
        Ok(())
    }

    /// After activation of a segment scenario with `include_existing`: enrols
    /// every contact who already meets its criteria. Returns how many entered.
    pub async fn enrol_existing(
        &self,
        account: AccountId,
        scenario: ScenarioId,
    ) -> Result<usize, StoreError> {
        let store = self.store();
        let Some(row) = store.scenario(account, scenario).await? else {
            return Ok(0);
        };
        let Some(live) = LiveScenario::from_row(&row) else {
            return Ok(0);
        };
        let Trigger::SegmentMatched {
            criteria,
            include_existing: true,
        } = &live.definition.trigger
        else {
            return Ok(0);
        };
        let now = self.now();
        let (mut after, mut entered) = (0, 0);
        loop {
            let page = store.contact_values(account, after, 1000).await?;
            let Some((last, _)) = page.last() else { break };
            after = last.0;
            for (contact, _) in &page {
                let Some(snapshot) = store.contact_snapshot(account, *contact).await? else {
                    continue;
                };
                let matches = criteria.matches(&snapshot.facts(), now);
                let mut tx = store.begin().await?;
                if tx.set_segment_member(live.id, *contact, matches).await?
                    && matches
                    && enrol::enrol(&mut tx, &live, *contact, now).await?
                {
                    entered += 1;
                }
                tx.commit().await?;
            }
        }
        self.wake();
        Ok(entered)
    }

    /// The loop, until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let config = self.inner.config.clone();
        let mut next_sweep = tokio::time::Instant::now();
        tracing::info!(owner = %config.owner, "engine started");
        while !*shutdown.borrow() {
            if tokio::time::Instant::now() >= next_sweep {
                if let Err(e) = self.sweep().await {
                    tracing::warn!(error = %e, "engine: date sweep failed; trying again later");
                }
                next_sweep = tokio::time::Instant::now() + config.sweep_interval;
            }
            let busy = match (
                self.process_events().await,
                self.advance_due_journeys().await,
            ) {
                (Ok(e), Ok(j)) => e > 0 || j > 0,
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(error = %e, "engine: database error; trying again");
                    false
                }
            };
            if busy {
                continue;
            }
            let wait = match self.store().next_journey_due_at().await {
                Ok(Some(due)) => (due - self.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(config.poll_interval),
                _ => config.poll_interval,
            };
            tokio::select! {
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("engine stopped");
    }
}
