//! Real answers of the scenario, step, event and test-send routes fit the
//! responses documented for their status.

use super::common::TestApp;
use super::scenarios::webhook_step;
use super::{checked, component, document, schema};
use reqwest::Method;
use serde_json::{Value, json};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;

#[tokio::test]
async fn a_scenarios_life_answers_as_documented() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    // Group 999 does not exist: the scenario is saved, but cannot be activated.
    let def = json!({"name": "New customers to the CRM", "trigger": {"type": "added_to_group", "group_id": 999},
        "graph": {"start": "hook", "steps": [webhook_step("hook", None)]}});
    let (_, s) = checked(&app, &doc, POST, "/scenarios", Some(def)).await;
    let one = format!("/scenarios/{}", s["id"]);
    let update = json!({"version": s["version"], "definition": s["definition"]});
    let steps = format!("{one}/steps/hook");
    let requests: Vec<(Method, String, Option<Value>, u16)> = vec![
        (GET, "/scenarios".into(), None, 200),
        (GET, "/scenarios?status=weird".into(), None, 422),
        (
            GET,
            "/scenarios?status=draft&status=active".into(),
            None,
            400,
        ),
        (GET, one.clone(), None, 200),
        (GET, "/scenarios/abc".into(), None, 404),
        (PUT, one.clone(), Some(update.clone()), 200),
        (PUT, one.clone(), Some(update.clone()), 409),
        (PUT, one.clone(), Some(json!({"version": 2})), 422),
        (POST, format!("{one}/validate"), None, 200),
        (POST, format!("{one}/activate"), None, 422),
        (POST, format!("{one}/pause"), None, 409),
        (GET, format!("{one}/passes"), None, 200),
        (GET, format!("{steps}/stats"), None, 200),
        (GET, format!("{one}/steps/bad%20id/stats"), None, 404),
        (GET, format!("{steps}/deliveries?state=failed"), None, 200),
        (GET, format!("{steps}/deliveries?limit=0"), None, 422),
        (POST, format!("{one}/archive"), None, 200),
        (PUT, one.clone(), Some(update), 409),
        (POST, "/scenarios/0/validate".into(), None, 404),
    ];
    for (method, path, body, expected) in requests {
        let (status, answer) = checked(&app, &doc, method.clone(), &path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
    }
}

#[tokio::test]
async fn events_test_sends_and_refusals_answer_as_documented() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let event = json!({"type": "email_opened", "email": "nobody@example.org", "mailing_id": 1});
    let (status, _) = checked(&app, &doc, POST, "/events", Some(event)).await;
    assert_eq!(status, 422);
    // Loopback is not an allowed destination here: the result says so, as a 200.
    let config = json!({"url": "http://127.0.0.1:9/in", "fields": ["email"], "additional": [], "headers": []});
    let (status, result) = checked(
        &app,
        &doc,
        POST,
        "/webhooks/test",
        Some(json!({"config": config})),
    )
    .await;
    assert_eq!(
        (status, &result["accepted"]),
        (200, &json!(false)),
        "{result}"
    );
    let bad = json!({"config": {"url": "nope"}});
    let (status, _) = checked(&app, &doc, POST, "/webhooks/test", Some(bad)).await;
    assert_eq!(status, 422);

    let error_body = component(&doc, "ErrorBody");
    let (status, err) = app.send_as("", GET, "/api/v1/scenarios", None).await;
    assert_eq!(status, 401);
    assert!(schema::errors(&doc, error_body, &err).is_empty(), "{err}");
    let not_json = app
        .post("/api/v1/events")
        .header("content-type", "application/json")
        .body("{not json");
    let (status, err) = super::common::read(not_json).await;
    assert_eq!(status, 400);
    assert!(schema::errors(&doc, error_body, &err).is_empty(), "{err}");
    let (status, err) = super::common::read(app.post("/api/v1/webhooks/test").body("{}")).await;
    assert_eq!(status, 415);
    assert!(schema::errors(&doc, error_body, &err).is_empty(), "{err}");
}
