//! Real scenarios, the way the editor and programs send them, fit the documented
//! `ScenarioDefinition`; and what the schema refuses, the server refuses too.

use super::common::TestApp;
use super::{checked, component, document, schema};
use reqwest::Method;
use serde_json::{Value, json};

pub(super) fn webhook_step(id: &str, next: Option<&str>) -> Value {
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
async fn real_scenarios_fit_the_documented_schema_and_what_it_refuses_the_server_refuses() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let definition = component(&doc, "ScenarioDefinition");
    for def in real_scenarios() {
        let wrong = schema::errors(&doc, definition, &def);
        assert!(wrong.is_empty(), "{wrong:#?}\n{def}");
        let (status, saved) =
            checked(&app, &doc, Method::POST, "/scenarios", Some(def.clone())).await;
        assert_eq!(status, 201, "{saved}");
        let wrong = schema::errors(&doc, definition, &saved["definition"]);
        assert!(wrong.is_empty(), "the saved definition: {wrong:#?}");
    }
    for def in unreadable_scenarios() {
        assert!(
            !schema::errors(&doc, definition, &def).is_empty(),
            "the schema takes {def}"
        );
        let (status, err) =
            checked(&app, &doc, Method::POST, "/scenarios", Some(def.clone())).await;
        assert_eq!(status, 422, "{def}: {err}");
    }
}
