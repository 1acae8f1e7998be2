//! `bench backlog`: many retries waiting in the database (due in an hour),
//! while the dispatcher runs and sends a stream of deliveries due now. Waiting
//! work is rows, never memory, so the process stays small however long the
//! backlog; and nothing in it may be lost or sent early.

use super::report::{self, BacklogFigures, BacklogReport};
use super::scratch::ScratchDb;
use super::workload::Workload;
use super::{BacklogArgs, dispatch};
use crate::error::CliError;
use chrono::Utc;
use hookflow::model::StepId;
use hookflow::testkit::{Receiver, Recording};
use std::collections::HashSet;
use std::ops::Range;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How far ahead the waiting retries are due.
const WAITING_FOR: chrono::Duration = chrono::Duration::hours(1);

pub async fn run(db: &ScratchDb, args: &BacklogArgs) -> Result<BacklogReport, CliError> {
    let deadline = Instant::now() + Duration::from_secs(args.common.timeout_secs);
    let receiver = Receiver::start(Recording::IdsOnly).await;
    let workload = Workload::create(&db.store, &receiver.url("/hook")).await?;
    let bench = Bench {
        db,
        workload: &workload,
        batch: args.common.batch as u64,
        deadline,
    };
    let waiting = StepId("waiting".into());
    let due = StepId("due".into());

    let started = Instant::now();
    let written = bench
        .write(&waiting, 0..args.deliveries, WAITING_FOR, || {})
        .await?;
    let inserted_per_sec = report::per_sec(written, started.elapsed());
    if !args.common.json {
        eprintln!("wrote {written} waiting retries; now dispatching over them");
    }

    let dispatcher = dispatch::start_dispatcher(db.store.clone(), dispatch::DEFAULT_CONCURRENCY)?;
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(dispatcher.clone().run(stopped, dispatch::GRACE));
    let ran_from = Instant::now();
    // The due deliveries take the contact numbers after the waiting ones.
    let due_range = args.deliveries..args.deliveries + args.due;
    let sent = bench
        .send_due(&due, due_range.clone(), || dispatcher.wake())
        .await;
    let at_least = ran_from + Duration::from_secs(args.seconds);
    tokio::time::sleep_until(at_least.min(deadline).into()).await;
    let _ = stop.send(true);
    let _ = running.await;
    let ran_for = ran_from.elapsed();
    let (due_done, due_elapsed) = sent?;

    let waiting_left = workload.stats(&db.store, &waiting).await?.pending as u64;
    let seen = Seen::of(&receiver, &workload, &due_range);
    let figures = BacklogFigures {
        deliveries: written,
        inserted_per_sec,
        waiting: waiting_left,
        sent_early: seen.early,
        due: seen.distinct,
        due_per_sec: report::per_sec(seen.distinct, due_elapsed),
        peak_rss_mb: report::peak_rss_mb(),
        end_rss_mb: report::rss_mb(),
        lost: (args.deliveries - waiting_left) + (args.due - seen.distinct),
        duplicates: seen.total - seen.distinct,
    };
    Ok(BacklogReport {
        figures,
        setting: db.description.clone(),
        ran_for,
        complete: due_done && written == args.deliveries,
    })
}

struct Bench<'a> {
    db: &'a ScratchDb,
    workload: &'a Workload,
    batch: u64,
    deadline: Instant,
}

impl Bench<'_> {
    /// Writes contacts `range` at `step` in batches, due `ahead` from now;
    /// `after_batch` runs after each. Returns how many were written.
    async fn write(
        &self,
        step: &StepId,
        range: Range<u64>,
        ahead: chrono::Duration,
        after_batch: impl Fn(),
    ) -> Result<u64, CliError> {
        let mut next = range.start;
        while next < range.end && Instant::now() < self.deadline {
            let end = (next + self.batch).min(range.end);
            self.workload
                .enqueue(&self.db.store, step, next..end, Utc::now() + ahead)
                .await?;
            after_batch();
            next = end;
        }
        Ok(next - range.start)
    }

    /// Writes deliveries due now and waits until the store counts them all
    /// accepted. Returns whether it did in time, and how long it took.
    async fn send_due(
        &self,
        step: &StepId,
        range: Range<u64>,
        wake: impl Fn(),
    ) -> Result<(bool, Duration), CliError> {
        let started = Instant::now();
        let count = range.end - range.start;
        let written = self
            .write(step, range, chrono::Duration::zero(), wake)
            .await?;
        while written == count && Instant::now() < self.deadline {
            if self.workload.stats(&self.db.store, step).await?.accepted as u64 >= count {
                return Ok((true, started.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok((false, started.elapsed()))
    }
}

/// What the receiver saw.
struct Seen {
    /// Requests for the due deliveries.
    total: u64,
    /// Different due deliveries among them.
    distinct: u64,
    /// Requests for waiting retries, which must not be sent before their time.
    early: u64,
}

impl Seen {
    fn of(receiver: &Receiver, workload: &Workload, due: &Range<u64>) -> Seen {
        let (mut total, mut early, mut distinct) = (0, 0, HashSet::new());
        for r in receiver.received() {
            match workload.index_of(&r.event_id).map(|i| i as u64) {
                Some(i) if due.contains(&i) => {
                    total += 1;
                    distinct.insert(i);
                }
                Some(_) => early += 1,
                None => {}
            }
        }
        Seen {
            total,
            distinct: distinct.len() as u64,
            early,
        }
    }
}
