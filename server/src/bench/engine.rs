//! `hookflow bench engine`: the whole way through the real server on a scratch
//! database. Contacts are bulk-upserted and events posted through the REST API
//! (HTTP on loopback, as an integration would), then every contact goes through
//! a three-step scenario (trigger → wait 0 → Send a Webhook) to a local receiver.

use super::report::{Output, peak_rss_mb, per_sec, round};
use super::scratch::ScratchDb;
use crate::config::ServeArgs;
use crate::error::CliError;
use crate::startup::Application;
use chrono::Utc;
use hookflow::auth::new_token;
use hookflow::model::{Email, ScenarioId, StepId};
use hookflow::store::{NewAccount, Store};
use hookflow::testkit::{Receiver, Recording};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// Contacts to create and send through the scenario.
    #[arg(long, default_value_t = 100_000)]
    pub contacts: u64,
    /// API requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Database connections of the server.
    #[arg(long, default_value_t = 16)]
    pub connections: u32,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 1200)]
    pub timeout_secs: u64,
    /// One JSON object instead of a report.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct EngineReport {
    pub database: String,
    pub contacts: u64,
    pub contacts_upserted_per_sec: f64,
    pub events_ingested_per_sec: f64,
    pub contacts_through_scenario_per_sec: f64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicates: u64,
    pub peak_rss_mb: f64,
}

impl EngineReport {
    pub fn print(&self, output: Output) {
        match output {
            Output::Json => println!(
                "{}",
                serde_json::to_string(self).expect("report serialises")
            ),
            Output::Human => {
                println!(
                    "hookflow bench engine — {} contacts on {}",
                    self.contacts, self.database
                );
                println!(
                    "  contacts upserted through the API   {:>10.0} /s",
                    self.contacts_upserted_per_sec
                );
                println!(
                    "  events ingested through the API     {:>10.0} /s",
                    self.events_ingested_per_sec
                );
                println!(
                    "  contacts through the scenario       {:>10.0} /s (trigger → wait 0 → webhook, accepted)",
                    self.contacts_through_scenario_per_sec
                );
                println!(
                    "  delivered {} · lost {} · duplicated {} · peak RSS {:.0} MB",
                    self.delivered, self.lost, self.duplicates, self.peak_rss_mb
                );
            }
        }
    }

    pub fn verdict(&self) -> Result<(), CliError> {
        if self.lost > 0 {
            return Err(CliError::Input(format!(
                "{} contacts were not delivered",
                self.lost
            )));
        }
        Ok(())
    }
}

pub async fn run(db: &ScratchDb, args: &EngineArgs) -> Result<EngineReport, CliError> {
    let receiver = Receiver::start(Recording::IdsOnly).await;
    let mut serve = ServeArgs::from_env();
    serve.bind = "127.0.0.1:0".parse().expect("address");
    serve.admin_email = None;
    serve.admin_password = None;
    serve.database_connections = args.connections;
    serve.delivery.allow_networks = "127.0.0.0/8".into();
    serve.delivery.poll_interval_ms = 100;
    let app = Application::with_store(db.store.clone(), &serve).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let result = measure(&db.store, &base, &receiver, args).await;
    let _ = stop.send(());
    let _ = server.await;
    let mut report = result?;
    report.database = db.description.clone();
    Ok(report)
}

async fn measure(
    store: &Store,
    base: &str,
    receiver: &Receiver,
    args: &EngineArgs,
) -> Result<EngineReport, CliError> {
    let now = Utc::now();
    let admin = Email::parse("bench@example.org").expect("email");
    let (account, _) = store
        .create_account(
            NewAccount {
                name: "Bench",
                admin_email: &admin,
                admin_password_hash: "x",
            },
            now,
        )
        .await?;
    let user = store
        .user_by_email(&admin)
        .await?
        .expect("the admin just made");
    let token = new_token();
    store
        .create_token(&user, "bench", &token.prefix, &token.hash, now)
        .await?;
    let mailing = hookflow::store::MailingName::parse("Bench mailing").map_err(CliError::Input)?;
    let mailing = store.create_mailing(account, &mailing, now).await?.id.0;
    let definition = serde_json::json!({"name": "Bench", "trigger": {"type": "email_activity", "activity": "opened", "mailing_id": mailing},
        "graph": {"start": "wait", "steps": [
            {"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 0}, "next": "hook"},
            {"id": "hook", "type": "send_webhook", "next": null, "config": {"url": receiver.url("/in"),
             "fields": ["email", "firstname", "lastname"], "additional": [{"key": "source", "value": "bench"}], "headers": []}}]}});
    let scenario = store
        .create_scenario(account, "Bench", &definition.to_string(), now)
        .await?;
    store
        .set_scenario_status(account, scenario.id, "active", now)
        .await?;
    let client = reqwest::Client::new();
    let n = args.contacts;
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);

    // Contacts: bulk upserts of 1000.
    let started = Instant::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<serde_json::Value> = (i..(i + 1000).min(n))
            .map(|k| serde_json::json!({"email": format!("c{k}@example.org"), "firstname": "Bench", "lastname": format!("{k}")}))
            .collect();
        i += batch.len() as u64;
        let body = serde_json::json!({"contacts": batch}).to_string();
        let res = client
            .post(format!("{base}/api/v1/contacts/bulk"))
            .bearer_auth(&token.secret)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| CliError::Input(format!("bulk upsert: {e}")))?;
        if !res.status().is_success() {
            return Err(CliError::Input(format!(
                "bulk upsert answered {}",
                res.status()
            )));
        }
    }
    let upsert_time = started.elapsed();

    // Events: one POST per contact, `concurrency` at a time.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..n {
        let permit = gate.clone().acquire_owned().await.expect("open");
        let (client, url, secret) = (
            client.clone(),
            format!("{base}/api/v1/events"),
            token.secret.clone(),
        );
        tasks.spawn(async move {
            let body = serde_json::json!({"type": "email_opened", "email": format!("c{k}@example.org"), "mailing_id": mailing});
            let res = client
                .post(url)
                .bearer_auth(secret)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await;
            drop(permit);
            matches!(res, Ok(r) if r.status().as_u16() == 202)
        });
    }
    let mut accepted_events = 0u64;
    while let Some(ok) = tasks.join_next().await {
        accepted_events += u64::from(ok.unwrap_or(false));
    }
    let ingest_time = started.elapsed();
    if accepted_events != n {
        return Err(CliError::Input(format!(
            "only {accepted_events} of {n} events were accepted"
        )));
    }

    // Through the scenario: until every contact's webhook is accepted.
    let hook = StepId("hook".into());
    loop {
        let stats = store.step_stats(ScenarioId(scenario.id.0), &hook).await?;
        if stats.accepted as u64 >= n || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let through_time = started.elapsed();
    let counts = receiver.id_counts();
    let delivered = counts.len() as u64;
    let received: u64 = counts.values().map(|&c| c as u64).sum();
    Ok(EngineReport {
        database: String::new(),
        contacts: n,
        contacts_upserted_per_sec: round(per_sec(n, upsert_time), 0),
        events_ingested_per_sec: round(per_sec(n, ingest_time), 0),
        contacts_through_scenario_per_sec: round(per_sec(delivered, through_time), 0),
        delivered,
        lost: n.saturating_sub(delivered),
        duplicates: received - delivered,
        peak_rss_mb: round(peak_rss_mb(), 1),
    })
}
