//! The dispatcher: claims due deliveries with a lease, sends them outside any
//! transaction, and records every attempt with what it decided.
//!
//! `dispatch_due` is one step (claim, start the sends); `run` is the loop that
//! only decides when to take that step again: at once when woken by a new
//! delivery, when freed slots make a destination worth claiming for again, or
//! at the next due time or the poll interval (the backstop, and the path
//! between instances sharing PostgreSQL).
//!
//! On SQLite, while `run` runs, the new deliveries this process writes are
//! also offered to it in memory (`store::deliveries::offers`): a step takes
//! those first, and reads the database only for what was not offered. It
//! does so when the loop looks wide (at the next due time, the poll interval,
//! or when a delivery of a target it does not know yet, or was resent, became
//! due without an offer), and narrowly, after the offers, for the targets
//! whose last claim left work behind, or whose new deliveries found the
//! offers full (`backlog`).

use super::attempt::send_one;
use super::limits::Limits;
use super::metrics::Metrics;
use super::metrics::Pickup;
use super::plan::{ClaimPlan, Reach};
use super::recorder::Recorder;
use super::schedule::RetrySchedule;
use super::targets::Targets;
use crate::clock::Clock;
use crate::store::{ClaimAsk, ClaimedDelivery, Store, StoreError, TargetId};
use crate::webhook::sender::Sender;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// Deliveries of one destination that may wait, claimed, for each of its send
/// slots. A claim can wait behind a long write (an enqueue of a thousand
/// contacts holds SQLite's one writer for about 20 ms); what is queued must
/// keep the sends busy meanwhile. With 3 per slot the sends to one fast
/// destination ran dry during such waits; 7 measured best of 3, 5, 7 and 10
/// (BENCHMARKS.md, fourth round). Since SQLite's claims became reads, 3, 5,
/// 7 and 10 measured alike (eighth round).
pub const QUEUE_PER_SEND_SLOT: usize = 7;

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
    /// Bytes of new deliveries held in memory as offers, at most (SQLite).
    pub offer_budget: usize,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        DispatcherConfig {
            batch_size: 512,
            // Longer than the queue of one destination can take to drain at its
            // timeout: (64 + 448) / 64 sends x 15 s = 120 s, with room to spare.
            lease: Duration::from_secs(300),
            // Four destinations that hang can hold at most half of it.
            global_concurrency: 2048,
            per_destination: 64,
            queue_per_destination: 64 * QUEUE_PER_SEND_SLOT,
            poll_interval: Duration::from_secs(1),
            busy_retry: Duration::from_millis(500),
            late_limit: Duration::from_secs(60),
            schedule: RetrySchedule::default(),
            owner: format!("{}-{}", std::process::id(), crate::auth::random_base62(8)),
            // About 16,000 deliveries of 1 KB: a few seconds of sends at full
            // speed, and little memory beside the rest of the server.
            offer_budget: 16 << 20,
        }
    }
}

#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) sender: Sender,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) config: DispatcherConfig,
    limits: Limits,
    pub(super) metrics: Arc<Metrics>,
    pub(super) recorder: Recorder,
    targets: Targets,
    /// New deliveries were written: look for them now.
    work: Notify,
    /// Deliveries claimed and not yet recorded.
    in_flight: AtomicUsize,
    idle: Notify,
    /// `run` takes the store's offers.
    offers_open: AtomicBool,
    /// While offers are open: the targets whose last claim took all it could,
    /// or whose new deliveries were not offered, so more of their work may
    /// wait in the database.
    backlog: Mutex<HashSet<TargetId>>,
}

/// What one step did.
#[derive(Default)]
struct Step {
    /// Deliveries picked up: claimed, or taken from the offers.
    picked: usize,
    /// Whether the database was read, and whether that claim took as many as
    /// it read (more may be due right now).
    claim: Option<bool>,
    /// The earliest time a delivery given back (its destination busy) is due.
    given_back_until: Option<DateTime<Utc>>,
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
                    // Global slots were freed: there may be room to claim more.
                    inner.limits.freed();
                }
            });
            Inner {
                targets: Targets::new(store.clone()),
                store,
                sender,
                clock,
                config,
                limits,
                metrics: Arc::new(Metrics::default()),
                recorder,
                work: Notify::new(),
                in_flight: AtomicUsize::new(0),
                idle: Notify::new(),
                offers_open: AtomicBool::new(false),
                backlog: Mutex::default(),
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
        self.inner.work.notify_one();
    }

    /// Whether `run` takes the new deliveries of this process as they are
    /// offered (SQLite), rather than claiming them.
    pub fn takes_offers(&self) -> bool {
        self.inner.offers_open.load(Ordering::Acquire)
    }

    /// Deliveries claimed and not yet recorded.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Acquire)
    }

    /// One step: claims what is due (as many as there are free slots, and for
    /// each destination as many as it has room for) and starts sending it.
    /// Returns how many were claimed, or taken from the offers.
    pub async fn dispatch_due(&self) -> Result<usize, StoreError> {
        Ok(self.step(Reach::Wide, true).await?.picked)
    }

    /// Takes offers and, when `read` is set, claims from the database: a wide
    /// claim first (it finds the longest-due work), a narrow one after the
    /// offers (for what they left room for).
    async fn step(&self, reach: Reach, read: bool) -> Result<Step, StoreError> {
        let mut step = Step::default();
        if read && reach == Reach::Wide {
            self.claim(Reach::Wide, &mut step).await?;
        }
        if self.inner.offers_open.load(Ordering::Acquire) {
            self.take_offers(&mut step).await?;
        }
        if read && reach == Reach::Narrow {
            self.claim(Reach::Narrow, &mut step).await?;
        }
        Ok(step)
    }

    async fn claim(&self, reach: Reach, step: &mut Step) -> Result<(), StoreError> {
        let inner = &self.inner;
        let plan = self.plan(reach);
        let Some(ask) = self.ask(&plan) else {
            return Ok(());
        };
        let asked = std::time::Instant::now();
        let claimed = inner.store.claim_due_capped(&ask).await?;
        tracing::trace!(
            ?reach,
            free = ask.limit,
            claimed = claimed.len(),
            took_us = asked.elapsed().as_micros() as u64,
            "claim"
        );
        let filled = claimed.len() as i64 == ask.limit;
        step.claim = Some(filled || step.claim == Some(true));
        self.note_backlog(&plan, &claimed, filled);
        inner.metrics.picked_up(Pickup::Claimed, claimed.len());
        self.start(claimed, ask.now, step).await
    }

    /// What to ask for under `plan`: as many as there are free slots, leased
    /// from now. `None` when the plan can take nothing.
    fn ask<'a>(&'a self, plan: &'a ClaimPlan) -> Option<ClaimAsk<'a>> {
        let inner = &self.inner;
        let free = plan.most(inner.limits.available().min(inner.config.batch_size));
        if free == 0 || plan.is_empty() {
            return None;
        }
        let now = inner.clock.now();
        Some(ClaimAsk {
            owner: &inner.config.owner,
            now,
            lease_until: now + chrono::Duration::from_std(inner.config.lease).unwrap_or_default(),
            limit: free as i64,
            listed: &plan.listed,
            others: plan.others,
        })
    }

    /// Which targets may still have claimable work in the database after a
    /// claim under `plan` returned `claimed`: those that took their whole
    /// cap (or all of the claim's targets, when it took as many as it could
    /// read), and those left out of it that had some before.
    fn note_backlog(&self, plan: &ClaimPlan, claimed: &[ClaimedDelivery], filled: bool) {
        if !self.inner.offers_open.load(Ordering::Acquire) {
            return;
        }
        let mut taken: HashMap<TargetId, i64> = HashMap::new();
        for d in claimed {
            *taken.entry(d.target).or_default() += 1;
        }
        let mut backlog = self.inner.backlog.lock().expect("backlog lock");
        let full = |t: TargetId, n: i64| filled || n >= plan.cap(t);
        match plan.others {
            // Every target was looked at, but those left out.
            Some(_) => backlog.retain(|t| plan.cap(*t) <= 0),
            None => {
                for (target, _) in &plan.listed {
                    backlog.remove(target);
                }
            }
        }
        backlog.extend(
            plan.listed
                .iter()
                .filter(|&&(t, cap)| {
                    cap > 0 && (filled || taken.get(&t).is_some_and(|&n| n >= cap))
                })
                .map(|&(t, _)| t),
        );
        backlog.extend(
            taken
                .into_iter()
                .filter(|&(t, n)| full(t, n))
                .map(|(t, _)| t),
        );
    }

    /// Takes the offered deliveries the destinations have room for.
    async fn take_offers(&self, step: &mut Step) -> Result<(), StoreError> {
        let plan = self.plan(Reach::Wide);
        let Some(ask) = self.ask(&plan) else {
            return Ok(());
        };
        let taken = self.inner.store.take_offered(&ask).await;
        self.inner.metrics.picked_up(Pickup::Offered, taken.len());
        self.start(taken, ask.now, step).await
    }

    /// Starts sending leased deliveries; fails those picked up too late, and
    /// gives back those whose destination has no room.
    async fn start(
        &self,
        deliveries: Vec<ClaimedDelivery>,
        now: DateTime<Utc>,
        step: &mut Step,
    ) -> Result<(), StoreError> {
        let inner = &self.inner;
        step.picked += deliveries.len();
        let late_limit = chrono::Duration::from_std(inner.config.late_limit).unwrap_or_default();
        let (mut busy, mut expired) = (Vec::new(), Vec::new());
        for delivery in deliveries {
            if now > delivery.deadline_at + late_limit {
                expired.push(delivery.id);
                continue;
            }
            let target = inner.targets.get(delivery.target).await?;
            // Several targets may share a destination, so a claim can still
            // exceed its room: the excess is given back.
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
            step.given_back_until = Some(step.given_back_until.map_or(due, |t| t.min(due)));
        }
        Ok(())
    }

    fn plan(&self, reach: Reach) -> ClaimPlan {
        let inner = &self.inner;
        let backlog = inner.backlog.lock().expect("backlog lock");
        let only = inner
            .offers_open
            .load(Ordering::Acquire)
            .then_some(&*backlog);
        inner
            .targets
            .with_destinations(|targets| ClaimPlan::new(&inner.limits, targets, reach, only))
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
        let owner = &inner.config.owner;
        let offers = match inner.store.open_offers(owner, inner.config.offer_budget) {
            Ok(open) => open,
            Err(e) => {
                tracing::warn!(error = %e, "dispatcher: new deliveries will be claimed, not offered");
                false
            }
        };
        inner.offers_open.store(offers, Ordering::Release);
        let poll = inner.config.poll_interval;
        // When to look wide again without being woken: the next due time, or
        // the poll interval.
        let mut look_at = Instant::now();
        let mut reach = Reach::Wide;
        while !*shutdown.borrow() {
            if Instant::now() >= look_at {
                reach = Reach::Wide;
            }
            let missed = inner.store.offers_missed();
            if missed.any || missed.targets.iter().any(|&t| !inner.targets.knows(t)) {
                reach = Reach::Wide;
            } else if !missed.targets.is_empty() {
                // Left in the database, and written after what the offers
                // hold: claimed narrow, after the offers, for the room they
                // leave. A wide claim first would find them only past every
                // delivery offered, each read and left out.
                let mut backlog = inner.backlog.lock().expect("backlog lock");
                backlog.extend(missed.targets);
            }
            // With offers, new work is in memory: a narrow step reads the
            // database only for destinations with work left behind there.
            let read = !offers
                || reach == Reach::Wide
                || !inner.backlog.lock().expect("backlog lock").is_empty();
            match self.step(reach, read).await {
                Ok(step) => {
                    if reach == Reach::Wide && step.claim != Some(true) {
                        // Everything claimable now is claimed.
                        reach = Reach::Narrow;
                        look_at = Instant::now() + self.until_next_claimable().await;
                    }
                    if let Some(due) = step.given_back_until {
                        let wait = (due - inner.clock.now()).to_std().unwrap_or(Duration::ZERO);
                        look_at = look_at.min(Instant::now() + wait);
                    }
                    if step.picked > 0 && inner.limits.available() > 0 {
                        continue;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "dispatcher: database error; trying again");
                    look_at = Instant::now() + poll;
                }
            }
            tokio::select! {
                // Woken for new deliveries: offered ones are taken without a
                // look in the database (one that missed its offer says so).
                () = inner.work.notified() => if !offers { reach = Reach::Wide },
                () = inner.limits.room_freed() => {}
                () = tokio::time::sleep_until(look_at) => reach = Reach::Wide,
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!(
            in_flight = self.in_flight(),
            "dispatcher stopping: no new claims"
        );
        inner.offers_open.store(false, Ordering::Release);
        inner.store.close_offers(owner);
        if tokio::time::timeout(grace, self.wait_idle()).await.is_err() {
            tracing::warn!(
                in_flight = self.in_flight(),
                "sends still in flight after the grace period"
            );
        }
        match inner.store.release_all(owner, inner.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "gave back leased deliveries"),
            Err(e) => {
                tracing::warn!(error = %e, "could not give back leases; they expire on their own")
            }
        }
        inner.recorder.flush().await;
        tracing::info!("dispatcher stopped");
    }

    /// How long until a wide claim could find something: the next due time of
    /// a delivery that is neither leased nor left out, at most the poll
    /// interval. While a destination is left out, finding that time means
    /// reading past its backlog, so the loop only looks again after the
    /// poll interval or when woken.
    async fn until_next_claimable(&self) -> Duration {
        let inner = &self.inner;
        let poll = inner.config.poll_interval;
        let plan = self.plan(Reach::Wide);
        if plan.leaves_out_any() {
            return poll;
        }
        let now = inner.clock.now();
        match inner
            .store
            .next_claimable_at(now, &plan.listed, plan.others)
            .await
        {
            Ok(Some(due)) => (due - now).to_std().unwrap_or(Duration::ZERO).min(poll),
            _ => poll,
        }
    }
}
