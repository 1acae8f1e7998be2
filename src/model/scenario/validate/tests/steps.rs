use super::{on_step, problems, problems_with};
use crate::model::scenario::fixtures::{id, refs, scenario, webhook};
use crate::model::scenario::{ScenarioDefinition, Step, StepKind, WaitSpec};
use crate::webhook::config::{WebhookStepConfig, WebhookStepInput};
use crate::webhook::headers::HeaderInput;
use serde_json::{Value, json};

fn one_step(kind: StepKind) -> ScenarioDefinition {
    scenario(vec![Step { id: id("s"), kind }])
}

fn send_webhook(config: WebhookStepInput) -> ScenarioDefinition {
    one_step(StepKind::SendWebhook { config, next: None })
}

#[test]
fn webhook_problems_point_at_the_input_inside_the_step() {
    let config = WebhookStepInput {
        url: "ftp://example.org/".into(),
        fields: vec!["email".into(), "shoe_size".into(), "hat_size".into()],
        ..WebhookStepInput::default()
    };
    assert_eq!(
        problems(&send_webhook(config)),
        [
            on_step(
                "s",
                "steps[0].config.url",
                "invalid_webhook",
                "the URL must start with http:// or https://, not ftp://"
            ),
            on_step(
                "s",
                "steps[0].config.fields[2]",
                "invalid_webhook",
                "\"hat_size\" is not one of your contact fields"
            ),
        ]
    );
    assert_eq!(problems(&scenario(vec![webhook("s", None)])), []);
}

fn kept_secret_config() -> WebhookStepInput {
    WebhookStepInput {
        url: "https://crm.example.org/hooks/in".into(),
        headers: vec![HeaderInput {
            name: "authorization".into(),
            value: None,
            secret: true,
        }],
        ..WebhookStepInput::default()
    }
}

#[test]
fn a_secret_header_sent_back_without_its_value_needs_a_saved_secret() {
    assert_eq!(
        problems(&send_webhook(kept_secret_config())),
        [on_step(
            "s",
            "steps[0].config.headers[0].value",
            "invalid_webhook",
            "enter the value again: there is no saved secret for this header"
        )]
    );
    let saved_input = WebhookStepInput {
        headers: vec![HeaderInput {
            name: "Authorization".into(),
            value: Some("Bearer s3cret".into()),
            secret: true,
        }],
        ..kept_secret_config()
    };
    let saved = WebhookStepConfig::parse(&saved_input, &[], None).unwrap();
    let mut refs = refs();
    refs.keep_secrets_of(id("s"), &saved);
    assert_eq!(
        problems_with(&send_webhook(kept_secret_config()), &refs),
        []
    );
    // Names only: the secret never reaches what the editor may be sent.
    let shared = serde_json::to_string(&refs).unwrap();
    assert!(!shared.contains("s3cret"), "{shared}");
    // Another step does not inherit it.
    refs.saved_secret_headers
        .insert(id("other"), refs.saved_secret_headers[&id("s")].clone());
    refs.saved_secret_headers.remove(&id("s"));
    assert_eq!(
        problems_with(&send_webhook(kept_secret_config()), &refs).len(),
        1
    );
}

fn waiting(wait: WaitSpec) -> ScenarioDefinition {
    one_step(StepKind::Wait { wait, next: None })
}

#[test]
fn a_wait_lasts_from_one_second_to_365_days() {
    let year = 365 * 24 * 60 * 60;
    assert_eq!(problems(&waiting(WaitSpec::Duration { seconds: 1 })), []);
    assert_eq!(problems(&waiting(WaitSpec::Duration { seconds: year })), []);
    assert_eq!(
        problems(&waiting(WaitSpec::Duration { seconds: 0 })),
        [on_step(
            "s",
            "steps[0].wait.seconds",
            "invalid_value",
            "wait at least 1 second"
        )]
    );
    assert_eq!(
        problems(&waiting(WaitSpec::Duration { seconds: year + 1 })),
        [on_step(
            "s",
            "steps[0].wait.seconds",
            "invalid_value",
            "a wait is at most 365 days"
        )]
    );
}

#[test]
fn a_wait_until_needs_its_date() {
    assert_eq!(
        problems(&waiting(WaitSpec::Until { at: None })),
        [on_step(
            "s",
            "steps[0].wait.at",
            "value_required",
            "choose the date and time to wait until"
        )]
    );
    let at = Some("2024-11-29T08:00:00Z".parse().unwrap());
    assert_eq!(problems(&waiting(WaitSpec::Until { at })), []);
}

#[test]
fn a_group_step_needs_a_group_that_exists() {
    for kind in [
        StepKind::AddToGroup {
            group_id: 5,
            next: None,
        },
        StepKind::RemoveFromGroup {
            group_id: 5,
            next: None,
        },
    ] {
        assert_eq!(
            problems(&one_step(kind)),
            [on_step(
                "s",
                "steps[0].group_id",
                "unknown_group",
                "this group does not exist any more; choose another group"
            )]
        );
    }
    assert_eq!(
        problems(&one_step(StepKind::AddToGroup {
            group_id: 7,
            next: None
        })),
        []
    );
}

fn update(field: &str, value: Value) -> Vec<super::Seen> {
    problems(&one_step(StepKind::UpdateField {
        field: field.into(),
        value,
        next: None,
    }))
}

#[test]
fn an_update_writes_a_value_of_the_fields_kind() {
    let fine = [
        ("shoe_size", json!(42)),
        ("shoe_size", json!(41.5)),
        ("vip_since", json!("2024-06-01")),
        ("favourite_colour", json!("teal")),
        ("firstname", json!("x".repeat(2000))),
        ("consent_type", json!("Express")),
        ("company", Value::Null),
    ];
    for (field, value) in fine {
        assert_eq!(update(field, value.clone()), [], "{field} = {value}");
    }
    let refused = [
        ("shoe_size", json!("42"), "enter a number"),
        (
            "vip_since",
            json!("2024-13-01"),
            "enter a date as YYYY-MM-DD (for example 2024-05-28)",
        ),
        (
            "vip_since",
            json!("2024-06-01T10:00:00Z"),
            "enter a date as YYYY-MM-DD (for example 2024-05-28)",
        ),
        ("firstname", json!(7), "enter text"),
        (
            "firstname",
            json!("x".repeat(2001)),
            "a value is at most 2000 characters (this one has 2001)",
        ),
        (
            "consent_type",
            json!("maybe"),
            "choose one of: express, implied",
        ),
    ];
    for (field, value, message) in refused {
        assert_eq!(
            update(field, value),
            [on_step("s", "steps[0].value", "invalid_value", message)],
            "{field}"
        );
    }
}

#[test]
fn an_update_cannot_change_email_groups_or_statistics() {
    let cases = [
        (
            "email",
            "the email address identifies the contact, so a scenario cannot change it",
        ),
        (
            "groups",
            "use an Add to group or Remove from group step to change groups",
        ),
        (
            "mailings_opened",
            "Mailings opened is counted by Hookflow, so a scenario cannot change it",
        ),
    ];
    for (field, message) in cases {
        assert_eq!(
            update(field, json!("x")),
            [on_step(
                "s",
                "steps[0].field",
                "field_not_updatable",
                message
            )]
        );
    }
    assert_eq!(
        update("hat_size", json!(3)),
        [on_step(
            "s",
            "steps[0].field",
            "unknown_field",
            "\"hat_size\" is not one of your contact fields"
        )]
    );
}
