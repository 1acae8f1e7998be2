//! Scenarios: one trigger, then a graph of steps every enrolled contact walks through.
//!
//! Pure types shared by the server, the REST API and the browser editor: the JSON
//! of [`ScenarioDefinition`] is the wire format of both. [`ScenarioDefinition::validate`]
//! lists every problem at once, each attached to its step and input, so the editor
//! can mark them all and activation can refuse a scenario that is not ready.

mod criteria;
mod graph;
mod problem;
mod secrets;
mod step;
mod trigger;
mod validate;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod json_tests;

pub use criteria::{ConsentType, ContactFacts, Criteria, FieldOp};
pub use graph::ScenarioGraph;
pub use problem::{FormKind, Problem, ProblemCode, References};
pub use step::{Branch, Step, StepKind, WaitSpec, is_valid_step_id};
pub use trigger::{EmailActivity, Trigger};
pub use validate::limits;

use serde::{Deserialize, Serialize};

/// Where a scenario is in its life. Only an `active` scenario enrols contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScenarioStatus {
    #[default]
    Draft,
    Active,
    Paused,
    Archived,
}

impl ScenarioStatus {
    /// As stored and in the API: `draft`, `active`, `paused`, `archived`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioStatus::Draft => "draft",
            ScenarioStatus::Active => "active",
            ScenarioStatus::Paused => "paused",
            ScenarioStatus::Archived => "archived",
        }
    }

    /// In the marketer's words.
    pub fn label(self) -> &'static str {
        match self {
            ScenarioStatus::Draft => "Draft",
            ScenarioStatus::Active => "Active",
            ScenarioStatus::Paused => "Paused",
            ScenarioStatus::Archived => "Archived",
        }
    }
}

/// Whether a contact may go through the scenario more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryRule {
    /// A contact enters at most once, ever.
    #[default]
    Once,
    /// A contact may enter again each time the trigger fires.
    Reentry,
}

/// Everything the marketer edits: the scenario without its id and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioDefinition {
    pub name: String,
    pub trigger: Trigger,
    #[serde(default)]
    pub entry_rule: EntryRule,
    #[serde(default)]
    pub graph: ScenarioGraph,
}

impl ScenarioDefinition {
    /// Every problem that stops this scenario from being activated; empty when it
    /// is ready. A draft may be saved with problems.
    pub fn validate(&self, refs: &References) -> Vec<Problem> {
        validate::validate(self, refs)
    }

    pub fn is_valid(&self, refs: &References) -> bool {
        self.validate(refs).is_empty()
    }
}
