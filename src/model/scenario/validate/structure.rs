//! The shape of the graph: steps, ids, links, reachability and loops.

use super::limits::MAX_STEPS;
use crate::model::ids::StepId;
use crate::model::scenario::graph::ScenarioGraph;
use crate::model::scenario::problem::{ProblemCode, Problems};
use crate::model::scenario::step::{Branch, Step, is_valid_step_id};
use std::collections::{BTreeMap, BTreeSet};

/// What the whole graph tells about each step.
pub(crate) struct Shape<'g> {
    index: BTreeMap<&'g StepId, usize>,
    /// `None` when there is no valid start: then reachability says nothing.
    reachable: Option<BTreeSet<usize>>,
    loop_links: Vec<(usize, Branch)>,
}

pub(crate) fn check_graph<'g>(graph: &'g ScenarioGraph, problems: &mut Problems) -> Shape<'g> {
    let count = graph.steps.len();
    if count == 0 {
        problems.add(
            None,
            "steps",
            ProblemCode::EmptyScenario,
            "add at least one step after the trigger",
        );
    }
    if count > MAX_STEPS {
        problems.add(
            None,
            "steps",
            ProblemCode::TooManySteps,
            format!("a scenario can have at most {MAX_STEPS} steps (this one has {count})"),
        );
    }
    let index = graph.index();
    let start_found = match &graph.start {
        None if count > 0 => {
            let message = "choose the step contacts start with";
            problems.add(None, "start", ProblemCode::MissingStart, message);
            false
        }
        None => false,
        Some(id) if !index.contains_key(id) => {
            let message = format!("the first step \"{id}\" does not exist");
            problems.add(None, "start", ProblemCode::UnknownStep, message);
            false
        }
        Some(_) => true,
    };
    Shape {
        reachable: start_found.then(|| graph.reachable(&index)),
        loop_links: graph.loop_links(&index),
        index,
    }
}

pub(crate) fn check_step(i: usize, step: &Step, shape: &Shape<'_>, problems: &mut Problems) {
    let id = &step.id;
    let at = |field: &str| format!("steps[{i}].{field}");
    if !is_valid_step_id(&id.0) {
        let message = if id.0.is_empty() {
            "give the step an id".to_string()
        } else {
            format!("the step id \"{id}\" may only use letters, digits, - and _ (at most 64)")
        };
        problems.add(Some(id), at("id"), ProblemCode::InvalidStepId, message);
    }
    let first = shape.index.get(id).copied();
    if first != Some(i) {
        let message =
            format!("another step already uses the id \"{id}\"; give this one another id");
        problems.add(Some(id), at("id"), ProblemCode::DuplicateStepId, message);
    }
    for (branch, to) in step.kind.links() {
        if let Some(to) = to.filter(|to| !shape.index.contains_key(to)) {
            let message = format!("{} to \"{to}\", which does not exist", leads(branch));
            problems.add(
                Some(id),
                at(branch.as_str()),
                ProblemCode::UnknownStep,
                message,
            );
        }
    }
    let unreachable = shape.reachable.as_ref().is_some_and(|r| !r.contains(&i));
    if unreachable && first == Some(i) {
        problems.add(
            Some(id),
            format!("steps[{i}]"),
            ProblemCode::UnreachableStep,
            "no contact can reach this step: link it from another step or remove it",
        );
    }
    for &(_, branch) in shape.loop_links.iter().filter(|(at, _)| *at == i) {
        let to = step.next(branch).expect("a loop link leads somewhere");
        let message = format!(
            "{} back to \"{to}\", which contacts have already passed: they would go round in circles forever",
            leads(branch)
        );
        problems.add(Some(id), at(branch.as_str()), ProblemCode::Cycle, message);
    }
}

fn leads(branch: Branch) -> &'static str {
    match branch {
        Branch::Next => "this step leads",
        Branch::Yes => "the Yes branch leads",
        Branch::No => "the No branch leads",
    }
}
