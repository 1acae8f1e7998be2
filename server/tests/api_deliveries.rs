//! The delivery log's actions through the API: resend a failed delivery (same id,
//! new window), resend every failed one of a step, cancel a pending one; counts
//! move with them and every action is recorded with who did it.

mod common;

use common::TestApp;
use hookflow::testkit::{Receiver, Recording, eventually};
use reqwest::Method;
use serde_json::{Value, json};

/// A live server whose retry window is one second, so failures come quickly.
async fn app(window: &str) -> TestApp {
    let window = window.to_string();
    TestApp::spawn_with(move |args| {
        args.delivery.allow_networks = "127.0.0.0/8".into();
        args.delivery.poll_interval_ms = 50;
        args.delivery.retry_schedule = "200ms".into();
        args.delivery.retry_window = window;
    })
    .await
}

/// A group scenario to `receiver`, active, and `n` contacts added to the group.
async fn deliveries_to(app: &TestApp, receiver: &Receiver, n: usize) -> i64 {
    let (_, g) = app
        .send(Method::POST, "/api/v1/groups", Some(json!({"name": "G"})))
        .await;
    let g = g["id"].as_i64().unwrap();
    let def = json!({"name": "S", "trigger": {"type": "added_to_group", "group_id": g}, "graph": {"start": "hook", "steps": [
        {"id": "hook", "type": "send_webhook", "next": null, "config": {"url": receiver.url("/in"), "fields": ["email"],
         "additional": [], "headers": [{"name": "Authorization", "value": "Bearer crm-secret", "secret": true},
                                      {"name": "X-Source", "value": "hookflow", "secret": false}]}}]}});
    let (_, s) = app.send(Method::POST, "/api/v1/scenarios", Some(def)).await;
    let id = s["id"].as_i64().unwrap();
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{id}/activate"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    for i in 0..n {
        let (_, c) = app
            .send(
                Method::POST,
                "/api/v1/contacts",
                Some(json!({"email": format!("c{i}@example.org")})),
            )
            .await;
        app.send(
            Method::PUT,
            &format!("/api/v1/groups/{g}/members/{}", c["id"]),
            None,
        )
        .await;
    }
    id
}

async fn stats(app: &TestApp, scenario: i64) -> Value {
    app.send(
        Method::GET,
        &format!("/api/v1/scenarios/{scenario}/steps/hook/stats"),
        None,
    )
    .await
    .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_resent_with_their_id_and_the_counts_follow() {
    let app = app("1s").await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(503);
    let s = deliveries_to(&app, &receiver, 3).await;
    eventually("all three fail", async || {
        stats(&app, s).await["failed"] == 3
    })
    .await;
    assert_eq!(
        stats(&app, s).await,
        json!({"reached": 3, "accepted": 0, "pending": 0, "failed": 3})
    );

    let (_, page) = app
        .send(
            Method::GET,
            &format!("/api/v1/scenarios/{s}/steps/hook/deliveries?state=failed"),
            None,
        )
        .await;
    let first = &page["deliveries"][0];
    let id = first["id"].as_i64().unwrap();
    let event_id = first["event_id"].as_str().unwrap().to_string();
    receiver.set_status(200);
    let (status, one) = app
        .send(
            Method::POST,
            &format!("/api/v1/deliveries/{id}/resend"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["state"], "pending");
    assert_eq!(one["actions"][0]["action"], "resend");
    assert!(
        one["actions"][0]["actor"]
            .as_str()
            .unwrap()
            .contains("API token")
    );
    eventually("the resent one is accepted", async || {
        stats(&app, s).await["accepted"] == 1
    })
    .await;
    assert_eq!(
        stats(&app, s).await,
        json!({"reached": 3, "accepted": 1, "pending": 0, "failed": 2})
    );
    let last = receiver.received().last().unwrap().event_id.clone();
    assert_eq!(last, event_id, "a resend carries the same id");
    // A resend of what is not failed is refused.
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/deliveries/{id}/resend"),
            None,
        )
        .await;
    assert_eq!(status, 409);

    let (status, all) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{s}/steps/hook/resend-failed"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["resent"], 2);
    eventually("every one is accepted", async || {
        stats(&app, s).await["accepted"] == 3
    })
    .await;
    assert_eq!(
        stats(&app, s).await,
        json!({"reached": 3, "accepted": 3, "pending": 0, "failed": 0})
    );

    // Search by the contact's email.
    let (_, one) = app
        .send(
            Method::GET,
            &format!("/api/v1/scenarios/{s}/steps/hook/deliveries?email=C1@example.org"),
            None,
        )
        .await;
    assert_eq!(one["deliveries"].as_array().unwrap().len(), 1, "{one}");
    let (status, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/scenarios/{s}/steps/hook/deliveries?email=nope"),
            None,
        )
        .await;
    assert_eq!(status, 422);

    // The request as sent: secret header values masked, the body as frozen.
    let (_, detail) = app
        .send(Method::GET, &format!("/api/v1/deliveries/{id}"), None)
        .await;
    let headers = detail["headers"].to_string();
    assert!(
        !headers.contains("crm-secret") && headers.contains("hookflow"),
        "{headers}"
    );
    let body: Value = serde_json::from_str(detail["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["id"], event_id.as_str());
    assert!(detail["attempt_log"].as_array().unwrap().len() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_delivery_is_cancelled_with_its_reason_and_never_tried_again() {
    let app = app("12h").await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(500);
    let s = deliveries_to(&app, &receiver, 1).await;
    eventually("the first attempt", async || receiver.count() >= 1).await;
    let (_, page) = app
        .send(
            Method::GET,
            &format!("/api/v1/scenarios/{s}/steps/hook/deliveries"),
            None,
        )
        .await;
    let id = page["deliveries"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/deliveries/{id}/cancel");
    let (status, err) = app
        .send(Method::POST, &path, Some(json!({"reason": "  "})))
        .await;
    assert_eq!(status, 422, "{err}");
    let (status, cancelled) = app
        .send(Method::POST, &path, Some(json!({"reason": "Wrong CRM"})))
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["state"], "failed");
    assert_eq!(cancelled["last_error"], "cancelled");
    assert_eq!(cancelled["actions"][0]["reason"], "Wrong CRM");
    assert_eq!(
        stats(&app, s).await,
        json!({"reached": 1, "accepted": 0, "pending": 0, "failed": 1})
    );
    assert!(
        cancelled["next_attempt_at"].is_null(),
        "no attempt is due any more: {cancelled}"
    );
    let (status, _) = app
        .send(Method::POST, &path, Some(json!({"reason": "again"})))
        .await;
    assert_eq!(status, 409);
    // Another account can neither see nor act on it.
    let (_, other) = app.new_account("admin@other.example").await;
    for (method, p, body) in [
        (Method::GET, format!("/api/v1/deliveries/{id}"), None),
        (
            Method::POST,
            format!("/api/v1/deliveries/{id}/resend"),
            None,
        ),
        (Method::POST, path.clone(), Some(json!({"reason": "x"}))),
        (
            Method::POST,
            format!("/api/v1/scenarios/{s}/steps/hook/resend-failed"),
            None,
        ),
    ] {
        let (status, _) = app.send_as(&other, method, &p, body).await;
        assert_eq!(status, 404, "{p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archived_scenario_keeps_its_statistics_and_its_log() {
    let app = app("1s").await;
    let receiver = Receiver::start(Recording::Full).await;
    receiver.set_status(503);
    let s = deliveries_to(&app, &receiver, 2).await;
    eventually("both fail", async || stats(&app, s).await["failed"] == 2).await;
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{s}/archive"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "archived");
    assert_eq!(
        stats(&app, s).await,
        json!({"reached": 2, "accepted": 0, "pending": 0, "failed": 2})
    );
    let (_, page) = app
        .send(
            Method::GET,
            &format!("/api/v1/scenarios/{s}/steps/hook/deliveries"),
            None,
        )
        .await;
    assert_eq!(page["deliveries"].as_array().unwrap().len(), 2);
    // Its failed deliveries can still be resent, and their numbers follow.
    receiver.set_status(200);
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/v1/scenarios/{s}/steps/hook/resend-failed"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resent"], 2);
    eventually("both are accepted", async || {
        stats(&app, s).await["accepted"] == 2
    })
    .await;
    assert_eq!(
        stats(&app, s).await,
        json!({"reached": 2, "accepted": 2, "pending": 0, "failed": 0})
    );
}
