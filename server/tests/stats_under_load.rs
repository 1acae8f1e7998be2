//! The four numbers under load: contacts keep arriving, the destination fails for
//! a while, the server is killed and restarted in the middle. The statistics never
//! break reached = accepted + pending + failed on the way, and at the end they match
//! the receiver's own count of distinct ids.

use chrono::Utc;
use hookflow::engine::event::ContactEvent;
use hookflow::model::{Email, ScenarioId, StepId};
use hookflow::store::{DatabaseUrl, NewAccount, StepStats, Store};
use hookflow::testkit::{Receiver, Recording, TestDb};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CONTACTS: usize = 300;

fn start(db: &DatabaseUrl) -> Child {
    let url = match db {
        DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(env!("CARGO_BIN_EXE_hookflow"))
        .arg("serve")
        .env("HOOKFLOW_DATABASE_URL", url)
        .env("HOOKFLOW_BIND", format!("127.0.0.1:{port}"))
        .env("HOOKFLOW_ALLOW_NETWORKS", "127.0.0.0/8")
        .env("HOOKFLOW_RETRY_SCHEDULE", "100ms")
        .env("HOOKFLOW_REQUEST_TIMEOUT_SECS", "1")
        .env("HOOKFLOW_LEASE_SECS", "9")
        .env("HOOKFLOW_POLL_INTERVAL_MS", "100")
        .env("HOOKFLOW_LOG", "warn")
        .env_remove("HOOKFLOW_ADMIN_EMAIL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn kill(child: &mut Child) {
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

async fn check(store: &Store, scenario: ScenarioId) -> StepStats {
    let s = store
        .step_stats(scenario, &StepId("hook".into()))
        .await
        .unwrap();
    assert_eq!(
        s.reached,
        s.accepted + s.pending + s.failed,
        "the equation broke: {s:?}"
    );
    s
}

async fn numbers_hold_under_load(db: &TestDb) {
    let receiver = Receiver::start(Recording::IdsOnly).await;
    receiver.set_status(503);
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
    let def = serde_json::json!({"name": "Load", "trigger": {"type": "form_submitted", "form_id": 1},
        "graph": {"start": "hook", "steps": [{"id": "hook", "type": "send_webhook", "next": null, "config": {
            "url": receiver.url("/in"), "fields": ["email"], "additional": [], "headers": []}}]}});
    let scenario = db
        .store
        .create_scenario(account, "Load", &def.to_string(), now)
        .await
        .unwrap()
        .id;
    db.store
        .set_scenario_status(account, scenario, "active", now)
        .await
        .unwrap();

    let mut server = start(&db.url);
    let mut restarted = false;
    for i in 0..CONTACTS {
        // Contacts arrive while everything runs.
        let email = Email::parse(&format!("load{i}@example.org")).unwrap();
        let contact = db
            .store
            .create_contact(account, &email, &Default::default(), Utc::now())
            .await
            .unwrap()
            .id;
        let mut tx = db.store.begin().await.unwrap();
        tx.append_event(
            account,
            contact,
            &ContactEvent::FormSubmitted { form_id: 1 },
            Utc::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        if i % 50 == 0 {
            check(&db.store, scenario).await;
        }
        if i == CONTACTS / 3 {
            receiver.set_status(200);
        }
        if i == CONTACTS / 2 && !restarted {
            kill(&mut server);
            check(&db.store, scenario).await;
            server = start(&db.url);
            restarted = true;
        }
    }
    let mut last = check(&db.store, scenario).await;
    for _ in 0..1200 {
        if last.accepted == CONTACTS as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = check(&db.store, scenario).await;
    }
    kill(&mut server);
    assert_eq!(
        last,
        StepStats {
            reached: CONTACTS as i64,
            accepted: CONTACTS as i64,
            pending: 0,
            failed: 0
        }
    );
    let distinct = receiver.id_counts().len();
    assert_eq!(
        distinct, CONTACTS,
        "the receiver's own count of distinct ids matches"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_numbers_hold_under_load_failures_and_a_restart() {
    let db = TestDb::sqlite().await;
    numbers_hold_under_load(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_numbers_hold_under_load_failures_and_a_restart() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    numbers_hold_under_load(&db).await;
    db.cleanup().await;
}
