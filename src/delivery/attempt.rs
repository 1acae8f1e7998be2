//! One attempt of one delivery: wait for a send slot of its destination, send,
//! decide what comes next, and hand the record to the recorder.

use super::dispatcher::Inner;
use super::limits::ClaimSlot;
use super::schedule::{Next, RetrySchedule};
use super::targets::Target;
use crate::store::{AttemptRecord, ClaimedDelivery, Resolution};
use crate::webhook::sender::OutgoingRequest;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

pub(super) async fn send_one(
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
            headers: &target.headers,
            body: bytes::Bytes::from(delivery.body),
            webhook_id: delivery.event_id,
            timestamp: started.timestamp(),
            secret: target.secret.as_ref(),
        })
        .await;
    drop(sending);
    // The destination may be claimed for again while this attempt is recorded.
    let slot = slot.sent();
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
