//! All eight triggers end to end, as users meet them: through the REST API, the
//! hosted forms and the tracking links, with the real server (engine, sweep and
//! dispatcher on the system clock) and a real receiver on loopback.

mod common;

use chrono::{Datelike, Days, Utc};
use common::TestApp;
use hookflow::testkit::{Receiver, Recording};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const POST: Method = Method::POST;

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, v) = app.send(POST, path, Some(body)).await;
    assert_eq!(status, 201, "{path}: {v}");
    v
}

/// An active scenario whose only step sends the contact with `trigger` = `label`.
async fn scenario(app: &TestApp, receiver: &Receiver, label: &str, trigger: Value) -> i64 {
    let def = json!({"name": label, "trigger": trigger, "graph": {"start": "hook", "steps": [
        {"id": "hook", "type": "send_webhook", "next": null, "config": {"url": receiver.url("/in"),
         "fields": ["email"], "additional": [{"key": "trigger", "value": label}], "headers": []}}]}});
    let id = created(app, "/api/v1/scenarios", def).await["id"]
        .as_i64()
        .unwrap();
    let (status, s) = app
        .send(POST, &format!("/api/v1/scenarios/{id}/activate"), None)
        .await;
    assert_eq!(status, 200, "{label}: {s}");
    id
}

async fn submit(app: &TestApp, form: &Value, body: Value) {
    let res = app
        .client
        .post(app.url(form["public_url"].as_str().unwrap()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_of_the_eight_triggers_sends_its_contact_to_the_receiver() {
    let app = TestApp::spawn_with(|args| {
        args.delivery.allow_networks = "127.0.0.0/8".into();
        args.delivery.poll_interval_ms = 100;
        args.sweep_interval_secs = 1;
    })
    .await;
    let receiver = Receiver::start(Recording::Full).await;
    let group = created(&app, "/api/v1/groups", json!({"name": "Customers"})).await["id"]
        .as_i64()
        .unwrap();
    let mailing = created(&app, "/api/v1/mailings", json!({"name": "June"})).await["id"]
        .as_i64()
        .unwrap();
    let subscription = created(&app, "/api/v1/forms", json!({"kind": "subscription", "name": "News", "definition": {"fields": [{"key": "firstname"}]}})).await;
    let question = json!({"id": "colour", "label": "Colour", "kind": "choice", "options": ["red", "blue"], "required": true});
    let survey = created(
        &app,
        "/api/v1/forms",
        json!({"kind": "survey", "name": "Poll", "definition": {"questions": [question]}}),
    )
    .await;
    let profile = created(&app, "/api/v1/forms", json!({"kind": "update_profile", "name": "Profile", "definition": {"fields": [{"key": "company"}]}})).await;

    let mut expected = BTreeMap::new();
    let mut add = |label: &'static str, email: &'static str| {
        expected.insert(label.to_string(), email.to_string())
    };
    let s = vec![
        scenario(&app, &receiver, "form", json!({"type": "form_submitted", "form_id": subscription["id"]})).await,
        scenario(&app, &receiver, "group", json!({"type": "added_to_group", "group_id": group})).await,
        scenario(&app, &receiver, "click", json!({"type": "email_activity", "activity": "clicked", "mailing_id": mailing})).await,
        scenario(&app, &receiver, "segment", json!({"type": "segment_matched", "criteria": {"type": "field", "field": "company", "op": "eq", "value": "Acme"}})).await,
        scenario(&app, &receiver, "survey", json!({"type": "survey_answered", "form_id": survey["id"]})).await,
        scenario(&app, &receiver, "birthday", json!({"type": "date_reached", "field": "birthdate", "offset_days": 0, "yearly": true})).await,
        scenario(&app, &receiver, "profile", json!({"type": "profile_updated", "form_id": profile["id"]})).await,
        scenario(&app, &receiver, "consent", json!({"type": "consent_expiring", "within_days": 30})).await,
    ];

    // 1. A subscription form submitted on its hosted page.
    submit(
        &app,
        &subscription,
        json!({"values": {"email": "sub@example.org", "firstname": "Sue"}}),
    )
    .await;
    add("form", "sub@example.org");
    // 2. A contact added to a group.
    let grp = created(
        &app,
        "/api/v1/contacts",
        json!({"email": "grp@example.org"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (status, _) = app
        .send(
            Method::PUT,
            &format!("/api/v1/groups/{group}/members/{grp}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    add("group", "grp@example.org");
    // 3. A tracked link clicked in the mailing.
    let clicker = created(
        &app,
        "/api/v1/contacts",
        json!({"email": "click@example.org"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (_, links) = app
        .send(
            POST,
            &format!("/api/v1/mailings/{mailing}/tracking-links"),
            Some(json!({"contact_id": clicker, "url": "https://example.org/offer"})),
        )
        .await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let click = no_redirects
        .get(app.url(links["click_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 302);
    add("click", "click@example.org");
    // 4. A contact updated until it meets the criteria.
    let seg = created(
        &app,
        "/api/v1/contacts",
        json!({"email": "seg@example.org", "company": "Other"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (status, _) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/contacts/{seg}"),
            Some(json!({"company": "Acme"})),
        )
        .await;
    assert_eq!(status, 200);
    add("segment", "seg@example.org");
    // 5. A survey answered.
    submit(
        &app,
        &survey,
        json!({"values": {"email": "survey@example.org"}, "answers": {"colour": "blue"}}),
    )
    .await;
    add("survey", "survey@example.org");
    // 6. A birthday today.
    let today = Utc::now().date_naive();
    // 1992 was a leap year, so any day of today's calendar exists in it.
    let birthdate = format!("1992-{:02}-{:02}", today.month(), today.day());
    created(
        &app,
        "/api/v1/contacts",
        json!({"email": "bday@example.org", "birthdate": birthdate}),
    )
    .await;
    add("birthday", "bday@example.org");
    // 7. A profile updated through the update-profile form.
    created(
        &app,
        "/api/v1/contacts",
        json!({"email": "profile@example.org"}),
    )
    .await;
    submit(
        &app,
        &profile,
        json!({"values": {"email": "profile@example.org", "company": "Initech"}}),
    )
    .await;
    add("profile", "profile@example.org");
    // 8. Consent that expires in ten days.
    let expiry = today.checked_add_days(Days::new(10)).unwrap().to_string();
    created(&app, "/api/v1/contacts", json!({"email": "consent@example.org", "consent_type": "express", "consent_expiry": expiry})).await;
    add("consent", "consent@example.org");

    for _ in 0..400 {
        if receiver.count() as usize >= expected.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got: BTreeMap<String, String> = receiver
        .received()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            (
                body["data"]["trigger"].as_str().unwrap().to_string(),
                body["data"]["email"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got, expected,
        "each trigger sent its contact, and only that one"
    );
    assert_eq!(
        receiver.count() as usize,
        expected.len(),
        "nobody was sent twice"
    );
    for id in s {
        let (_, stats) = app
            .send(
                Method::GET,
                &format!("/api/v1/scenarios/{id}/steps/hook/stats"),
                None,
            )
            .await;
        let reached = stats["reached"].as_i64().unwrap();
        assert_eq!(
            stats["accepted"].as_i64().unwrap() + stats["pending"].as_i64().unwrap(),
            reached,
            "{stats}"
        );
    }
}
