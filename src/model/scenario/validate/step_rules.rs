//! What each kind of step needs to be complete.

use super::limits::{MAX_WAIT_SECONDS, MIN_WAIT_SECONDS};
use super::values::writable;
use super::{Context, criteria_rules};
use crate::model::fields::{FieldGroup, FieldKind};
use crate::model::ids::StepId;
use crate::model::scenario::problem::{ProblemCode, Problems};
use crate::model::scenario::step::{Step, StepKind, WaitSpec};
use crate::webhook::config::{WebhookStepConfig, WebhookStepInput};
use crate::webhook::headers::SECRET_MASK;
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn check(i: usize, step: &Step, cx: &Context<'_>, problems: &mut Problems) {
    let id = Some(&step.id);
    let at = |field: &str| format!("steps[{i}].{field}");
    match &step.kind {
        StepKind::SendWebhook { config, .. } => {
            let input = with_kept_secrets(config, cx, &step.id);
            if let Err(errors) = WebhookStepConfig::parse(&input, &cx.refs.custom_fields, None) {
                for e in errors {
                    let field = at(&format!("config.{}", e.field));
                    problems.add(id, field, ProblemCode::InvalidWebhook, e.message);
                }
            }
        }
        StepKind::Wait { wait, .. } => wait_rules(wait, id, i, problems),
        StepKind::Condition { criteria, .. } => {
            criteria_rules::check(criteria, &at("criteria"), id, cx, problems);
        }
        StepKind::AddToGroup { group_id, .. } | StepKind::RemoveFromGroup { group_id, .. } => {
            if !cx.refs.group_ids.contains(group_id) {
                let message = "this group does not exist any more; choose another group";
                problems.add(id, at("group_id"), ProblemCode::UnknownGroup, message);
            }
        }
        StepKind::UpdateField { field, value, .. } => {
            update_field(field, value, cx, id, i, problems);
        }
        StepKind::Exit {} => {}
    }
}

/// A header row sent back without its value keeps the secret saved for it. The
/// secret itself is not needed to check the step: a stand-in value takes its place.
fn with_kept_secrets<'i>(
    input: &'i WebhookStepInput,
    cx: &Context<'_>,
    step: &StepId,
) -> Cow<'i, WebhookStepInput> {
    let Some(kept) = cx.refs.saved_secret_headers.get(step) else {
        return Cow::Borrowed(input);
    };
    let mut input = input.clone();
    for row in &mut input.headers {
        let keeps = row.value.as_deref().is_none_or(|v| v == SECRET_MASK);
        let saved = kept
            .iter()
            .any(|name| name.trim().eq_ignore_ascii_case(row.name.trim()));
        if keeps && saved {
            row.value = Some("kept-secret".into());
            row.secret = true;
        }
    }
    Cow::Owned(input)
}

fn wait_rules(wait: &WaitSpec, id: Option<&StepId>, i: usize, problems: &mut Problems) {
    match wait {
        WaitSpec::Duration { seconds } if *seconds < MIN_WAIT_SECONDS => {
            let message = "wait at least 1 second";
            problems.add(
                id,
                format!("steps[{i}].wait.seconds"),
                ProblemCode::InvalidValue,
                message,
            );
        }
        WaitSpec::Duration { seconds } if *seconds > MAX_WAIT_SECONDS => {
            let message = "a wait is at most 365 days";
            problems.add(
                id,
                format!("steps[{i}].wait.seconds"),
                ProblemCode::InvalidValue,
                message,
            );
        }
        WaitSpec::Until { at: None } => {
            let message = "choose the date and time to wait until";
            problems.add(
                id,
                format!("steps[{i}].wait.at"),
                ProblemCode::ValueRequired,
                message,
            );
        }
        WaitSpec::Duration { .. } | WaitSpec::Until { at: Some(_) } => {}
    }
}

fn update_field(
    key: &str,
    value: &Value,
    cx: &Context<'_>,
    id: Option<&StepId>,
    i: usize,
    problems: &mut Problems,
) {
    let at = |field: &str| format!("steps[{i}].{field}");
    let Some(field) = cx.catalogue.get(key) else {
        let message = format!("\"{key}\" is not one of your contact fields");
        problems.add(id, at("field"), ProblemCode::UnknownField, message);
        return;
    };
    let refusal = match (field.kind, field.group) {
        (FieldKind::Email, _) => Some(
            "the email address identifies the contact, so a scenario cannot change it".to_string(),
        ),
        (FieldKind::List, _) => {
            Some("use an Add to group or Remove from group step to change groups".into())
        }
        (_, FieldGroup::PersonalStatistics) => Some(format!(
            "{} is counted by Hookflow, so a scenario cannot change it",
            field.label
        )),
        _ => None,
    };
    if let Some(message) = refusal {
        problems.add(id, at("field"), ProblemCode::FieldNotUpdatable, message);
    } else if let Err(message) = writable(&field, value) {
        problems.add(id, at("value"), ProblemCode::InvalidValue, message);
    }
}
