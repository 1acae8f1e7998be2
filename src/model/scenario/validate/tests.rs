//! Every validation rule and the words it uses.

mod criteria;
mod steps;
mod structure;
mod trigger;

use crate::model::scenario::ScenarioDefinition;
use crate::model::scenario::fixtures::refs;
use crate::model::scenario::problem::References;

/// A problem as (step, input, code, message).
type Seen = (Option<String>, String, &'static str, String);

fn problems_with(scenario: &ScenarioDefinition, refs: &References) -> Vec<Seen> {
    scenario
        .validate(refs)
        .into_iter()
        .map(|p| (p.step.map(|s| s.0), p.field, p.code.as_str(), p.message))
        .collect()
}

fn problems(scenario: &ScenarioDefinition) -> Vec<Seen> {
    problems_with(scenario, &refs())
}

fn on_step(step: &str, field: &str, code: &'static str, message: &str) -> Seen {
    (Some(step.into()), field.into(), code, message.into())
}

fn on_scenario(field: &str, code: &'static str, message: &str) -> Seen {
    (None, field.into(), code, message.into())
}
