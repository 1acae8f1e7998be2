//! The steps a contact walks through, and the links between them.

use super::criteria::Criteria;
use crate::model::ids::StepId;
use crate::webhook::config::WebhookStepInput;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One step of a scenario. Its id is chosen by the editor and stays the same across
/// edits, so statistics stay attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub id: StepId,
    #[serde(flatten)]
    pub kind: StepKind,
}

/// What a step does. A `None` link means the journey ends after the step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepKind {
    SendWebhook {
        config: WebhookStepInput,
        #[serde(default)]
        next: Option<StepId>,
    },
    Wait {
        wait: WaitSpec,
        #[serde(default)]
        next: Option<StepId>,
    },
    /// Contacts who meet the criteria go to `yes`, the others to `no`.
    Condition {
        criteria: Criteria,
        #[serde(default)]
        yes: Option<StepId>,
        #[serde(default)]
        no: Option<StepId>,
    },
    AddToGroup {
        group_id: i64,
        #[serde(default)]
        next: Option<StepId>,
    },
    RemoveFromGroup {
        group_id: i64,
        #[serde(default)]
        next: Option<StepId>,
    },
    UpdateField {
        field: String,
        /// `null` empties the field.
        #[serde(default)]
        value: Value,
        #[serde(default)]
        next: Option<StepId>,
    },
    /// The journey ends here.
    Exit {},
}

/// How long a Wait step holds a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum WaitSpec {
    Duration {
        seconds: u64,
    },
    /// Until a moment; contacts who arrive after it go on at once. `None` while the
    /// marketer has not chosen it yet.
    Until {
        #[serde(default)]
        at: Option<DateTime<Utc>>,
    },
}

/// Which way a contact leaves a step: `Next` for every step but a Condition, whose
/// ways are `Yes` and `No`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Branch {
    Next,
    Yes,
    No,
}

impl Branch {
    /// The step's JSON key holding this link.
    pub fn as_str(self) -> &'static str {
        match self {
            Branch::Next => "next",
            Branch::Yes => "yes",
            Branch::No => "no",
        }
    }
}

/// A condition's outcome picks its branch.
impl From<bool> for Branch {
    fn from(met: bool) -> Self {
        if met { Branch::Yes } else { Branch::No }
    }
}

pub const MAX_STEP_ID_LEN: usize = 64;

/// 1 to 64 ASCII letters, digits, `-` and `_`: safe in URLs, CSS selectors and logs.
pub fn is_valid_step_id(id: &str) -> bool {
    (1..=MAX_STEP_ID_LEN).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl StepKind {
    /// The words the editor shows.
    pub fn label(&self) -> &'static str {
        match self {
            StepKind::SendWebhook { .. } => "Send a Webhook",
            StepKind::Wait { .. } => "Wait",
            StepKind::Condition { .. } => "Condition",
            StepKind::AddToGroup { .. } => "Add to group",
            StepKind::RemoveFromGroup { .. } => "Remove from group",
            StepKind::UpdateField { .. } => "Update a field",
            StepKind::Exit {} => "Exit",
        }
    }

    /// Every way out of the step, linked or not, in the editor's order.
    pub fn links(&self) -> Vec<(Branch, Option<&StepId>)> {
        match self {
            StepKind::Condition { yes, no, .. } => {
                vec![(Branch::Yes, yes.as_ref()), (Branch::No, no.as_ref())]
            }
            StepKind::Exit {} => vec![],
            StepKind::SendWebhook { next, .. }
            | StepKind::Wait { next, .. }
            | StepKind::AddToGroup { next, .. }
            | StepKind::RemoveFromGroup { next, .. }
            | StepKind::UpdateField { next, .. } => vec![(Branch::Next, next.as_ref())],
        }
    }

    /// The link of one branch, to connect or disconnect it; `None` when the step has
    /// no such branch.
    pub fn link_mut(&mut self, branch: Branch) -> Option<&mut Option<StepId>> {
        match (self, branch) {
            (StepKind::Condition { yes, .. }, Branch::Yes) => Some(yes),
            (StepKind::Condition { no, .. }, Branch::No) => Some(no),
            (StepKind::Condition { .. } | StepKind::Exit {}, _) => None,
            (
                StepKind::SendWebhook { next, .. }
                | StepKind::Wait { next, .. }
                | StepKind::AddToGroup { next, .. }
                | StepKind::RemoveFromGroup { next, .. }
                | StepKind::UpdateField { next, .. },
                Branch::Next,
            ) => Some(next),
            _ => None,
        }
    }
}

impl Step {
    /// The steps this one leads to (a Condition's `yes` before its `no`).
    pub fn successors(&self) -> impl Iterator<Item = &StepId> {
        self.kind.links().into_iter().filter_map(|(_, to)| to)
    }

    /// Where a contact leaving by `branch` goes; `None` when the journey ends or the
    /// step has no such branch.
    pub fn next(&self, branch: Branch) -> Option<&StepId> {
        self.kind
            .links()
            .into_iter()
            .find(|(b, _)| *b == branch)
            .and_then(|(_, to)| to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(s: &str) -> StepId {
        StepId(s.into())
    }

    fn condition(yes: Option<&str>, no: Option<&str>) -> Step {
        Step {
            id: id("check"),
            kind: StepKind::Condition {
                criteria: Criteria::InGroup { group_id: 1 },
                yes: yes.map(id),
                no: no.map(id),
            },
        }
    }

    #[test]
    fn a_condition_leads_to_its_yes_then_its_no_step() {
        let step = condition(Some("vip"), Some("others"));
        assert_eq!(
            step.successors().collect::<Vec<_>>(),
            [&id("vip"), &id("others")]
        );
        assert_eq!(step.next(Branch::from(true)), Some(&id("vip")));
        assert_eq!(step.next(Branch::from(false)), Some(&id("others")));
        assert_eq!(step.next(Branch::Next), None);
        let half = condition(None, Some("others"));
        assert_eq!(half.successors().collect::<Vec<_>>(), [&id("others")]);
    }

    #[test]
    fn an_exit_leads_nowhere_and_other_steps_to_their_next() {
        let exit = Step {
            id: id("end"),
            kind: StepKind::Exit {},
        };
        assert_eq!(exit.successors().count(), 0);
        let mut add = Step {
            id: id("add"),
            kind: StepKind::AddToGroup {
                group_id: 3,
                next: None,
            },
        };
        assert_eq!(add.successors().count(), 0);
        *add.kind.link_mut(Branch::Next).unwrap() = Some(id("end"));
        assert_eq!(add.next(Branch::Next), Some(&id("end")));
        assert!(add.kind.link_mut(Branch::Yes).is_none());
    }

    #[test]
    fn step_ids_are_short_and_plain() {
        assert!(is_valid_step_id("welcome_1-b"));
        assert!(is_valid_step_id(&"a".repeat(64)));
        assert!(!is_valid_step_id(&"a".repeat(65)));
        assert!(!is_valid_step_id(""));
        assert!(!is_valid_step_id("send webhook"));
        assert!(!is_valid_step_id("étape"));
    }

    #[test]
    fn an_unknown_key_in_a_step_is_refused() {
        let err = serde_json::from_value::<Step>(json!({
            "id": "w", "type": "wait", "wait": {"type": "duration", "seconds": 60}, "nxt": "x"
        }))
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown field `nxt`"), "{err}");
        let exit: Step = serde_json::from_value(json!({"id": "end", "type": "exit"})).unwrap();
        assert_eq!(exit.kind, StepKind::Exit {});
        assert_eq!(
            serde_json::to_value(&exit).unwrap(),
            json!({"id": "end", "type": "exit"})
        );
    }
}
