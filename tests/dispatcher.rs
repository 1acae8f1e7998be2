//! The delivery core end to end: real store (SQLite file and PostgreSQL), real
//! HTTP receiver on loopback, real dispatcher, and a clock the test moves.

use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use hookflow::auth::random_base62;
use hookflow::clock::{Clock, ManualClock};
use hookflow::delivery::metrics::Pickup;
use hookflow::delivery::{Dispatcher, DispatcherConfig, RetrySchedule};
use hookflow::model::{AccountId, ContactId, DeliveryId, Email, ScenarioId, StepId};
use hookflow::store::{
    ClaimAsk, DeliveryState, Engine, FailureOutcome, LogQuery, Missed, NewAccount, NewDelivery,
    StepCounts, StepStats, Store, TargetId,
};
use hookflow::testkit::{Receiver, Recording, TestDb, eventually};
use hookflow::webhook::policy::DestinationPolicy;
use hookflow::webhook::sender::{Sender, SenderConfig};
use std::sync::Arc;
use std::time::Duration;

hookflow::on_both_engines!(multi_thread:
    a_contact_who_reaches_the_step_while_the_destination_is_down_is_pending_then_accepted,
    a_destination_down_for_the_whole_window_gets_a_last_attempt_at_the_deadline_and_fails_once,
    every_response_class_leaves_the_right_state,
    retry_after_inside_the_window_is_honoured,
    a_replayed_pass_is_counted_once,
    every_attempt_carries_the_same_id_and_a_signature_an_independent_verifier_accepts,
    a_hanging_destination_does_not_hold_up_the_others,
    leases_of_a_dead_dispatcher_are_taken_over_when_they_expire,
    a_stopping_dispatcher_gives_its_leases_back_due_at_once,
    two_dispatchers_share_the_work_and_send_nothing_twice,
    a_delivery_first_picked_up_after_its_window_fails_without_an_attempt,
    the_reports_follow_the_deliveries,
    the_delivery_log_pages_newest_first_with_each_filter,
    the_delivery_log_names_each_contact_by_email_until_the_contact_is_deleted,
    deliveries_written_while_it_runs_are_sent_once_whether_offered_or_claimed,
);

const SCENARIO: ScenarioId = ScenarioId(1);

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 28, 12, 0, 0).unwrap()
}

struct Harness {
    store: Store,
    clock: ManualClock,
    account: AccountId,
    next_contact: std::sync::atomic::AtomicI64,
}

impl Harness {
    async fn new(db: &TestDb) -> Harness {
        let email = Email::parse("owner@example.org").unwrap();
        let (account, _) = db
            .store
            .create_account(
                NewAccount {
                    name: "Acme",
                    admin_email: &email,
                    admin_password_hash: "h",
                },
                start_time(),
            )
            .await
            .unwrap();
        Harness {
            store: db.store.clone(),
            clock: ManualClock::new(start_time()),
            account,
            next_contact: std::sync::atomic::AtomicI64::new(1),
        }
    }

    fn dispatcher(
        &self,
        tweak: impl FnOnce(&mut DispatcherConfig, &mut SenderConfig),
    ) -> Dispatcher {
        let mut config = DispatcherConfig::default();
        let mut sender = SenderConfig {
            policy: DestinationPolicy::parse_allow_list("127.0.0.0/8").unwrap(),
            total_timeout: Duration::from_secs(5),
            ..SenderConfig::default()
        };
        tweak(&mut config, &mut sender);
        Dispatcher::new(
            self.store.clone(),
            Sender::new(sender).unwrap(),
            Arc::new(self.clock.clone()),
            config,
        )
    }

    async fn target(&self, url: &str, secret: Option<&str>) -> TargetId {
        let headers = vec![("Authorization".to_string(), "Bearer test-token".to_string())];
        self.store
            .target_for(self.account, url, &headers, secret, self.clock.now())
            .await
            .unwrap()
    }

    /// Contact `contact` reaching `step` now (first pass), with an empty body.
    fn pass<'a>(
        &self,
        step: &'a StepId,
        contact: ContactId,
        target: TargetId,
        event_id: &'a str,
    ) -> NewDelivery<'a> {
        let now = self.clock.now();
        NewDelivery {
            account: self.account,
            scenario: SCENARIO,
            step,
            contact,
            pass: 1,
            target,
            event_id,
            body: "{}",
            now,
            deadline: now + ChronoDuration::hours(12),
        }
    }

    /// `n` contacts reach `step`, each with a delivery to `target`.
    async fn reach(&self, step: &str, target: TargetId, n: usize) -> Vec<DeliveryId> {
        let now = self.clock.now();
        let step = StepId(step.to_string());
        let events: Vec<(i64, String, String)> = (0..n)
            .map(|_| {
                let contact = self.next_contact.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let event = format!("evt_{}", random_base62(24));
                let body = serde_json::json!({
                    "id": event, "event": "automation.webhook.send", "timestamp": now.to_rfc3339(),
                    "idClient": self.account.0, "data": {"type": "member", "id": contact, "email": format!("c{contact}@example.org")}
                })
                .to_string();
                (contact, event, body)
            })
            .collect();
        let batch: Vec<NewDelivery> = events
            .iter()
            .map(|(contact, event, body)| NewDelivery {
                account: self.account,
                scenario: SCENARIO,
                step: &step,
                contact: ContactId(*contact),
                pass: 1,
                target,
                event_id: event,
                body,
                now,
                deadline: now + ChronoDuration::hours(12),
            })
            .collect();
        self.store
            .record_webhook_passes(&batch)
            .await
            .unwrap()
            .into_iter()
            .map(Option::unwrap)
            .collect()
    }

    async fn stats(&self, step: &str) -> StepStats {
        let stats = self
            .store
            .step_stats(SCENARIO, &StepId(step.to_string()))
            .await
            .unwrap();
        assert_eq!(
            stats.reached,
            stats.accepted + stats.pending + stats.failed,
            "the equation holds: {stats:?}"
        );
        stats
    }

    /// Waits until `n` deliveries of `step` are accepted. A bound on waiting,
    /// not on speed: what is never picked up fails here.
    async fn wait_accepted(&self, step: &str, n: i64) {
        eventually(&format!("{step}: {n} accepted"), async || {
            self.stats(step).await.accepted >= n
        })
        .await;
    }

    /// Moves the clock to the next due delivery; false when nothing is pending.
    async fn advance_to_next_due(&self) -> bool {
        match self.store.next_due_at().await.unwrap() {
            Some(due) => {
                if due > self.clock.now() {
                    self.clock.set(due);
                }
                true
            }
            None => false,
        }
    }
}

fn stats(reached: i64, accepted: i64, pending: i64, failed: i64) -> StepStats {
    StepStats {
        reached,
        accepted,
        pending,
        failed,
    }
}

async fn a_contact_who_reaches_the_step_while_the_destination_is_down_is_pending_then_accepted(
    db: &TestDb,
) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(503);
    let target = h.target(&receiver.url("/hook"), None).await;
    let dispatcher = h.dispatcher(|_, _| {});
    let [id] = h.reach("webhook", target, 1).await[..] else {
        panic!()
    };
    assert_eq!(h.stats("webhook").await, stats(1, 0, 1, 0));

    dispatcher.run_until_idle().await.unwrap();
    assert_eq!(receiver.count(), 1);
    assert_eq!(
        h.stats("webhook").await,
        stats(1, 0, 1, 0),
        "a 503 leaves it pending"
    );
    // Nothing more happens before the next due time.
    dispatcher.run_until_idle().await.unwrap();
    assert_eq!(receiver.count(), 1);

    receiver.set_status(200);
    assert!(h.advance_to_next_due().await);
    assert!(
        h.clock.now() - start_time() <= ChronoDuration::seconds(6),
        "the first retry comes within seconds"
    );
    dispatcher.run_until_idle().await.unwrap();
    assert_eq!(receiver.count(), 2);
    assert_eq!(h.stats("webhook").await, stats(1, 1, 0, 0));
    assert_eq!(
        h.store.delivery_state(id).await.unwrap(),
        (DeliveryState::Accepted, 2)
    );
    let attempts = h.store.attempts_of(id).await.unwrap();
    assert_eq!(
        attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
        [Some(503), Some(200)]
    );
    assert_eq!(attempts[0].error_class.as_deref(), Some("http_status"));
    assert!(attempts[0].excerpt.contains("receiver answered 503"));
    assert_eq!(attempts[1].error_class, None);
    assert!(!h.advance_to_next_due().await, "nothing left to do");
}

async fn a_destination_down_for_the_whole_window_gets_a_last_attempt_at_the_deadline_and_fails_once(
    db: &TestDb,
) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(500);
    let target = h.target(&receiver.url("/hook"), None).await;
    let dispatcher = h.dispatcher(|_, _| {});
    let [id] = h.reach("webhook", target, 1).await[..] else {
        panic!()
    };
    let deadline = start_time() + ChronoDuration::hours(12);

    let mut rounds = 0;
    loop {
        dispatcher.run_until_idle().await.unwrap();
        if !h.advance_to_next_due().await {
            break;
        }
        rounds += 1;
        assert!(rounds < 100, "the schedule ends");
        assert!(
            h.clock.now() <= deadline,
            "no attempt is due after the deadline"
        );
    }
    let attempts = h.store.attempts_of(id).await.unwrap();
    let default_attempts = RetrySchedule::default();
    assert!(
        attempts.len() >= 10,
        "the 12 hours are used: {} attempts with {default_attempts}",
        attempts.len()
    );
    assert!(attempts.iter().all(|a| a.started_at <= deadline));
    assert_eq!(
        attempts.last().unwrap().started_at,
        deadline,
        "the last attempt is at the deadline"
    );
    assert!(
        attempts
            .windows(2)
            .all(|w| w[0].started_at < w[1].started_at)
    );
    assert_eq!(receiver.count() as usize, attempts.len());
    assert_eq!(
        h.store.delivery_state(id).await.unwrap(),
        (DeliveryState::Failed, attempts.len() as i64)
    );
    assert_eq!(h.stats("webhook").await, stats(1, 0, 0, 1));

    // Failed means never tried again, whatever happens later.
    receiver.set_status(200);
    h.clock.advance(ChronoDuration::days(3));
    dispatcher.run_until_idle().await.unwrap();
    assert_eq!(receiver.count() as usize, attempts.len());
    assert_eq!(h.stats("webhook").await, stats(1, 0, 0, 1));
}

async fn every_response_class_leaves_the_right_state(db: &TestDb) {
    let h = Harness::new(db).await;
    let dispatcher = h.dispatcher(|_, s| s.total_timeout = Duration::from_millis(300));
    let cases: [(u16, DeliveryState, &str); 9] = [
        (200, DeliveryState::Accepted, ""),
        (201, DeliveryState::Accepted, ""),
        (204, DeliveryState::Accepted, ""),
        (301, DeliveryState::Pending, "redirect_not_followed"),
        (302, DeliveryState::Pending, "redirect_not_followed"),
        (400, DeliveryState::Pending, "http_status"),
        (404, DeliveryState::Pending, "http_status"),
        (429, DeliveryState::Pending, "http_status"),
        (503, DeliveryState::Pending, "http_status"),
    ];
    let mut receivers = Vec::new();
    for (status, expected, class) in cases {
        let receiver = Receiver::start(Recording::Full).await;
        receiver.set_status(status);
        let step = format!("status-{status}");
        let ids = h
            .reach(&step, h.target(&receiver.url("/"), None).await, 1)
            .await;
        receivers.push((receiver, ids[0], expected, class, step));
    }
    // A destination that does not answer in time, and one that refuses connections.
    let hanging = Receiver::start(Recording::Full).await;
    hanging.hang();
    let timeout_id = h
        .reach("timeout", h.target(&hanging.url("/"), None).await, 1)
        .await[0];
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused_id = h
        .reach(
            "refused",
            h.target(&format!("http://127.0.0.1:{closed_port}/"), None)
                .await,
            1,
        )
        .await[0];
    // A private address the operator did not allow.
    let strict = h.dispatcher(|_, s| s.policy = DestinationPolicy::default());
    let blocked_receiver = Receiver::start(Recording::Full).await;
    let blocked_target = h.target(&blocked_receiver.url("/blocked"), None).await;

    dispatcher.run_until_idle().await.unwrap();
    hanging.release();
    for (receiver, id, expected, class, step) in &receivers {
        assert_eq!(receiver.count(), 1);
        assert_eq!(
            h.store.delivery_state(*id).await.unwrap().0,
            *expected,
            "{step}"
        );
        let attempt = &h.store.attempts_of(*id).await.unwrap()[0];
        assert_eq!(
            attempt.error_class.as_deref().unwrap_or(""),
            *class,
            "{step}"
        );
    }
    for (id, class) in [
        (timeout_id, "timed_out"),
        (refused_id, "connection_refused"),
    ] {
        assert_eq!(
            h.store.delivery_state(id).await.unwrap().0,
            DeliveryState::Pending
        );
        assert_eq!(
            h.store.attempts_of(id).await.unwrap()[0]
                .error_class
                .as_deref(),
            Some(class)
        );
    }
    let blocked_id = h.reach("blocked", blocked_target, 1).await[0];
    strict.run_until_idle().await.unwrap();
    assert_eq!(
        blocked_receiver.count(),
        0,
        "nothing reached the private address"
    );
    assert_eq!(
        h.store.attempts_of(blocked_id).await.unwrap()[0]
            .error_class
            .as_deref(),
        Some("address_not_allowed")
    );
}

async fn retry_after_inside_the_window_is_honoured(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(429);
    receiver.set_retry_after(Some("3600"));
    let dispatcher = h.dispatcher(|_, _| {});
    h.reach("webhook", h.target(&receiver.url("/"), None).await, 1)
        .await;
    dispatcher.run_until_idle().await.unwrap();
    assert_eq!(
        h.store.next_due_at().await.unwrap(),
        Some(start_time() + ChronoDuration::hours(1))
    );
    // Past the deadline it is ignored: the schedule goes on.
    receiver.set_retry_after(Some("86400"));
    h.advance_to_next_due().await;
    dispatcher.run_until_idle().await.unwrap();
    let due = h.store.next_due_at().await.unwrap().unwrap();
    assert!(due < start_time() + ChronoDuration::hours(12), "{due}");
}

async fn a_replayed_pass_is_counted_once(db: &TestDb) {
    let h = Harness::new(db).await;
    let target = h.target("http://127.0.0.1:9/", None).await;
    let step = StepId("webhook".into());
    let new = |event: &'static str| h.pass(&step, ContactId(7), target, event);
    assert!(
        h.store
            .record_webhook_pass(&new("evt_first"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        h.store
            .record_webhook_pass(&new("evt_again"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(h.stats("webhook").await, stats(1, 0, 1, 0));
    // A second pass (re-entry) is a new contact pass.
    let mut second = new("evt_second");
    second.pass = 2;
    assert!(
        h.store
            .record_webhook_pass(&second)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(h.stats("webhook").await, stats(2, 0, 2, 0));
}

async fn every_attempt_carries_the_same_id_and_a_signature_an_independent_verifier_accepts(
    db: &TestDb,
) {
    use base64::Engine;
    use hmac::Mac;
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(500);
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let dispatcher = h.dispatcher(|_, _| {});
    h.reach(
        "webhook",
        h.target(&receiver.url("/"), Some(secret)).await,
        1,
    )
    .await;
    for _ in 0..3 {
        dispatcher.run_until_idle().await.unwrap();
        h.advance_to_next_due().await;
    }
    receiver.set_status(200);
    dispatcher.run_until_idle().await.unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 4);
    let key = base64::engine::general_purpose::STANDARD
        .decode(&secret[6..])
        .unwrap();
    let first_id = received[0].event_id.clone();
    for r in &received {
        assert_eq!(r.event_id, first_id, "every retry sends the same id");
        let header = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body["id"],
            first_id.as_str(),
            "the body's id is the webhook-id"
        );
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(header("authorization"), "Bearer test-token");
        let ts = header("webhook-timestamp");
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{}.{}.", first_id, ts).as_bytes());
        mac.update(&r.body);
        let expected = format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        );
        assert_eq!(header("webhook-signature"), expected);
    }
    assert_eq!(h.stats("webhook").await, stats(1, 1, 0, 0));
}

async fn a_hanging_destination_does_not_hold_up_the_others(db: &TestDb) {
    let h = Harness::new(db).await;
    let slow = Receiver::start(Recording::Full).await;
    slow.hang();
    let fast = Receiver::start(Recording::Full).await;
    let dispatcher = h.dispatcher(|c, s| {
        c.global_concurrency = 8;
        c.per_destination = 2;
        c.queue_per_destination = 2;
        s.total_timeout = Duration::from_secs(60);
    });
    h.reach("slow", h.target(&slow.url("/"), None).await, 10)
        .await;
    h.reach("fast", h.target(&fast.url("/"), None).await, 40)
        .await;
    // Everything is due, while the slow destination holds its requests open.
    // (The clock moves so that work given back as busy comes due again.)
    for _ in 0..1000 {
        dispatcher.dispatch_due().await.unwrap();
        h.clock.advance(ChronoDuration::seconds(1));
        if h.stats("fast").await.accepted == 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        h.stats("fast").await,
        stats(40, 40, 0, 0),
        "the fast destination got everything"
    );
    assert_eq!(
        slow.count(),
        2,
        "the slow destination holds only its own two send slots"
    );
    assert_eq!(h.stats("slow").await.pending, 10);
    slow.release();
    dispatcher.wait_idle().await;
    for _ in 0..10 {
        h.clock.advance(ChronoDuration::seconds(1));
        dispatcher.run_until_idle().await.unwrap();
    }
    assert_eq!(h.stats("slow").await, stats(10, 10, 0, 0));
    assert!(fast.id_counts().values().all(|&n| n == 1));
    assert!(slow.id_counts().values().all(|&n| n == 1));
}

async fn leases_of_a_dead_dispatcher_are_taken_over_when_they_expire(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    h.reach("webhook", h.target(&receiver.url("/"), None).await, 25)
        .await;
    // A process claims everything and dies before sending.
    let now = h.clock.now();
    let claimed = h
        .store
        .claim_due(
            "dead-process",
            now,
            now + ChronoDuration::seconds(60),
            100,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 25);
    // Leased work is due again exactly when the lease runs out, and is not
    // waiting meanwhile.
    assert_eq!(
        h.store.next_due_at().await.unwrap(),
        Some(now + ChronoDuration::seconds(60))
    );
    assert_eq!(h.store.oldest_due_at(now).await.unwrap(), None);
    let survivor = h.dispatcher(|_, _| {});
    survivor.run_until_idle().await.unwrap();
    assert_eq!(
        receiver.count(),
        0,
        "leased work is not touched before the lease ends"
    );
    h.clock.advance(ChronoDuration::seconds(60));
    survivor.run_until_idle().await.unwrap();
    assert_eq!(receiver.count(), 25);
    assert!(receiver.id_counts().values().all(|&n| n == 1));
    assert_eq!(h.stats("webhook").await, stats(25, 25, 0, 0));
}

async fn a_stopping_dispatcher_gives_its_leases_back_due_at_once(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.hang();
    let ids = h
        .reach("webhook", h.target(&receiver.url("/"), None).await, 5)
        .await;
    // At most 2 sends at once: 2 hang, 3 wait for a send slot, all 5 leased.
    let dispatcher = h.dispatcher(|c, _| {
        c.per_destination = 2;
        c.poll_interval = Duration::from_millis(20);
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(dispatcher.clone().run(stopped, Duration::ZERO));
    // The claim returns all 5 before the first is spawned, but a send can
    // reach the receiver before the dispatcher has counted the last ones in
    // flight: wait for both.
    eventually("2 sends hanging and 5 in flight", async || {
        receiver.count() >= 2 && dispatcher.in_flight() >= 5
    })
    .await;
    assert_eq!(dispatcher.in_flight(), 5);
    assert_eq!(receiver.count(), 2, "at most 2 sends at once");
    h.clock.advance(ChronoDuration::seconds(7));
    stop.send(true).unwrap();
    running.await.unwrap();
    // Every lease is given back due now, not when it would have run out. (The
    // two hanging sends may still be answered: sent again, they carry the same id.)
    let now = h.clock.now();
    assert_eq!(h.store.next_due_at().await.unwrap(), Some(now));
    assert_eq!(h.store.oldest_due_at(now).await.unwrap(), Some(now));
    // The stopped dispatcher's sends finish (its process would have exited);
    // whatever they did not settle, the next dispatcher does.
    receiver.release();
    dispatcher.wait_idle().await;
    let after = h.dispatcher(|_, _| {});
    after.run_until_idle().await.unwrap();
    for id in ids {
        assert_eq!(
            h.store.delivery_state(id).await.unwrap().0,
            DeliveryState::Accepted
        );
    }
    assert_eq!(h.stats("webhook").await, stats(5, 5, 0, 0));
}

async fn two_dispatchers_share_the_work_and_send_nothing_twice(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    h.reach("webhook", h.target(&receiver.url("/"), None).await, 400)
        .await;
    let small = |c: &mut DispatcherConfig, _: &mut SenderConfig| c.batch_size = 16;
    let (a, b) = (h.dispatcher(small), h.dispatcher(small));
    let (ra, rb) = tokio::join!(a.run_until_idle(), b.run_until_idle());
    ra.unwrap();
    rb.unwrap();
    let counts = receiver.id_counts();
    assert_eq!(counts.len(), 400);
    assert!(counts.values().all(|&n| n == 1), "nothing sent twice");
    assert_eq!(h.stats("webhook").await, stats(400, 400, 0, 0));
}

async fn a_delivery_first_picked_up_after_its_window_fails_without_an_attempt(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    let [id] = h
        .reach("webhook", h.target(&receiver.url("/"), None).await, 1)
        .await[..]
    else {
        panic!()
    };
    // The service was down for the whole window.
    h.clock.advance(ChronoDuration::hours(13));
    h.dispatcher(|_, _| {}).run_until_idle().await.unwrap();
    assert_eq!(receiver.count(), 0);
    assert_eq!(
        h.store.delivery_state(id).await.unwrap(),
        (DeliveryState::Failed, 0)
    );
    assert_eq!(h.stats("webhook").await, stats(1, 0, 0, 1));
}

/// The statistics pages' reports: counts by step, the failing destinations, and
/// the timeline whose last point agrees with the step's numbers.
async fn the_reports_follow_the_deliveries(db: &TestDb) {
    let h = Harness::new(db).await;
    // The account-wide counts read the account's scenarios.
    let scenario = h
        .store
        .create_scenario(h.account, "Reports", "{}", h.clock.now())
        .await
        .unwrap();
    assert_eq!(scenario.id, SCENARIO, "the deliveries below belong to it");
    let up = Receiver::start(Recording::IdsOnly).await;
    let down = Receiver::start(Recording::IdsOnly).await;
    down.set_status(503);
    let down_url = down.url("/hook");
    h.reach("ok", h.target(&up.url("/hook"), None).await, 2)
        .await;
    h.clock.advance(ChronoDuration::minutes(30));
    let down_ids = h.reach("down", h.target(&down_url, None).await, 3).await;
    let dispatcher = h.dispatcher(|_, _| {});
    dispatcher.run_until_idle().await.unwrap();

    let counts = |step: &str, accepted, pending, failed| StepCounts {
        scenario_id: SCENARIO,
        step_id: StepId(step.to_string()),
        accepted,
        pending,
        failed,
    };
    assert_eq!(
        h.store.webhook_step_counts(h.account).await.unwrap(),
        [counts("down", 0, 3, 0), counts("ok", 2, 0, 0)]
    );
    let failing = h.store.failing_destinations(h.account).await.unwrap();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0].url, down_url);
    assert_eq!(failing[0].retrying, 3);
    assert_eq!(failing[0].outcomes, [(FailureOutcome::Status(503), 3)]);
    assert_eq!(failing[0].since, start_time() + ChronoDuration::minutes(30));

    // Another account sees none of it.
    let other = Email::parse("other@example.org").unwrap();
    let (other, _) = h
        .store
        .create_account(
            NewAccount {
                name: "Other",
                admin_email: &other,
                admin_password_hash: "h",
            },
            start_time(),
        )
        .await
        .unwrap();
    assert!(h.store.webhook_step_counts(other).await.unwrap().is_empty());
    assert!(
        h.store
            .failing_destinations(other)
            .await
            .unwrap()
            .is_empty()
    );

    // One is cancelled: the timeline's last point is the step's numbers now.
    h.clock.advance(ChronoDuration::minutes(5));
    h.store
        .cancel_delivery(h.account, down_ids[0], "tester", "replaced", h.clock.now())
        .await
        .unwrap()
        .unwrap();
    let now = h.clock.now();
    let step = StepId("down".to_string());
    let timeline = h
        .store
        .step_timeline(h.account, SCENARIO, &step, now, 4)
        .await
        .unwrap();
    assert_eq!(timeline.len(), 4);
    let last = timeline.last().unwrap();
    assert_eq!(last.at, now);
    assert_eq!((last.accepted, last.pending, last.failed), (0, 2, 1));
    let numbers = h.stats("down").await;
    assert_eq!(
        (numbers.accepted, numbers.pending, numbers.failed),
        (0, 2, 1)
    );
    assert!(timeline.windows(2).all(|w| w[0].at < w[1].at));

    // The accepted step: nothing accepted before its deliveries existed.
    let timeline = h
        .store
        .step_timeline(h.account, SCENARIO, &StepId("ok".to_string()), now, 3)
        .await
        .unwrap();
    assert_eq!(timeline.last().map(|p| p.accepted), Some(2));
    assert!(
        timeline
            .iter()
            .all(|p| p.accepted + p.pending + p.failed == 2)
    );
    assert!(
        h.store
            .step_timeline(h.account, SCENARIO, &StepId("none".to_string()), now, 3)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The log's keyset paging: newest first, `before` an id, with and without a
/// state; every delivery once, in order, across the pages.
async fn the_delivery_log_pages_newest_first_with_each_filter(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::IdsOnly).await;
    let target = h.target(&receiver.url("/hook"), None).await;
    let mut ids = h.reach("log", target, 7).await;
    h.reach("other", target, 3).await;
    for id in [ids[1], ids[4], ids[5]] {
        h.store
            .cancel_delivery(h.account, id, "tester", "test", h.clock.now())
            .await
            .unwrap()
            .unwrap();
    }
    ids.sort_by(|a, b| b.cmp(a));
    let step = StepId("log".to_string());
    let page = |state: Option<DeliveryState>, before: Option<i64>| {
        let step = step.clone();
        let store = h.store.clone();
        let account = h.account;
        async move {
            store
                .step_deliveries(
                    account,
                    SCENARIO,
                    &step,
                    LogQuery {
                        before,
                        state,
                        ..LogQuery::newest(2)
                    },
                )
                .await
                .unwrap()
                .into_iter()
                .map(|r| (r.id, r.state))
                .collect::<Vec<_>>()
        }
    };
    // All states: pages of two until a short page.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let rows = page(None, before).await;
        seen.extend(rows.iter().map(|(id, _)| *id));
        if rows.len() < 2 {
            break;
        }
        before = rows.last().map(|(id, _)| id.0);
    }
    assert_eq!(seen, ids, "every delivery of the step once, newest first");
    // Failed only, from the newest, then past the newest failed one.
    let failed = page(Some(DeliveryState::Failed), None).await;
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|(_, s)| *s == DeliveryState::Failed));
    let rest = page(Some(DeliveryState::Failed), Some(failed[1].0.0)).await;
    assert_eq!(rest.len(), 1);
    assert!(rest[0].0 < failed[1].0);
    let pending = page(Some(DeliveryState::Pending), Some(i64::MAX)).await;
    assert!(pending.iter().all(|(_, s)| *s == DeliveryState::Pending));
    assert!(page(Some(DeliveryState::Accepted), None).await.is_empty());
}

async fn the_delivery_log_names_each_contact_by_email_until_the_contact_is_deleted(db: &TestDb) {
    let h = Harness::new(db).await;
    let target = h.target("http://127.0.0.1:9/", None).await;
    let now = h.clock.now();
    let mut contacts = Vec::new();
    for email in ["ada@example.org", "grace@example.org"] {
        let contact = h
            .store
            .create_contact(
                h.account,
                &Email::parse(email).unwrap(),
                &Default::default(),
                now,
            )
            .await
            .unwrap();
        contacts.push(contact.id);
    }
    let step = StepId("webhook".into());
    let events = ["evt_ada", "evt_grace"];
    let batch: Vec<NewDelivery> = contacts
        .iter()
        .zip(events)
        .map(|(contact, event)| h.pass(&step, *contact, target, event))
        .collect();
    h.store.record_webhook_passes(&batch).await.unwrap();
    let emails = |rows: Vec<hookflow::store::DeliveryRow>| -> Vec<Option<String>> {
        rows.into_iter().map(|r| r.contact_email).collect()
    };
    let page = h
        .store
        .step_deliveries(h.account, SCENARIO, &step, LogQuery::newest(10))
        .await
        .unwrap();
    assert_eq!(
        emails(page),
        [
            Some("grace@example.org".to_string()),
            Some("ada@example.org".to_string())
        ]
    );
    h.store
        .delete_contact(h.account, contacts[1])
        .await
        .unwrap();
    let page = h
        .store
        .step_deliveries(h.account, SCENARIO, &step, LogQuery::newest(10))
        .await
        .unwrap();
    assert_eq!(emails(page), [None, Some("ada@example.org".to_string())]);
    let ada = h
        .store
        .step_deliveries(
            h.account,
            SCENARIO,
            &step,
            LogQuery {
                email: Some("ada@example.org"),
                ..LogQuery::newest(10)
            },
        )
        .await
        .unwrap();
    let detail = h
        .store
        .delivery_detail(h.account, ada[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        detail.delivery.contact_email.as_deref(),
        Some("ada@example.org")
    );
}

/// Deliveries written while the dispatcher runs. On SQLite it takes them from
/// memory as they are offered, without a claim (the poll interval is an
/// hour: only the wake-ups after each write move it); what does not fit in
/// its offers (here a budget of a few) is claimed instead, the offers saying
/// it missed some. On PostgreSQL every one is claimed. Those written before
/// it started are claimed, by its first look. Each is sent once.
async fn deliveries_written_while_it_runs_are_sent_once_whether_offered_or_claimed(db: &TestDb) {
    let h = Harness::new(db).await;
    let receiver = Receiver::start(Recording::Full).await;
    let target = h.target(&receiver.url("/"), None).await;
    let sqlite = h.store.engine() == Engine::Sqlite;
    let mut sent = 0;
    for (step, budget) in [("roomy", 16 << 20), ("tight", 1_000)] {
        h.reach(step, target, 30).await;
        let dispatcher = h.dispatcher(|c, _| {
            c.poll_interval = Duration::from_secs(3600);
            c.offer_budget = budget;
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(dispatcher.clone().run(stopped, Duration::from_secs(5)));
        // Its first look found those: from here on, new work is offered.
        h.wait_accepted(step, 30).await;
        assert_eq!(dispatcher.takes_offers(), sqlite);
        for _ in 0..5 {
            h.reach(step, target, 30).await;
            dispatcher.wake();
        }
        h.wait_accepted(step, 180).await;
        stop.send(true).unwrap();
        running.await.unwrap();
        assert!(
            !dispatcher.takes_offers(),
            "stopped, it takes no more offers"
        );
        sent += 180;
        let counts = receiver.id_counts();
        assert_eq!(counts.len(), sent);
        assert!(counts.values().all(|&n| n == 1), "nothing sent twice");
        assert_eq!(h.stats(step).await, stats(180, 180, 0, 0));
        let metrics = dispatcher.metrics();
        let (offered, claimed) = (
            metrics.pickups(Pickup::Offered),
            metrics.pickups(Pickup::Claimed),
        );
        assert_eq!(offered + claimed, 180, "{step}: each picked up once");
        match (sqlite, step) {
            (true, "roomy") => assert_eq!(
                (offered, claimed),
                (150, 30),
                "every one written while it ran taken from its offer"
            ),
            (true, _) => assert!(
                offered > 0 && claimed > 30,
                "some offered, the rest claimed: {offered} and {claimed}"
            ),
            (false, _) => assert_eq!(offered, 0, "PostgreSQL claims"),
        }
    }
}

/// On SQLite, new deliveries that find the offers full are told as missed
/// with their target. A target the dispatcher knows gets a narrow claim after
/// the offers, for the room they leave; one it has not seen yet, a wide one.
/// Either way each is sent once, long before the poll interval (an hour).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_that_find_the_offers_full_are_claimed_for_known_and_new_targets() {
    let db = TestDb::sqlite().await;
    let h = Harness::new(&db).await;
    let receiver = Receiver::start(Recording::IdsOnly).await;
    let (known, new) = (
        h.target(&receiver.url("/known"), None).await,
        h.target(&receiver.url("/new"), None).await,
    );
    let dispatcher = h.dispatcher(|c, _| {
        c.poll_interval = Duration::from_secs(3600);
        c.offer_budget = 0;
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(dispatcher.clone().run(stopped, Duration::from_secs(5)));
    // Its first look (wide) found nothing; from here on it is only woken.
    while !dispatcher.takes_offers() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    for (step, target, total) in [("a", known, 5), ("a", known, 10), ("b", new, 5)] {
        h.reach(step, target, 5).await;
        dispatcher.wake();
        h.wait_accepted(step, total).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap();
    let counts = receiver.id_counts();
    assert_eq!(counts.len(), 15);
    assert!(counts.values().all(|&n| n == 1), "nothing sent twice");
    let metrics = dispatcher.metrics();
    assert_eq!(
        (
            metrics.pickups(Pickup::Offered),
            metrics.pickups(Pickup::Claimed)
        ),
        (0, 15),
        "nothing fits in offers of 0 bytes"
    );
    db.cleanup().await;
}

/// On SQLite a new delivery is offered as its transaction writes it: it can be
/// taken once that transaction commits, and never by a claim as well; it is
/// withdrawn when the transaction rolls back or the delivery is cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_follows_its_transaction_and_is_taken_or_claimed_once() {
    let db = TestDb::sqlite().await;
    let h = Harness::new(&db).await;
    let store = &h.store;
    let target = h.target("http://127.0.0.1:9/", None).await;
    let (now, step) = (h.clock.now(), StepId("webhook".into()));
    let lease = now + ChronoDuration::seconds(60);
    let ask = ClaimAsk {
        owner: "me",
        now,
        lease_until: lease,
        limit: 100,
        listed: &[],
        others: Some(100),
    };
    let take = || store.take_offered(&ask);
    let claim = || store.claim_due("other", now, lease, 100, &[]);
    assert!(store.open_offers("me", 1 << 20).unwrap());
    assert!(
        !store.open_offers("you", 1 << 20).unwrap(),
        "one dispatcher of the process takes them"
    );

    // The engine's way: one transaction with the rest of the contact's step.
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .insert_delivery(&h.pass(&step, ContactId(1001), target, "evt_a"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        take().await.is_empty(),
        "not before its transaction commits"
    );
    tx.commit().await.unwrap();
    assert!(
        claim().await.unwrap().is_empty(),
        "offered, it is not claimed"
    );
    let taken = take().await;
    assert_eq!(taken.iter().map(|d| d.id).collect::<Vec<_>>(), [id]);
    assert_eq!(
        (taken[0].event_id.as_str(), taken[0].body.as_str()),
        ("evt_a", "{}")
    );
    assert!(take().await.is_empty(), "taken once");
    assert!(claim().await.unwrap().is_empty(), "taken, it is leased");

    // Rolled back: nothing to take, nothing to claim.
    let mut tx = store.begin().await.unwrap();
    tx.insert_delivery(&h.pass(&step, ContactId(1002), target, "evt_b"))
        .await
        .unwrap();
    drop(tx);
    assert!(take().await.is_empty());
    assert!(claim().await.unwrap().is_empty());

    // Cancelled before it was taken: never sent.
    let cancelled = h.reach("webhook", target, 1).await[0];
    store
        .cancel_delivery(h.account, cancelled, "test", "changed my mind", now)
        .await
        .unwrap()
        .unwrap();
    assert!(take().await.is_empty());
    assert!(claim().await.unwrap().is_empty());
    // (Withdrawn before the cancel committed, it is looked for once more, in
    // case the cancel had not.)
    assert_eq!(store.offers_missed(), Missed::of([target]));

    // Beyond the budget: the rest is claimed, and the offers say so.
    store.close_offers("me");
    assert!(store.open_offers("me", 1_000).unwrap());
    let mut written = h.reach("webhook", target, 6).await;
    assert_eq!(store.offers_missed(), Missed::of([target]), "of its target");
    assert!(store.offers_missed().is_empty(), "said once");
    let claimed = claim().await.unwrap();
    let taken = take().await;
    assert!(!claimed.is_empty() && !taken.is_empty());
    let mut picked: Vec<DeliveryId> = claimed.iter().chain(&taken).map(|d| d.id).collect();
    picked.sort();
    written.sort();
    assert_eq!(picked, written, "each once, by a claim or from its offer");

    // One that finds no room is told as missed once it committed, not before:
    // a dispatcher that looked in between would not have found it.
    store.close_offers("me");
    assert!(store.open_offers("me", 0).unwrap());
    let mut tx = store.begin().await.unwrap();
    tx.insert_delivery(&h.pass(&step, ContactId(1003), target, "evt_d"))
        .await
        .unwrap();
    assert!(store.offers_missed().is_empty(), "not before the commit");
    tx.commit().await.unwrap();
    assert_eq!(store.offers_missed(), Missed::of([target]));
    assert_eq!(claim().await.unwrap().len(), 1);

    // A delivery written while nobody takes offers, committed once somebody
    // does: missed, so the dispatcher looks for it.
    store.close_offers("me");
    let mut tx = store.begin().await.unwrap();
    tx.insert_delivery(&h.pass(&step, ContactId(1099), target, "evt_c"))
        .await
        .unwrap();
    assert!(store.open_offers("me", 1 << 20).unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store.offers_missed(), Missed::of([target]));
    assert_eq!(claim().await.unwrap().len(), 1);
    store.close_offers("me");
    db.cleanup().await;
}
