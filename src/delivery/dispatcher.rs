//! The dispatcher: claims due deliveries with a lease, sends them outside any
//! transaction, and records every attempt with what it decided.
//!
//! `dispatch_due` is one step (claim, start the sends); `run` is the loop that
//! only decides when to take that step again: at once when woken by a new
//! delivery or a freed slot, otherwise at the next due time or the poll interval
//! (the backstop, and the path between instances sharing PostgreSQL).

use super::limits::{ClaimSlot, Limits};
use super::metrics::Metrics;
use super::recorder::Recorder;
use super::schedule::{Next, RetrySchedule};
use crate::clock::Clock;
use crate::store::{AttemptRecord, ClaimedDelivery, Resolution, Store, StoreError, TargetId};
use crate::webhook::sender::{OutgoingRequest, Sender};
use crate::webhook::signing::SigningSecret;
use crate::webhook::url::WebhookUrl;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// Deliveries claimed per database round trip.
    pub batch_size: usize,
    /// How long a claim lasts. Longer than a send can take; when a process dies,
    /// another takes its deliveries over once the lease runs out.
    pub lease: Duration,
    /// Deliveries claimed at once by this process (sending or waiting to).
    pub global_concurrency: usize,
    /// Sends in flight at once to one `host:port`.
    pub per_destination: usize,
    /// How many more deliveries of one destination may wait for its send slots;
    /// beyond that the destination is left out of claims.
    pub queue_per_destination: usize,
    /// The backstop: look for due work at least this often.
    pub poll_interval: Duration,
    /// A delivery whose destination is at its cap is given back for this long.
    pub busy_retry: Duration,
    /// A delivery first picked up this long after its deadline (the service was
    /// down) is failed without an attempt.
    pub late_limit: Duration,
    pub schedule: RetrySchedule,
    /// Names this process's leases; unique per process.
    pub owner: String,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        DispatcherConfig {
            batch_size: 512,
            // Longer than the queue of one destination can take to drain at its
            // timeout: (64 + 192) / 64 sends x 15 s = 60 s, with room to spare.
            lease: Duration::from_secs(300),
            global_concurrency: 1024,
            per_destination: 64,
            queue_per_destination: 192,
            poll_interval: Duration::from_secs(1),
            busy_retry: Duration::from_millis(500),
            late_limit: Duration::from_secs(60),
            schedule: RetrySchedule::default(),
            owner: format!("{}-{}", std::process::id(), crate::auth::random_base62(8)),
        }
    }
}

/// A target as the dispatcher uses it: parsed once, then cached (targets never change).
struct Target {
    url: WebhookUrl,
    headers: Vec<(String, String)>,
    secret: Option<SigningSecret>,
    destination: String,
}

#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    sender: Sender,
    clock: Arc<dyn Clock>,
    config: DispatcherConfig,
    limits: Limits,
    metrics: Arc<Metrics>,
    recorder: Recorder,
    targets: Mutex<HashMap<TargetId, Arc<Target>>>,
    /// New work, or a freed slot: look again now.
    wake: Notify,
    /// Deliveries claimed and not yet recorded.
    in_flight: AtomicUsize,
    idle: Notify,
}

impl Dispatcher {
    /// Must be called inside a tokio runtime: it starts the attempt recorder.
    pub fn new(
        store: Store,
        sender: Sender,
        clock: Arc<dyn Clock>,
        config: DispatcherConfig,
    ) -> Dispatcher {
        let limits = Limits::new(
            config.global_concurrency,
            config.per_destination,
            config.queue_per_destination,
        );
        let inner = Arc::new_cyclic(|weak: &std::sync::Weak<Inner>| {
            let weak = weak.clone();
            let recorder = Recorder::start(store.clone(), move |n| {
                if let Some(inner) = weak.upgrade() {
                    if inner.in_flight.fetch_sub(n, Ordering::AcqRel) == n {
                        inner.idle.notify_waiters();
                    }
                    // Claim slots were freed: there is room to claim more.
                    inner.wake.notify_one();
                }
            });
            Inner {
                store,
                sender,
                clock,
                config,
                limits,
                metrics: Arc::new(Metrics::default()),
                recorder,
                targets: Mutex::new(HashMap::new()),
                wake: Notify::new(),
                in_flight: AtomicUsize::new(0),
                idle: Notify::new(),
            }
        });
        Dispatcher { inner }
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        self.inner.metrics.clone()
    }

    pub fn owner(&self) -> &str {
        &self.inner.config.owner
    }

    /// Call after writing new deliveries: the loop looks at once.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Deliveries claimed and not yet recorded.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Acquire)
    }

    /// One step: claims what is due (as many as there are free slots) and
    /// starts sending it. Returns how many were claimed.
    pub async fn dispatch_due(&self) -> Result<usize, StoreError> {
        let inner = &self.inner;
        let free = inner.limits.available().min(inner.config.batch_size);
        if free == 0 {
            return Ok(0);
        }
        let now = inner.clock.now();
        let lease_until = now + chrono::Duration::from_std(inner.config.lease).unwrap_or_default();
        let full = self.full_targets();
        let claimed = inner
            .store
            .claim_due(&inner.config.owner, now, lease_until, free as i64, &full)
            .await?;
        let count = claimed.len();
        let late_limit = chrono::Duration::from_std(inner.config.late_limit).unwrap_or_default();
        let (mut busy, mut expired) = (Vec::new(), Vec::new());
        for delivery in claimed {
            if now > delivery.deadline_at + late_limit {
                expired.push(delivery.id);
                continue;
            }
            let target = self.target(delivery.target).await?;
            match inner.limits.try_claim(&target.destination) {
                Some(slot) => {
                    inner.in_flight.fetch_add(1, Ordering::AcqRel);
                    tokio::spawn(send_one(self.inner.clone(), delivery, target, slot));
                }
                None => busy.push(delivery.id),
            }
        }
        if !expired.is_empty() {
            tracing::warn!(
                count = expired.len(),
                "deliveries picked up after their retry window: failed without an attempt"
            );
            inner.store.expire(&expired, now).await?;
        }
        if !busy.is_empty() {
            let due = now + chrono::Duration::from_std(inner.config.busy_retry).unwrap_or_default();
            inner.store.release(&busy, &inner.config.owner, due).await?;
        }
        Ok(count)
    }

    /// Waits until every claimed delivery has been sent and recorded.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.inner.idle.notified();
            if self.in_flight() == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Claims and sends until nothing is due at the clock's current time, then
    /// waits for the records. What a test calls after moving the clock.
    pub async fn run_until_idle(&self) -> Result<(), StoreError> {
        loop {
            let claimed = self.dispatch_due().await?;
            self.wait_idle().await;
            if claimed == 0 {
                return Ok(());
            }
        }
    }

    /// The loop, until `shutdown` turns true. Then it stops claiming, lets sends
    /// in flight finish for up to `grace`, and gives back what is still leased.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>, grace: Duration) {
        let inner = self.inner.clone();
        tracing::info!(owner = %inner.config.owner, "dispatcher started");
        while !*shutdown.borrow() {
            let wait = match self.dispatch_due().await {
                Ok(n) if n > 0 && inner.limits.available() > 0 => continue,
                Ok(_) => self.time_to_next_due().await,
                Err(e) => {
                    tracing::warn!(error = %e, "dispatcher: database error; trying again");
                    inner.config.poll_interval
                }
            };
            tokio::select! {
                () = inner.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!(
            in_flight = self.in_flight(),
            "dispatcher stopping: no new claims"
        );
        if tokio::time::timeout(grace, self.wait_idle()).await.is_err() {
            tracing::warn!(
                in_flight = self.in_flight(),
                "sends still in flight after the grace period"
            );
        }
        match inner.store.release_all(&inner.config.owner).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "gave back leased deliveries"),
            Err(e) => {
                tracing::warn!(error = %e, "could not give back leases; they expire on their own")
            }
        }
        inner.recorder.flush().await;
        tracing::info!("dispatcher stopped");
    }

    async fn time_to_next_due(&self) -> Duration {
        let poll = self.inner.config.poll_interval;
        match self.inner.store.next_due_at().await {
            Ok(Some(due)) => (due - self.inner.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(poll),
            _ => poll,
        }
    }

    /// Targets whose destination is at its claim cap: left out of the next claim.
    fn full_targets(&self) -> Vec<TargetId> {
        let targets = self.inner.targets.lock().expect("targets lock");
        targets
            .iter()
            .filter(|(_, t)| self.inner.limits.is_full(&t.destination))
            .map(|(id, _)| *id)
            .collect()
    }

    async fn target(&self, id: TargetId) -> Result<Arc<Target>, StoreError> {
        if let Some(t) = self.inner.targets.lock().expect("targets lock").get(&id) {
            return Ok(t.clone());
        }
        let row = self.inner.store.target(id).await?;
        let url = WebhookUrl::parse(&row.url)
            .map_err(|e| StoreError::Config(format!("target {} has an invalid URL: {e}", id.0)))?;
        let secret = match row.signing_secret.as_deref().map(SigningSecret::parse) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                return Err(StoreError::Config(format!(
                    "target {} has an invalid signing secret: {e}",
                    id.0
                )));
            }
            None => None,
        };
        let target = Arc::new(Target {
            destination: url.destination_key(),
            url,
            headers: row.headers,
            secret,
        });
        self.inner
            .targets
            .lock()
            .expect("targets lock")
            .insert(id, target.clone());
        Ok(target)
    }
}

/// One attempt of one delivery: send, decide, hand the record to the recorder.
async fn send_one(
    inner: Arc<Inner>,
    delivery: ClaimedDelivery,
    target: Arc<Target>,
    slot: ClaimSlot,
) {
    let sending = slot.send_permit().await;
    let started = inner.clock.now();
    let outcome = inner
        .sender
        .send(OutgoingRequest {
            url: &target.url,
            headers: target.headers.clone(),
            body: bytes::Bytes::from(delivery.body),
            webhook_id: delivery.event_id.clone(),
            timestamp: started.timestamp(),
            secret: target.secret.as_ref(),
        })
        .await;
    drop(sending);
    let finished = inner.clock.now();
    let attempt_no = delivery.attempts + 1;
    let resolution = if outcome.accepted {
        Resolution::Accepted
    } else {
        decide_retry(
            &inner.config.schedule,
            attempt_no,
            delivery.deadline_at,
            finished,
            outcome.retry_after.map(|r| r.delay_from(finished)),
        )
    };
    let code = outcome.error.as_ref().map_or("accepted", |e| e.code());
    inner.metrics.record_attempt(code, outcome.duration);
    tracing::debug!(
        delivery_id = delivery.id.0,
        attempt = attempt_no,
        status = outcome.status,
        outcome = code,
        "attempt recorded"
    );
    inner.recorder.push(
        AttemptRecord {
            delivery: delivery.id,
            attempt_no,
            started_at: started,
            duration_ms: outcome.duration.as_millis() as i64,
            status: outcome.status,
            error_class: outcome.error.as_ref().map(|e| e.code().to_string()),
            excerpt: outcome.excerpt,
            resolution,
            finished_at: finished,
        },
        slot,
    );
}

/// The schedule's answer, bounded by the deadline stored with the delivery (so a
/// later change of the window never stretches a promise already made).
fn decide_retry(
    schedule: &RetrySchedule,
    attempt_no: i64,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    retry_after: Option<Duration>,
) -> Resolution {
    let window = chrono::Duration::from_std(schedule.window).unwrap_or_default();
    let retry_after = retry_after
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| now + d);
    let jitter = rand::random::<f64>();
    match schedule.next(
        attempt_no.max(1) as u32,
        deadline - window,
        now,
        retry_after,
        jitter,
    ) {
        Next::RetryAt(t) if now < deadline => Resolution::RetryAt(t.min(deadline)),
        _ => Resolution::Failed,
    }
}
