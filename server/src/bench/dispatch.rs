//! `bench dispatch`: N signed deliveries through the real path — written as
//! the engine writes them, claimed with a lease, signed and POSTed by the
//! dispatcher, recorded — to a receiver on loopback, timed from the first
//! enqueue until the store says all N are accepted.

use super::report::{self, DispatchFigures, DispatchReport};
use super::scratch::ScratchDb;
use super::workload::Workload;
use super::{DispatchArgs, ceiling};
use crate::error::CliError;
use chrono::Utc;
use hookflow::clock::SystemClock;
use hookflow::delivery::{Dispatcher, DispatcherConfig, QUEUE_PER_SEND_SLOT};
use hookflow::model::StepId;
use hookflow::store::{Store, StoreError};
use hookflow::testkit::{Receiver, Recording};
use hookflow::webhook::policy::DestinationPolicy;
use hookflow::webhook::sender::{Sender, SenderConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long the dispatcher may take to finish its sends once told to stop.
pub(super) const GRACE: Duration = Duration::from_secs(10);
/// Sends at once to one destination: the server's default.
pub(super) const DEFAULT_CONCURRENCY: usize = 64;

pub async fn run(db: &ScratchDb, args: &DispatchArgs) -> Result<DispatchReport, CliError> {
    let n = args.deliveries;
    let deadline = Instant::now() + Duration::from_secs(args.common.timeout_secs);
    let receiver = Receiver::start(Recording::IdsOnly).await;
    let url = receiver.url("/hook");
    let workload = Workload::create(&db.store, &url).await?;
    let dispatcher = start_dispatcher(db.store.clone(), args.concurrency)?;
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(dispatcher.clone().run(stopped, GRACE));
    let push = Push {
        db,
        workload: &workload,
        dispatcher: &dispatcher,
        receiver: &receiver,
        deliveries: n,
        batch: args.common.batch as u64,
        deadline,
    };
    let cpu_before = report::cpu_time();
    let measured = push.run().await;
    let cpu = report::cpu_time().saturating_sub(cpu_before);
    let _ = stop.send(true);
    let _ = running.await;
    let run = measured?;
    // Before the ceiling runs: the receiver's bookkeeping of its requests is
    // not the dispatcher's memory.
    let peak_rss_mb = report::peak_rss_mb();
    let arrivals = Arrivals::of(&receiver, &workload, &run.enqueued_at);

    let ceiling = ceiling::measure(&url, n, args.concurrency, remaining(deadline)).await?;
    let deliveries_per_sec = report::per_sec(n, run.elapsed);
    let figures = DispatchFigures {
        deliveries_per_sec,
        ceiling_per_sec: ceiling.per_sec,
        ratio: report::round(deliveries_per_sec / ceiling.per_sec.max(1e-9), 3),
        p50_ms: report::millis(report::quantile(&arrivals.latencies, 0.50)),
        p99_ms: report::millis(report::quantile(&arrivals.latencies, 0.99)),
        peak_rss_mb,
        lost: n - arrivals.distinct,
        duplicates: arrivals.total - arrivals.distinct,
    };
    Ok(DispatchReport {
        figures,
        setting: db.description.clone(),
        deliveries: n,
        elapsed: run.elapsed,
        enqueue_elapsed: run.enqueue_elapsed,
        concurrency: args.concurrency,
        complete: run.complete,
        cpu_per_delivery: cpu / n.max(1) as u32,
        ceiling_requests: ceiling.sent,
        ceiling_cpu_per_request: ceiling.cpu_per_request,
    })
}

/// The dispatcher as `serve` runs it (system clock, default settings), with
/// loopback allowed and `concurrency` sends at once to one destination.
pub(super) fn start_dispatcher(store: Store, concurrency: usize) -> Result<Dispatcher, CliError> {
    let policy = DestinationPolicy::parse_allow_list("127.0.0.0/8")
        .map_err(|e| CliError::Input(e.to_string()))?;
    let sender = Sender::new(SenderConfig {
        policy,
        ..SenderConfig::default()
    })
    .map_err(|e| CliError::Input(e.to_string()))?;
    let config = DispatcherConfig {
        per_destination: concurrency,
        queue_per_destination: concurrency * QUEUE_PER_SEND_SLOT,
        ..DispatcherConfig::default()
    };
    Ok(Dispatcher::new(
        store,
        sender,
        Arc::new(SystemClock),
        config,
    ))
}

struct Run {
    /// When each contact's enqueue transaction began, by contact number.
    enqueued_at: Vec<Instant>,
    enqueue_elapsed: Duration,
    elapsed: Duration,
    complete: bool,
}

struct Push<'a> {
    db: &'a ScratchDb,
    workload: &'a Workload,
    dispatcher: &'a Dispatcher,
    receiver: &'a Receiver,
    deliveries: u64,
    batch: u64,
    deadline: Instant,
}

impl Push<'_> {
    /// Enqueues in batches (waking the dispatcher after each), then waits until
    /// the store says every delivery is accepted. Like a busy engine, it has
    /// the next batch's payloads ready when a write commits: each batch is
    /// built while the one before is written.
    async fn run(&self) -> Result<Run, CliError> {
        let n = self.deliveries;
        let step = StepId("webhook".into());
        let mut enqueued_at = Vec::with_capacity(n as usize);
        let started = Instant::now();
        let batch = |from: u64| from..(from + self.batch).min(n);
        let mut next = 0;
        let mut ready =
            (n > 0).then(|| (Instant::now(), self.workload.events(batch(0), Utc::now())));
        while let Some((at, events)) = ready.take() {
            let range = batch(next);
            let write = self.workload.write(&self.db.store, &step, &events);
            let build = async {
                let from = range.end;
                (from < n && Instant::now() < self.deadline).then(|| {
                    (
                        Instant::now(),
                        self.workload.events(batch(from), Utc::now()),
                    )
                })
            };
            let (written, built) = tokio::join!(write, build);
            written?;
            self.dispatcher.wake();
            enqueued_at.resize(range.end as usize, at);
            next = range.end;
            ready = built;
        }
        let enqueue_elapsed = started.elapsed();
        let complete = next == n && self.wait_accepted(&step).await?;
        Ok(Run {
            enqueued_at,
            enqueue_elapsed,
            elapsed: started.elapsed(),
            complete,
        })
    }

    /// Watches the receiver (cheap) until N requests arrived, then the store
    /// until it counts N accepted. False when the deadline comes first.
    async fn wait_accepted(&self, step: &StepId) -> Result<bool, StoreError> {
        let n = self.deliveries;
        while self.receiver.count() < n && Instant::now() < self.deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        while Instant::now() < self.deadline {
            if self.workload.stats(&self.db.store, step).await?.accepted as u64 >= n {
                return Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(false)
    }
}

/// What the receiver saw of this run's deliveries.
struct Arrivals {
    /// Requests carrying one of this run's ids.
    total: u64,
    /// Different ids among them.
    distinct: u64,
    /// Enqueue to first arrival, per delivery, sorted.
    latencies: Vec<Duration>,
}

impl Arrivals {
    fn of(receiver: &Receiver, workload: &Workload, enqueued_at: &[Instant]) -> Arrivals {
        let mut first: Vec<Option<Instant>> = vec![None; enqueued_at.len()];
        let mut total = 0;
        for r in receiver.received() {
            let Some(i) = workload.index_of(&r.event_id).filter(|&i| i < first.len()) else {
                continue;
            };
            total += 1;
            let seen = first[i].get_or_insert(r.at);
            *seen = (*seen).min(r.at);
        }
        let mut latencies: Vec<Duration> = first
            .iter()
            .zip(enqueued_at)
            .filter_map(|(at, enqueued)| at.map(|at| at.saturating_duration_since(*enqueued)))
            .collect();
        latencies.sort_unstable();
        Arrivals {
            total,
            distinct: latencies.len() as u64,
            latencies,
        }
    }
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}
