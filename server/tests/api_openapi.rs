//! The OpenAPI document tells the truth about scenarios, steps, events and test
//! sends: every route is in it with every error it can answer, the schemas name
//! every trigger and step type, real scenarios fit the documented schema (and
//! what it refuses, the server refuses), and real answers fit their responses.

#[path = "api_openapi/answers.rs"]
mod answers;
mod common;
#[path = "api_openapi/scenarios.rs"]
mod scenarios;
#[path = "api_openapi/schema.rs"]
mod schema;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Each route, with the error statuses it can answer.
const ROUTES: [(&str, &str, &[u16]); 13] = [
    ("get", "/scenarios", &[400, 401, 422]),
    ("post", "/scenarios", &[400, 401, 413, 415, 422]),
    ("get", "/scenarios/{id}", &[401, 404]),
    (
        "put",
        "/scenarios/{id}",
        &[400, 401, 404, 409, 413, 415, 422],
    ),
    ("post", "/scenarios/{id}/validate", &[401, 404]),
    ("post", "/scenarios/{id}/activate", &[401, 404, 409, 422]),
    ("post", "/scenarios/{id}/pause", &[401, 404, 409]),
    ("post", "/scenarios/{id}/archive", &[401, 404]),
    ("get", "/scenarios/{id}/passes", &[401, 404]),
    ("get", "/scenarios/{id}/steps/{step_id}/stats", &[401, 404]),
    (
        "get",
        "/scenarios/{id}/steps/{step_id}/deliveries",
        &[400, 401, 404, 422],
    ),
    ("post", "/events", &[400, 401, 413, 415, 422]),
    ("post", "/webhooks/test", &[400, 401, 413, 415, 422]),
];

async fn document(app: &TestApp) -> Value {
    let (status, doc) = common::read(app.client.get(app.url("/api/v1/openapi.json"))).await;
    assert_eq!(status, 200);
    doc
}

fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    schema::resolve(doc, &format!("#/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("no {name} schema"))
}

/// The `type` values of an internally tagged enum's variants.
fn tags_of(doc: &Value, name: &str) -> BTreeSet<String> {
    let variants = component(doc, name)["oneOf"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is not a oneOf"));
    variants
        .iter()
        .map(|v| {
            let values = v["properties"]["type"]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} variant without a type: {v}"));
            assert!(
                v["required"].as_array().unwrap().contains(&json!("type")),
                "{name}: `type` is required in {v}"
            );
            values[0].as_str().unwrap().to_string()
        })
        .collect()
}

fn every_ref(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| every_ref(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| every_ref(v, out)),
        _ => {}
    }
}

/// The documented path a request path falls under: `/scenarios/7/pause` is
/// `/scenarios/{id}/pause` (the query string aside).
fn route_of(doc: &Value, path: &str) -> String {
    let segments: Vec<&str> = path.split('?').next().unwrap().split('/').collect();
    let fits = |route: &&String| {
        let parts: Vec<&str> = route.split('/').collect();
        parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(p, s)| p == s || p.starts_with('{'))
    };
    let routes = doc["paths"].as_object().unwrap().keys();
    // A literal segment beats a parameter (`/contacts/bulk`, not `/contacts/{id}`).
    let best = routes.filter(fits).min_by_key(|r| r.matches('{').count());
    best.unwrap_or_else(|| panic!("{path} is not documented"))
        .clone()
}

/// Sends a request and checks that its status is documented for the operation
/// and that the body fits the schema documented for that status.
async fn checked(
    app: &TestApp,
    doc: &Value,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, answer) = app
        .send(method.clone(), &format!("/api/v1{path}"), body)
        .await;
    let route = route_of(doc, path);
    let operation = &doc["paths"][&route][method.as_str().to_lowercase()];
    let response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {route}: {status} is not documented ({answer})"
    );
    let schema = &response["content"]["application/json"]["schema"];
    let wrong = schema::errors(doc, schema, &answer);
    assert!(
        wrong.is_empty(),
        "{method} {path} {status}: {wrong:#?}\n{answer}"
    );
    (status, answer)
}

#[tokio::test]
async fn every_scenario_route_is_documented_with_each_error_it_can_answer() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for tag in ["scenarios", "steps", "events", "webhooks"] {
        assert!(tags.contains(tag), "tag {tag} is not declared");
    }
    for (method, path, errors) in ROUTES {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            tags.contains(operation["tags"][0].as_str().unwrap()),
            "{method} {path}: undeclared tag"
        );
        let responses = operation["responses"].as_object().unwrap();
        let documented: Vec<u16> = responses
            .keys()
            .map(|s| s.parse().unwrap())
            .filter(|s| *s >= 400)
            .collect();
        assert_eq!(documented, errors, "{method} {path}: documented errors");
        for status in errors {
            let schema = &responses[&status.to_string()]["content"]["application/json"]["schema"];
            assert_eq!(
                schema["$ref"], "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
        }
        let success = responses
            .iter()
            .find(|(s, _)| s.starts_with('2'))
            .expect("a success response");
        assert!(
            success.1["content"]["application/json"]["schema"].is_object(),
            "{method} {path}: no success body"
        );
    }
    let mut operation_ids = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().unwrap();
            assert!(operation_ids.insert(id), "operationId {id} is used twice");
        }
    }
    let mut refs = Vec::new();
    every_ref(&doc, &mut refs);
    let dangling: Vec<&String> = refs
        .iter()
        .filter(|r| schema::resolve(&doc, r).is_none())
        .collect();
    assert!(dangling.is_empty(), "unresolved references: {dangling:?}");
}

#[tokio::test]
async fn the_schemas_name_every_trigger_step_wait_and_criteria_type() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        tags_of(&doc, "StepKind"),
        names(&[
            "send_webhook",
            "wait",
            "condition",
            "add_to_group",
            "remove_from_group",
            "update_field",
            "exit"
        ])
    );
    assert_eq!(
        tags_of(&doc, "Trigger"),
        names(&[
            "form_submitted",
            "added_to_group",
            "email_activity",
            "segment_matched",
            "survey_answered",
            "date_reached",
            "profile_updated",
            "consent_expiring",
        ])
    );
    assert_eq!(tags_of(&doc, "WaitSpec"), names(&["duration", "until"]));
    assert_eq!(
        tags_of(&doc, "Criteria"),
        names(&["all", "any", "field", "in_group", "not_in_group", "consent"])
    );
    // A step is its id plus its kind's keys, side by side (serde's flatten).
    let step = component(&doc, "Step");
    assert_eq!(
        step["allOf"][0]["$ref"], "#/components/schemas/StepKind",
        "{step}"
    );
    assert_eq!(step["allOf"][1]["required"], json!(["id"]), "{step}");
    // Problem codes as the JSON spells them (`unknown_group`), not as Rust does.
    let codes = component(&doc, "ProblemCode")["enum"].as_array().unwrap();
    let snake = |c: &Value| {
        c.as_str()
            .unwrap()
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch == '_')
    };
    assert!(
        codes.contains(&json!("unknown_group")) && codes.iter().all(snake),
        "{codes:?}"
    );
}
