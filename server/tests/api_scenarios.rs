//! Scenarios through the REST API, with the real server (engine and dispatcher
//! running on the system clock) and a real receiver on loopback.

mod common;

use common::TestApp;
use hookflow::testkit::{Receiver, Recording, eventually};
use reqwest::Method;
use serde_json::{Value, json};

async fn app() -> TestApp {
    TestApp::spawn_with(|args| {
        args.delivery.allow_networks = "127.0.0.0/8".into();
        args.delivery.poll_interval_ms = 100;
    })
    .await
}

fn webhook_step(url: &str, next: Option<&str>) -> Value {
    json!({"id": "hook", "type": "send_webhook", "next": next, "config": {
        "url": url, "fields": ["email", "firstname"], "additional": [{"key": "source", "value": "hookflow"}],
        "headers": [{"name": "X-Api-Key", "value": "k-secret-123", "secret": true}]}})
}

fn group_scenario(group: i64, url: &str) -> Value {
    json!({"name": "New customers to the CRM", "trigger": {"type": "added_to_group", "group_id": group},
           "graph": {"start": "hook", "steps": [webhook_step(url, None)]}})
}

async fn group(app: &TestApp, name: &str) -> i64 {
    let (status, g) = app
        .send(Method::POST, "/api/v1/groups", Some(json!({"name": name})))
        .await;
    assert_eq!(status, 201, "{g}");
    g["id"].as_i64().unwrap()
}

async fn contact(app: &TestApp, email: &str) -> i64 {
    let (status, c) = app
        .send(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"email": email, "firstname": "Jane"})),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_added_to_a_group_reaches_the_receiver_and_the_step_counts_it() {
    let app = app().await;
    let receiver = Receiver::start(Recording::Full).await;
    let g = group(&app, "Customers").await;
    let (status, s) = app
        .send(
            Method::POST,
            "/api/v1/scenarios",
            Some(group_scenario(g, &receiver.url("/crm"))),
        )
        .await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["status"], "draft");
    assert_eq!(s["problems"], json!([]));
    let id = s["id"].as_i64().unwrap();
    let shown = s.to_string();
    assert!(
        !shown.contains("k-secret-123"),
        "secret values never come back: {shown}"
    );

    let (status, s) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{id}/activate"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["status"], "active");

    let jane = contact(&app, "jane@example.org").await;
    let (status, _) = app
        .send(
            Method::PUT,
            &format!("/api/v1/groups/{g}/members/{jane}"),
            None,
        )
        .await;
    assert!(status == 200 || status == 204, "{status}");
    eventually("the receiver gets the webhook", async || {
        receiver.count() == 1
    })
    .await;
    let r = &receiver.received()[0];
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["data"]["id"], jane);
    assert_eq!(body["data"]["email"], "jane@example.org");
    assert_eq!(body["data"]["source"], "hookflow");
    assert!(
        r.headers
            .iter()
            .any(|(k, v)| k == "x-api-key" && v == "k-secret-123"),
        "the secret is sent"
    );

    let stats_path = format!("/api/v1/scenarios/{id}/steps/hook/stats");
    eventually("the step counts it accepted", async || {
        app.send(Method::GET, &stats_path, None).await.1["accepted"] == 1
    })
    .await;
    let (_, stats) = app.send(Method::GET, &stats_path, None).await;
    assert_eq!(
        stats,
        json!({"reached": 1, "accepted": 1, "pending": 0, "failed": 0})
    );
    let (status, page) = app
        .send(
            Method::GET,
            &format!("/api/v1/scenarios/{id}/steps/hook/deliveries?state=accepted"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["deliveries"][0]["event_id"], body["id"]);
    assert_eq!(page["deliveries"][0]["attempt_log"][0]["status"], 200);
    let (_, passes) = app
        .send(Method::GET, &format!("/api/v1/scenarios/{id}/passes"), None)
        .await;
    assert_eq!(passes, json!({"hook": 1}));
}

#[tokio::test]
async fn an_invalid_scenario_is_saved_as_a_draft_but_not_activated_and_every_problem_names_its_step()
 {
    let app = app().await;
    let def = json!({"name": "Broken", "trigger": {"type": "added_to_group", "group_id": 999},
        "graph": {"start": "hook", "steps": [
            {"id": "hook", "type": "send_webhook", "next": "gone", "config": {"url": "ftp://x", "fields": ["email"], "additional": [], "headers": []}},
            {"id": "orphan", "type": "exit"}]}});
    let (status, s) = app.send(Method::POST, "/api/v1/scenarios", Some(def)).await;
    assert_eq!(status, 201, "{s}");
    let codes: Vec<&str> = s["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    for code in [
        "unknown_group",
        "invalid_webhook",
        "unknown_step",
        "unreachable_step",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let id = s["id"].as_i64().unwrap();
    let (status, err) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{id}/activate"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["code"], "invalid_input");
    let problems = err["error"]["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["step"] == "hook" && p["field"].as_str().unwrap().contains("url")),
        "{err}"
    );
    let (_, v) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{id}/validate"),
            None,
        )
        .await;
    assert_eq!(v["valid"], false);
}

#[tokio::test]
async fn a_second_save_from_an_old_version_is_refused_and_secrets_are_kept() {
    let app = app().await;
    let g = group(&app, "G").await;
    let (_, s) = app
        .send(
            Method::POST,
            "/api/v1/scenarios",
            Some(group_scenario(g, "https://crm.example.org/in")),
        )
        .await;
    let id = s["id"].as_i64().unwrap();
    let version = s["version"].as_i64().unwrap();
    let mut edited = s["definition"].clone();
    edited["name"] = json!("Renamed by Ann");
    let path = format!("/api/v1/scenarios/{id}");
    let (status, saved) = app
        .send(
            Method::PUT,
            &path,
            Some(json!({"version": version, "definition": edited})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["name"], "Renamed by Ann");
    edited["name"] = json!("Renamed by Bob");
    let (status, err) = app
        .send(
            Method::PUT,
            &path,
            Some(json!({"version": version, "definition": edited})),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("someone else saved")
    );
    // The secret sent back without its value was kept.
    let row = app
        .store
        .scenario(app.account, hookflow::model::ScenarioId(id))
        .await
        .unwrap()
        .unwrap();
    assert!(row.definition.contains("k-secret-123"));
}

#[tokio::test]
async fn another_account_sees_nothing_of_this_one() {
    let app = app().await;
    let g = group(&app, "G").await;
    let (_, s) = app
        .send(
            Method::POST,
            "/api/v1/scenarios",
            Some(group_scenario(g, "https://crm.example.org/in")),
        )
        .await;
    let id = s["id"].as_i64().unwrap();
    let (_, other) = app.new_account("admin@other.example").await;
    for path in [
        format!("/api/v1/scenarios/{id}"),
        format!("/api/v1/scenarios/{id}/steps/hook/stats"),
        format!("/api/v1/scenarios/{id}/steps/hook/deliveries"),
        format!("/api/v1/scenarios/{id}/passes"),
    ] {
        let (status, body) = app.send_as(&other, Method::GET, &path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    for action in ["activate", "pause", "archive", "validate"] {
        let (status, _) = app
            .send_as(
                &other,
                Method::POST,
                &format!("/api/v1/scenarios/{id}/{action}"),
                None,
            )
            .await;
        assert_eq!(status, 404, "{action}");
    }
    let (status, _) = app
        .send_as(
            &other,
            Method::PUT,
            &format!("/api/v1/scenarios/{id}"),
            Some(json!({"version": 1, "definition": s["definition"]})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = app
        .send_as(&other, Method::GET, "/api/v1/scenarios", None)
        .await;
    assert_eq!(list, json!([]));
    let (_, mine) = app
        .send(Method::GET, &format!("/api/v1/scenarios/{id}"), None)
        .await;
    assert_eq!(mine["status"], "draft", "untouched");
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_5xx() {
    let app = app().await;
    let cases: Vec<(Method, &str, Option<Value>, u16)> = vec![
        (Method::GET, "/api/v1/scenarios/abc", None, 404),
        (Method::GET, "/api/v1/scenarios/-1", None, 404),
        (Method::GET, "/api/v1/scenarios?status=weird", None, 422),
        (
            Method::POST,
            "/api/v1/scenarios",
            Some(json!({"name": "x"})),
            422,
        ),
        (
            Method::POST,
            "/api/v1/scenarios",
            Some(json!({"name": "", "trigger": {"type": "added_to_group", "group_id": 1}})),
            422,
        ),
        (
            Method::POST,
            "/api/v1/scenarios",
            Some(json!({"name": "x", "trigger": {"type": "nope"}})),
            422,
        ),
        (
            Method::GET,
            "/api/v1/scenarios/1/steps/bad%20id/stats",
            None,
            404,
        ),
        (
            Method::POST,
            "/api/v1/events",
            Some(json!({"type": "sneezed", "contact_id": 1})),
            422,
        ),
        (
            Method::POST,
            "/api/v1/events",
            Some(json!({"type": "email_opened", "contact_id": 1})),
            422,
        ),
        (
            Method::POST,
            "/api/v1/webhooks/test",
            Some(
                json!({"config": {"url": "not a url", "fields": [], "additional": [], "headers": []}}),
            ),
            422,
        ),
    ];
    for (method, path, body, expected) in cases {
        let (status, answer) = app.send(method.clone(), path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        assert!(answer["error"]["code"].is_string(), "{answer}");
    }
    let res = app
        .post("/api/v1/scenarios")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let (status, _) = app
        .send_as("", Method::GET, "/api/v1/scenarios", None)
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .send_as("hf_wrong", Method::GET, "/api/v1/scenarios", None)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_test_button_reports_acceptance_and_refusal_in_plain_words() {
    let app = app().await;
    let ok = Receiver::start(Recording::Full).await;
    let refusing = Receiver::start(Recording::Full).await;
    refusing.set_status(401);
    let config = |url: String| json!({"config": {"url": url, "fields": ["email", "firstname", "lastname"], "additional": [], "headers": []}});
    let (status, result) = app
        .send(
            Method::POST,
            "/api/v1/webhooks/test",
            Some(config(ok.url("/in"))),
        )
        .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["accepted"], true);
    assert!(
        result["event_id"]
            .as_str()
            .unwrap()
            .starts_with("test_evt_")
    );
    let sent: Value = serde_json::from_slice(&ok.received()[0].body).unwrap();
    assert_eq!(
        sent["data"],
        json!({"type": "member", "id": 54321, "email": "john.doe@example.org", "firstname": "John", "lastname": "Doe"})
    );
    let (_, result) = app
        .send(
            Method::POST,
            "/api/v1/webhooks/test",
            Some(config(refusing.url("/in"))),
        )
        .await;
    assert_eq!(result["accepted"], false);
    assert_eq!(result["status"], 401);
    assert_eq!(result["error_code"], "http_status");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_posted_through_the_api_enrol_contacts() {
    let app = app().await;
    let receiver = Receiver::start(Recording::Full).await;
    // A mailing to attach the event to, straight through the store (the mailings API is tested elsewhere).
    let mailing: i64 = match &app.store {
        hookflow::store::Store::Sqlite(pool) => sqlx::query_scalar("INSERT INTO mailings (account_id, name, created_at) VALUES ($1, 'May news', 0) RETURNING id")
            .bind(app.account.0).fetch_one(pool).await.unwrap(),
        _ => unreachable!(),
    };
    let def = json!({"name": "Openers", "trigger": {"type": "email_activity", "activity": "opened", "mailing_id": mailing},
        "graph": {"start": "hook", "steps": [webhook_step(&receiver.url("/in"), None)]}});
    let (_, s) = app.send(Method::POST, "/api/v1/scenarios", Some(def)).await;
    let id = s["id"].as_i64().unwrap();
    let (status, s) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{id}/activate"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{s}");
    contact(&app, "reader@example.org").await;
    let (status, ok) = app.send(Method::POST, "/api/v1/events", Some(json!({"type": "email_opened", "email": "reader@example.org", "mailing_id": mailing}))).await;
    assert_eq!(status, 202, "{ok}");
    eventually("the receiver gets the webhook", async || {
        receiver.count() == 1
    })
    .await;
    let (status, err) = app.send(Method::POST, "/api/v1/events", Some(json!({"type": "email_opened", "email": "nobody@example.org", "mailing_id": mailing}))).await;
    assert_eq!(status, 422, "{err}");
}

#[tokio::test]
async fn the_account_time_zone_is_read_and_set_by_iana_name() {
    let app = app().await;
    let (status, account) = app.send(Method::GET, "/api/v1/account", None).await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["time_zone"], "UTC");
    assert_eq!(account["id"], app.account.0);
    let (status, account) = app
        .send(
            Method::PATCH,
            "/api/v1/account",
            Some(json!({"time_zone": "Europe/Paris"})),
        )
        .await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["time_zone"], "Europe/Paris");
    let (status, err) = app
        .send(
            Method::PATCH,
            "/api/v1/account",
            Some(json!({"time_zone": "Mars/Olympus"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["field"], "time_zone");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Mars/Olympus")
    );
}
