//! Building blocks for the scenario tests.

use super::{
    Criteria, EntryRule, References, ScenarioDefinition, ScenarioGraph, Step, StepKind, Trigger,
    WaitSpec,
};
use crate::model::fields::{CustomField, CustomFieldKind};
use crate::model::ids::StepId;
use crate::webhook::config::WebhookStepInput;

pub(crate) fn id(s: &str) -> StepId {
    StepId(s.into())
}

fn link(next: Option<&str>) -> Option<StepId> {
    next.map(id)
}

pub(crate) fn wait(step: &str, next: Option<&str>) -> Step {
    Step {
        id: id(step),
        kind: StepKind::Wait {
            wait: WaitSpec::Duration { seconds: 3600 },
            next: link(next),
        },
    }
}

pub(crate) fn condition(step: &str, yes: Option<&str>, no: Option<&str>) -> Step {
    Step {
        id: id(step),
        kind: StepKind::Condition {
            criteria: Criteria::InGroup { group_id: 3 },
            yes: link(yes),
            no: link(no),
        },
    }
}

pub(crate) fn webhook(step: &str, next: Option<&str>) -> Step {
    Step {
        id: id(step),
        kind: StepKind::SendWebhook {
            config: WebhookStepInput {
                url: "https://crm.example.org/hooks/in".into(),
                ..WebhookStepInput::for_new_step()
            },
            next: link(next),
        },
    }
}

pub(crate) fn exit(step: &str) -> Step {
    Step {
        id: id(step),
        kind: StepKind::Exit {},
    }
}

/// An account with groups 3 and 7, subscription form 12, survey 14, update-profile
/// form 16, mailing 88, and custom fields `shoe_size` (number), `vip_since` (date)
/// and `favourite_colour` (text).
pub(crate) fn refs() -> References {
    References {
        custom_fields: vec![
            CustomField::new("shoe_size", "Shoe size", CustomFieldKind::Number).unwrap(),
            CustomField::new("vip_since", "VIP since", CustomFieldKind::Date).unwrap(),
            CustomField::new(
                "favourite_colour",
                "Favourite colour",
                CustomFieldKind::Text,
            )
            .unwrap(),
        ],
        group_ids: [3, 7].into(),
        subscription_form_ids: [12].into(),
        survey_form_ids: [14].into(),
        profile_form_ids: [16].into(),
        mailing_ids: [88].into(),
        ..References::default()
    }
}

/// A valid scenario with the given steps, starting at the first one.
pub(crate) fn scenario(steps: Vec<Step>) -> ScenarioDefinition {
    ScenarioDefinition {
        name: "Welcome series".into(),
        trigger: Trigger::FormSubmitted { form_id: 12 },
        entry_rule: EntryRule::Once,
        graph: ScenarioGraph {
            start: steps.first().map(|s| s.id.clone()),
            steps,
        },
    }
}
