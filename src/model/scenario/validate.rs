//! Everything that must be right before a scenario may be activated. Every problem
//! is reported at once, on the step and input it belongs to.

mod criteria_rules;
mod step_rules;
mod structure;
mod trigger_rules;
mod values;

#[cfg(test)]
mod tests;

use super::ScenarioDefinition;
use super::problem::{Problem, ProblemCode, Problems, References};
use crate::model::fields::Catalogue;

/// The bounds validation enforces.
pub mod limits {
    pub use crate::model::scenario::step::MAX_STEP_ID_LEN;

    pub const MAX_NAME_LEN: usize = 200;
    pub const MAX_STEPS: usize = 200;
    pub const MIN_WAIT_SECONDS: u64 = 1;
    pub const MAX_WAIT_SECONDS: u64 = 365 * 24 * 60 * 60;
    /// Levels of AND/OR nesting, counting the conditions themselves as one level.
    pub const MAX_CRITERIA_DEPTH: usize = 5;
    /// Text an Update a field step writes, or criteria compare with.
    pub const MAX_TEXT_VALUE_LEN: usize = 2000;
    /// How far from a contact's date a "date reached" trigger may fire…
    pub const MAX_OFFSET_DAYS: i32 = 3650;
    /// …and when it fires every year, no more than a year away.
    pub const MAX_YEARLY_OFFSET_DAYS: i32 = 365;
    /// How long before consent expires a "consent expires" trigger may fire.
    pub const MAX_CONSENT_NOTICE_DAYS: u32 = 365;
}

/// What every check needs.
pub(crate) struct Context<'a> {
    pub refs: &'a References,
    pub catalogue: Catalogue<'a>,
}

pub(crate) fn validate(scenario: &ScenarioDefinition, refs: &References) -> Vec<Problem> {
    let cx = Context {
        refs,
        catalogue: Catalogue::new(&refs.custom_fields),
    };
    let mut problems = Problems::default();
    check_name(&scenario.name, &mut problems);
    trigger_rules::check(&scenario.trigger, &cx, &mut problems);
    let shape = structure::check_graph(&scenario.graph, &mut problems);
    for (i, step) in scenario.graph.steps.iter().enumerate() {
        structure::check_step(i, step, &shape, &mut problems);
        step_rules::check(i, step, &cx, &mut problems);
    }
    problems.into_vec()
}

fn check_name(name: &str, problems: &mut Problems) {
    let len = name.trim().chars().count();
    if len == 0 {
        problems.add(
            None,
            "name",
            ProblemCode::NameRequired,
            "give the scenario a name",
        );
    } else if len > limits::MAX_NAME_LEN {
        problems.add(
            None,
            "name",
            ProblemCode::NameTooLong,
            format!(
                "a scenario name is at most {} characters (this one has {len})",
                limits::MAX_NAME_LEN
            ),
        );
    }
}
