//! Durability by killing the process: a `hookflow serve` killed with SIGKILL in
//! the middle of a batch loses nothing, and the counts stay exact.

use chrono::{Duration as ChronoDuration, Utc};
use hookflow::delivery::QUEUE_PER_SEND_SLOT;
use hookflow::model::{AccountId, ContactId, Email, ScenarioId, StepId};
use hookflow::store::{DatabaseUrl, NewAccount, NewDelivery, StepStats, Store};
use hookflow::testkit::{Receiver, Recording, TestDb, eventually};
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};

/// Requests in flight at once to the receiver, for the servers under test.
const DESTINATION_CONCURRENCY: usize = 16;
/// Deliveries a server under test holds at once: claimed, sending, or sent
/// and not yet recorded. Room for two destinations' queues.
const DISPATCH_CONCURRENCY: usize = 2 * DESTINATION_CONCURRENCY * (1 + QUEUE_PER_SEND_SLOT);

const N: usize = 3000;
/// Contacts in the engine crash test (each goes through a wait and a webhook step).
const ENGINE_N: usize = 1200;

fn url_string(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

fn start_server(db: &DatabaseUrl) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(env!("CARGO_BIN_EXE_hookflow"))
        .arg("serve")
        .env("HOOKFLOW_DATABASE_URL", url_string(db))
        .env("HOOKFLOW_BIND", format!("127.0.0.1:{port}"))
        .env("HOOKFLOW_ALLOW_NETWORKS", "127.0.0.0/8")
        .env("HOOKFLOW_REQUEST_TIMEOUT_SECS", "1")
        // The shortest lease the server accepts with 1 s requests (it must
        // outlast a full queue), so the survivor takes over soon after the kill.
        .env("HOOKFLOW_LEASE_SECS", "9")
        .env("HOOKFLOW_POLL_INTERVAL_MS", "200")
        .env(
            "HOOKFLOW_DESTINATION_CONCURRENCY",
            DESTINATION_CONCURRENCY.to_string(),
        )
        .env(
            "HOOKFLOW_DISPATCH_CONCURRENCY",
            DISPATCH_CONCURRENCY.to_string(),
        )
        .env("HOOKFLOW_LOG", "warn")
        .env_remove("HOOKFLOW_ADMIN_EMAIL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn kill_hard(child: &mut Child) {
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

async fn enqueue(store: &Store, receiver: &Receiver) -> HashSet<String> {
    let now = Utc::now();
    let admin = Email::parse("owner@example.org").unwrap();
    let (account, _): (AccountId, _) = store
        .create_account(
            NewAccount {
                name: "Acme",
                admin_email: &admin,
                admin_password_hash: "h",
            },
            now,
        )
        .await
        .unwrap();
    let target = store
        .target_for(account, &receiver.url("/hook"), &[], None, now)
        .await
        .unwrap();
    let step = StepId("webhook".into());
    let events: Vec<(String, String)> = (0..N)
        .map(|i| {
            let id = format!("evt_crash{:020}", i);
            let body =
                serde_json::json!({"id": id, "data": {"type": "member", "id": i}}).to_string();
            (id, body)
        })
        .collect();
    for (chunk_no, chunk) in events.chunks(500).enumerate() {
        let batch: Vec<NewDelivery> = chunk
            .iter()
            .enumerate()
            .map(|(i, (id, body))| NewDelivery {
                account,
                scenario: ScenarioId(1),
                step: &step,
                contact: ContactId((chunk_no * 500 + i) as i64),
                pass: 1,
                target,
                event_id: id,
                body,
                now,
                deadline: now + ChronoDuration::hours(12),
            })
            .collect();
        store.record_webhook_passes(&batch).await.unwrap();
    }
    events.into_iter().map(|(id, _)| id).collect()
}

async fn stats(store: &Store) -> StepStats {
    let s = store
        .step_stats(ScenarioId(1), &StepId("webhook".into()))
        .await
        .unwrap();
    assert_eq!(
        s.reached,
        s.accepted + s.pending + s.failed,
        "the equation holds at every moment: {s:?}"
    );
    s
}

async fn killed_mid_batch_then_finished(db: &TestDb, restart_same: bool) {
    let receiver = Receiver::start(Recording::Full).await;
    let ours = enqueue(&db.store, &receiver).await;
    let mut first = start_server(&db.url);
    // A survivor sharing the database (PostgreSQL scale-out), or a restart.
    let mut second = (!restart_same).then(|| start_server(&db.url));
    eventually("the first requests arrive", async || {
        receiver.count() >= 300
    })
    .await;
    kill_hard(&mut first);
    let at_kill = stats(&db.store).await;
    assert!(
        at_kill.pending > 0,
        "killed in the middle, not after the end: {at_kill:?}"
    );
    if restart_same {
        second = Some(start_server(&db.url));
    }
    eventually("every delivery is accepted", async || {
        stats(&db.store).await.accepted == N as i64
    })
    .await;
    assert_eq!(
        stats(&db.store).await,
        StepStats {
            reached: N as i64,
            accepted: N as i64,
            pending: 0,
            failed: 0
        }
    );
    let counts = receiver.id_counts();
    let received: HashSet<String> = counts.keys().cloned().collect();
    assert_eq!(received, ours, "every delivery arrived, and nothing else");
    // Only work claimed and not yet recorded at the kill may arrive twice (with
    // its same id): at most what the killed process held. A delivery frees its
    // destination's place when its send ends but keeps its global slot until
    // its attempt is recorded, so that bound is the global cap.
    let most = DISPATCH_CONCURRENCY;
    let repeated = counts.values().filter(|&&n| n > 1).count();
    assert!(
        repeated <= most,
        "{repeated} deliveries repeated, more than the {most} the killed process could hold"
    );
    kill_hard(second.as_mut().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_server_killed_mid_batch_and_restarted_loses_nothing() {
    let db = TestDb::sqlite().await;
    killed_mid_batch_then_finished(&db, true).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_killed_instance_s_deliveries_are_taken_over_by_another() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    killed_mid_batch_then_finished(&db, false).await;
    db.cleanup().await;
}

/// The engine's side: contacts enrolled by events, each journey's webhook step
/// written in the transaction that moves it on. Killed mid-way and restarted,
/// every contact is delivered once per pass and counted once.
async fn engine_killed_mid_batch_then_finished(db: &TestDb) {
    use hookflow::engine::event::ContactEvent;
    let receiver = Receiver::start(Recording::Full).await;
    let now = Utc::now();
    let admin = Email::parse("owner@example.org").unwrap();
    let (account, _) = db
        .store
        .create_account(
            NewAccount {
                name: "Acme",
                admin_email: &admin,
                admin_password_hash: "h",
            },
            now,
        )
        .await
        .unwrap();
    let definition = serde_json::json!({"name": "Crash", "trigger": {"type": "form_submitted", "form_id": 1},
        "graph": {"start": "wait", "steps": [
            {"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 1}, "next": "hook"},
            {"id": "hook", "type": "send_webhook", "next": null, "config": {"url": receiver.url("/in"),
                "fields": ["email"], "additional": [], "headers": []}}]}});
    let scenario = db
        .store
        .create_scenario(account, "Crash", &definition.to_string(), now)
        .await
        .unwrap();
    db.store
        .set_scenario_status(account, scenario.id, "active", now)
        .await
        .unwrap();
    let mut contacts = Vec::with_capacity(ENGINE_N);
    for i in 0..ENGINE_N {
        let email = Email::parse(&format!("c{i}@example.org")).unwrap();
        contacts.push(
            db.store
                .create_contact(account, &email, &Default::default(), now)
                .await
                .unwrap()
                .id,
        );
    }
    for chunk in contacts.chunks(500) {
        let mut tx = db.store.begin().await.unwrap();
        for contact in chunk {
            tx.append_event(
                account,
                *contact,
                &ContactEvent::FormSubmitted { form_id: 1 },
                now,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let hook = StepId("hook".into());
    let stats = async || db.store.step_stats(scenario.id, &hook).await.unwrap();
    let mut first = start_server(&db.url);
    eventually("the first webhooks arrive", async || {
        receiver.count() >= 300
    })
    .await;
    kill_hard(&mut first);
    let at_kill = stats().await;
    assert!(
        at_kill.accepted < ENGINE_N as i64,
        "killed in the middle: {at_kill:?}"
    );
    let mut second = start_server(&db.url);
    eventually("every contact is delivered", async || {
        stats().await.accepted == ENGINE_N as i64
    })
    .await;
    let done = stats().await;
    assert_eq!(
        done,
        StepStats {
            reached: ENGINE_N as i64,
            accepted: ENGINE_N as i64,
            pending: 0,
            failed: 0
        }
    );
    let counts = receiver.id_counts();
    assert_eq!(counts.len(), ENGINE_N, "one delivery (one id) per contact");
    let contacts: HashSet<i64> = receiver
        .received()
        .iter()
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["data"]["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(contacts.len(), ENGINE_N, "every contact arrived");
    kill_hard(&mut second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_engine_killed_between_steps_loses_and_doubles_nothing() {
    let db = TestDb::sqlite().await;
    engine_killed_mid_batch_then_finished(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_engine_killed_between_steps_loses_and_doubles_nothing() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    engine_killed_mid_batch_then_finished(&db).await;
    db.cleanup().await;
}
