//! The OpenAPI document tells the truth about scenarios, steps, events and test
//! sends: every route is in it with every error it can answer, the schemas name
//! every trigger and step type, real scenarios fit the documented schema (and
//! what it refuses, the server refuses), and real answers fit their responses.

mod common;
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

/// Sends a request and checks that its status is documented for the operation
/// and that the body fits the documented schema.
async fn checked(
    app: &TestApp,
    doc: &Value,
    method: Method,
    route: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, answer) = app
        .send(method.clone(), &format!("/api/v1{path}"), body)
        .await;
    let operation = &doc["paths"][route][method.as_str().to_lowercase()];
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

fn webhook_step(id: &str, next: Option<&str>) -> Value {
    json!({"id": id, "type": "send_webhook", "next": next, "config": {
        "url": "https://crm.example.org/in", "fields": ["email", "firstname"],
        "additional": [{"key": "source", "value": "hookflow"}],
        "headers": [{"name": "X-Api-Key", "value": "k-secret-123", "secret": true}]}})
}

fn scenario(trigger: Value, steps: Vec<Value>) -> Value {
    json!({"name": "S", "trigger": trigger, "graph": {"start": steps.first().map(|s| s["id"].clone()), "steps": steps}})
}

/// One scenario for each trigger, and one with every kind of step and criteria.
fn real_scenarios() -> Vec<Value> {
    let triggers = [
        json!({"type": "form_submitted", "form_id": 12}),
        json!({"type": "added_to_group", "group_id": 3}),
        json!({"type": "email_activity", "activity": "opened"}),
        json!({"type": "email_activity", "activity": "opened_or_clicked", "mailing_id": null}),
        json!({"type": "survey_answered", "form_id": 14}),
        json!({"type": "date_reached", "field": "birthdate", "offset_days": -7, "yearly": true}),
        json!({"type": "profile_updated", "form_id": null}),
        json!({"type": "consent_expiring", "within_days": 30}),
        json!({"type": "segment_matched", "include_existing": true, "criteria": {"type": "all", "of": [
            {"type": "field", "field": "city", "op": "eq", "value": "Paris"},
            {"type": "field", "field": "firstname", "op": "is_empty"},
            {"type": "any", "of": [{"type": "in_group", "group_id": 1}, {"type": "not_in_group", "group_id": 2}]},
            {"type": "consent", "consent_type": "express", "valid": true}]}}),
    ];
    let mut out: Vec<Value> = triggers
        .into_iter()
        .map(|t| scenario(t, vec![webhook_step("hook", None)]))
        .collect();
    let mut every_step = scenario(
        json!({"type": "added_to_group", "group_id": 3}),
        vec![
            json!({"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 3600}, "next": "check"}),
            json!({"id": "check", "type": "condition", "criteria": {"type": "in_group", "group_id": 1}, "yes": "add", "no": "later"}),
            json!({"id": "later", "type": "wait", "wait": {"type": "until", "at": "2030-01-01T09:00:00Z"}, "next": "remove"}),
            json!({"id": "add", "type": "add_to_group", "group_id": 3, "next": "set"}),
            json!({"id": "remove", "type": "remove_from_group", "group_id": 1, "next": null}),
            json!({"id": "set", "type": "update_field", "field": "city", "value": "Lyon", "next": "hook"}),
            webhook_step("hook", Some("end")),
            json!({"id": "end", "type": "exit"}),
        ],
    );
    every_step["entry_rule"] = json!("reentry");
    out.push(every_step);
    // The editor's first save: a trigger and nothing else yet.
    out.push(json!({"name": "Draft", "trigger": {"type": "form_submitted", "form_id": 1}}));
    out
}

/// Scenarios the server cannot read at all (422 before any other check).
fn unreadable_scenarios() -> Vec<Value> {
    let group = json!({"type": "added_to_group", "group_id": 1});
    vec![
        json!({"name": "x"}),
        json!({"name": "x", "trigger": {"type": "nope"}}),
        json!({"name": "x", "trigger": {"type": "form_submitted"}}),
        json!({"name": "x", "trigger": group, "colour": "red"}),
        scenario(group.clone(), vec![json!({"id": "a", "type": "nope"})]),
        scenario(group.clone(), vec![json!({"type": "exit"})]),
        scenario(
            group.clone(),
            vec![json!({"id": "a", "type": "wait", "wait": {"type": "weeks", "n": 2}})],
        ),
        scenario(
            group.clone(),
            vec![json!({"id": "a", "type": "add_to_group", "group_id": "three"})],
        ),
        scenario(
            group,
            vec![
                json!({"id": "a", "type": "condition", "criteria": {"type": "field", "field": "city", "op": "between"}}),
            ],
        ),
    ]
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
    assert_eq!(
        component(&doc, "ProblemCode")["enum"][0],
        "name_required",
        "codes as the JSON spells them"
    );
}

#[tokio::test]
async fn real_scenarios_fit_the_documented_schema_and_what_it_refuses_the_server_refuses() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let definition = component(&doc, "ScenarioDefinition");
    for def in real_scenarios() {
        let wrong = schema::errors(&doc, definition, &def);
        assert!(wrong.is_empty(), "{wrong:#?}\n{def}");
        let (status, saved) = checked(
            &app,
            &doc,
            Method::POST,
            "/scenarios",
            "/scenarios",
            Some(def.clone()),
        )
        .await;
        assert_eq!(status, 201, "{saved}");
        let wrong = schema::errors(&doc, definition, &saved["definition"]);
        assert!(wrong.is_empty(), "the saved definition: {wrong:#?}");
    }
    for def in unreadable_scenarios() {
        assert!(
            !schema::errors(&doc, definition, &def).is_empty(),
            "the schema takes {def}"
        );
        let (status, err) = checked(
            &app,
            &doc,
            Method::POST,
            "/scenarios",
            "/scenarios",
            Some(def.clone()),
        )
        .await;
        assert_eq!(status, 422, "{def}: {err}");
    }
}

#[tokio::test]
async fn real_answers_fit_their_documented_responses() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let def = json!({"name": "New customers to the CRM", "trigger": {"type": "added_to_group", "group_id": 999},
        "graph": {"start": "hook", "steps": [webhook_step("hook", None)]}});
    let (_, s) = checked(
        &app,
        &doc,
        Method::POST,
        "/scenarios",
        "/scenarios",
        Some(def),
    )
    .await;
    let id = s["id"].as_i64().unwrap();
    let one = format!("/scenarios/{id}");
    let (status, _) = checked(&app, &doc, Method::GET, "/scenarios", "/scenarios", None).await;
    assert_eq!(status, 200);
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        "/scenarios",
        "/scenarios?status=weird",
        None,
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        "/scenarios",
        "/scenarios?status=draft&status=active",
        None,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = checked(&app, &doc, Method::GET, "/scenarios/{id}", &one, None).await;
    assert_eq!(status, 200);
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        "/scenarios/{id}",
        "/scenarios/abc",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let update = json!({"version": s["version"], "definition": s["definition"]});
    let (status, _) = checked(
        &app,
        &doc,
        Method::PUT,
        "/scenarios/{id}",
        &one,
        Some(update.clone()),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = checked(
        &app,
        &doc,
        Method::PUT,
        "/scenarios/{id}",
        &one,
        Some(update),
    )
    .await;
    assert_eq!(status, 409, "an old version");
    let (status, v) = checked(
        &app,
        &doc,
        Method::POST,
        "/scenarios/{id}/validate",
        &format!("{one}/validate"),
        None,
    )
    .await;
    assert_eq!((status, &v["valid"]), (200, &json!(false)));
    let (status, err) = checked(
        &app,
        &doc,
        Method::POST,
        "/scenarios/{id}/activate",
        &format!("{one}/activate"),
        None,
    )
    .await;
    assert_eq!(status, 422, "group 999 does not exist");
    assert_eq!(err["error"]["problems"][0]["code"], "unknown_group");
    let (status, _) = checked(
        &app,
        &doc,
        Method::POST,
        "/scenarios/{id}/pause",
        &format!("{one}/pause"),
        None,
    )
    .await;
    assert_eq!(status, 409, "a draft cannot be paused");
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        "/scenarios/{id}/passes",
        &format!("{one}/passes"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let stats = "/scenarios/{id}/steps/{step_id}/stats";
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        stats,
        &format!("{one}/steps/hook/stats"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        stats,
        &format!("{one}/steps/bad%20id/stats"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let log = "/scenarios/{id}/steps/{step_id}/deliveries";
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        log,
        &format!("{one}/steps/hook/deliveries?state=failed"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = checked(
        &app,
        &doc,
        Method::GET,
        log,
        &format!("{one}/steps/hook/deliveries?limit=0"),
        None,
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = checked(
        &app,
        &doc,
        Method::POST,
        "/scenarios/{id}/archive",
        &format!("{one}/archive"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = checked(
        &app,
        &doc,
        Method::PUT,
        "/scenarios/{id}",
        &one,
        Some(json!({"version": 9, "definition": s["definition"]})),
    )
    .await;
    assert_eq!(status, 409, "archived");

    let event = json!({"type": "email_opened", "email": "nobody@example.org", "mailing_id": 1});
    let (status, _) = checked(&app, &doc, Method::POST, "/events", "/events", Some(event)).await;
    assert_eq!(status, 422);
    let config = json!({"url": "http://127.0.0.1:9/in", "fields": ["email"], "additional": [], "headers": []});
    let (status, result) = checked(
        &app,
        &doc,
        Method::POST,
        "/webhooks/test",
        "/webhooks/test",
        Some(json!({"config": config})),
    )
    .await;
    assert_eq!(
        (status, &result["accepted"]),
        (200, &json!(false)),
        "{result}"
    );
    let (status, _) = checked(
        &app,
        &doc,
        Method::POST,
        "/webhooks/test",
        "/webhooks/test",
        Some(json!({"config": {"url": "nope"}})),
    )
    .await;
    assert_eq!(status, 422);

    let (status, err) = app
        .send_as("", Method::GET, "/api/v1/scenarios", None)
        .await;
    assert_eq!(status, 401);
    assert!(
        schema::errors(&doc, component(&doc, "ErrorBody"), &err).is_empty(),
        "{err}"
    );
    let res = app
        .post("/api/v1/events")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .post("/api/v1/webhooks/test")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
}
