//! The JSON the REST API and the editor exchange.

use super::fixtures::{id, refs};
use super::*;
use crate::webhook::config::{AdditionalInput, WebhookStepInput};
use crate::webhook::headers::HeaderInput;
use serde_json::{Value, json};

/// A full scenario as a client sends it to the REST API.
fn welcome_series_json() -> Value {
    json!({
        "name": "Welcome series",
        "trigger": {"type": "form_submitted", "form_id": 12},
        "entry_rule": "once",
        "graph": {
            "start": "notify_crm",
            "steps": [
                {"id": "notify_crm", "type": "send_webhook",
                 "config": {
                     "url": "https://crm.example.org/hooks/in",
                     "fields": ["email", "firstname", "lastname"],
                     "additional": [{"key": "source", "value": "Welcome {{firstname}}"}],
                     "headers": [{"name": "X-Api-Key", "value": "k-123", "secret": true}]
                 },
                 "next": "wait_a_day"},
                {"id": "wait_a_day", "type": "wait",
                 "wait": {"type": "duration", "seconds": 86400}, "next": "is_vip"},
                {"id": "is_vip", "type": "condition",
                 "criteria": {"type": "all", "of": [
                     {"type": "field", "field": "shoe_size", "op": "gt", "value": 40},
                     {"type": "any", "of": [
                         {"type": "in_group", "group_id": 3},
                         {"type": "consent", "consent_type": "express", "valid": true}
                     ]}
                 ]},
                 "yes": "add_vip", "no": "leave_newsletter"},
                {"id": "add_vip", "type": "add_to_group", "group_id": 7, "next": "mark_vip"},
                {"id": "mark_vip", "type": "update_field",
                 "field": "vip_since", "value": "2024-06-01", "next": "done"},
                {"id": "leave_newsletter", "type": "remove_from_group", "group_id": 3,
                 "next": "until_sale"},
                {"id": "until_sale", "type": "wait",
                 "wait": {"type": "until", "at": "2024-11-29T08:00:00Z"}, "next": null},
                {"id": "done", "type": "exit"}
            ]
        }
    })
}

fn welcome_series() -> ScenarioDefinition {
    let step = |name: &str, kind| Step { id: id(name), kind };
    let next = |name: &str| Some(id(name));
    ScenarioDefinition {
        name: "Welcome series".into(),
        trigger: Trigger::FormSubmitted { form_id: 12 },
        entry_rule: EntryRule::Once,
        graph: ScenarioGraph {
            start: next("notify_crm"),
            steps: vec![
                step(
                    "notify_crm",
                    StepKind::SendWebhook {
                        config: WebhookStepInput {
                            url: "https://crm.example.org/hooks/in".into(),
                            fields: vec!["email".into(), "firstname".into(), "lastname".into()],
                            additional: vec![AdditionalInput {
                                key: "source".into(),
                                value: "Welcome {{firstname}}".into(),
                            }],
                            headers: vec![HeaderInput {
                                name: "X-Api-Key".into(),
                                value: Some("k-123".into()),
                                secret: true,
                            }],
                        },
                        next: next("wait_a_day"),
                    },
                ),
                step(
                    "wait_a_day",
                    StepKind::Wait {
                        wait: WaitSpec::Duration { seconds: 86400 },
                        next: next("is_vip"),
                    },
                ),
                step(
                    "is_vip",
                    StepKind::Condition {
                        criteria: Criteria::All {
                            of: vec![
                                Criteria::Field {
                                    field: "shoe_size".into(),
                                    op: FieldOp::Gt,
                                    value: Some(json!(40)),
                                },
                                Criteria::Any {
                                    of: vec![
                                        Criteria::InGroup { group_id: 3 },
                                        Criteria::Consent {
                                            consent_type: ConsentType::Express,
                                            valid: true,
                                        },
                                    ],
                                },
                            ],
                        },
                        yes: next("add_vip"),
                        no: next("leave_newsletter"),
                    },
                ),
                step(
                    "add_vip",
                    StepKind::AddToGroup {
                        group_id: 7,
                        next: next("mark_vip"),
                    },
                ),
                step(
                    "mark_vip",
                    StepKind::UpdateField {
                        field: "vip_since".into(),
                        value: json!("2024-06-01"),
                        next: next("done"),
                    },
                ),
                step(
                    "leave_newsletter",
                    StepKind::RemoveFromGroup {
                        group_id: 3,
                        next: next("until_sale"),
                    },
                ),
                step(
                    "until_sale",
                    StepKind::Wait {
                        wait: WaitSpec::Until {
                            at: Some("2024-11-29T08:00:00Z".parse().unwrap()),
                        },
                        next: None,
                    },
                ),
                step("done", StepKind::Exit {}),
            ],
        },
    }
}

#[test]
fn a_full_scenario_reads_and_writes_the_rest_apis_json() {
    let read: ScenarioDefinition = serde_json::from_value(welcome_series_json()).unwrap();
    assert_eq!(read, welcome_series());
    assert_eq!(serde_json::to_value(&read).unwrap(), welcome_series_json());
    let text = serde_json::to_string(&read).unwrap();
    assert_eq!(
        serde_json::from_str::<ScenarioDefinition>(&text).unwrap(),
        read
    );
}

#[test]
fn the_full_example_scenario_is_ready_to_activate() {
    assert_eq!(welcome_series().validate(&refs()), []);
    assert!(welcome_series().is_valid(&refs()));
}

#[test]
fn a_new_draft_needs_only_a_name_and_a_trigger() {
    let draft: ScenarioDefinition = serde_json::from_value(json!({
        "name": "Birthday", "trigger": {"type": "date_reached", "field": "birthdate", "yearly": true}
    }))
    .unwrap();
    assert_eq!(draft.entry_rule, EntryRule::Once);
    assert_eq!(draft.graph, ScenarioGraph::default());
    let codes: Vec<_> = draft
        .validate(&refs())
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, [ProblemCode::EmptyScenario]);
}

#[test]
fn a_step_left_unlinked_ends_the_journey() {
    let step: Step = serde_json::from_value(json!({
        "id": "add", "type": "add_to_group", "group_id": 7
    }))
    .unwrap();
    assert_eq!(step.successors().count(), 0);
}

#[test]
fn a_misplaced_key_is_refused_with_its_name() {
    let mut json = welcome_series_json();
    json["steps"] = json!([]);
    let err = serde_json::from_value::<ScenarioDefinition>(json).unwrap_err();
    assert!(err.to_string().contains("unknown field `steps`"), "{err}");
    let mut json = welcome_series_json();
    json["graph"]["steps"][1]["wait"] = json!({"type": "duration", "minutes": 5});
    let err = serde_json::from_value::<ScenarioDefinition>(json).unwrap_err();
    assert!(err.to_string().contains("unknown field `minutes`"), "{err}");
}

#[test]
fn statuses_and_entry_rules_are_snake_case() {
    assert_eq!(
        serde_json::to_value(ScenarioStatus::Archived).unwrap(),
        json!("archived")
    );
    assert_eq!(ScenarioStatus::default(), ScenarioStatus::Draft);
    assert_eq!(
        serde_json::to_value(EntryRule::Reentry).unwrap(),
        json!("reentry")
    );
}
