//! Edits of the step graph, as the editor makes them: insert a step on an edge,
//! delete a step (its successor takes its place). Pure, so they are easy to test.

use hookflow::model::StepId;
use hookflow::model::scenario::{Branch, Criteria, ScenarioGraph, Step, StepKind, WaitSpec};
use hookflow::webhook::config::WebhookStepInput;
use leptos::serde_json;
use std::collections::BTreeSet;

/// An edge of the drawing: where a new step goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// Between the trigger and the first step.
    Start,
    /// After a step, on one of its branches.
    After(StepId, Branch),
}

/// The kinds of step the "+" menu offers, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewStep {
    SendWebhook,
    Wait,
    Condition,
    AddToGroup,
    RemoveFromGroup,
    UpdateField,
    Exit,
}

impl NewStep {
    pub const ALL: [NewStep; 7] = [
        NewStep::SendWebhook,
        NewStep::Wait,
        NewStep::Condition,
        NewStep::AddToGroup,
        NewStep::RemoveFromGroup,
        NewStep::UpdateField,
        NewStep::Exit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NewStep::SendWebhook => "Send a Webhook",
            NewStep::Wait => "Wait",
            NewStep::Condition => "Condition",
            NewStep::AddToGroup => "Add to group",
            NewStep::RemoveFromGroup => "Remove from group",
            NewStep::UpdateField => "Update a field",
            NewStep::Exit => "Exit",
        }
    }

    /// The new step, leading to `next` (a condition leads there on "yes").
    fn build(self, next: Option<StepId>, first_group: Option<i64>) -> StepKind {
        let group_id = first_group.unwrap_or(0);
        match self {
            NewStep::SendWebhook => StepKind::SendWebhook {
                config: WebhookStepInput::for_new_step(),
                next,
            },
            NewStep::Wait => StepKind::Wait {
                wait: WaitSpec::Duration { seconds: 86_400 },
                next,
            },
            NewStep::Condition => StepKind::Condition {
                criteria: Criteria::InGroup { group_id },
                yes: next,
                no: None,
            },
            NewStep::AddToGroup => StepKind::AddToGroup { group_id, next },
            NewStep::RemoveFromGroup => StepKind::RemoveFromGroup { group_id, next },
            NewStep::UpdateField => StepKind::UpdateField {
                field: String::new(),
                value: serde_json::Value::String(String::new()),
                next,
            },
            NewStep::Exit => StepKind::Exit {},
        }
    }
}

/// Where `edge` leads now.
pub fn target(graph: &ScenarioGraph, edge: &Edge) -> Option<StepId> {
    match edge {
        Edge::Start => graph.start.clone(),
        Edge::After(id, branch) => graph.next_after(id, *branch).cloned(),
    }
}

fn link_mut<'a>(graph: &'a mut ScenarioGraph, edge: &Edge) -> Option<&'a mut Option<StepId>> {
    match edge {
        Edge::Start => Some(&mut graph.start),
        Edge::After(id, branch) => graph.step_mut(id)?.kind.link_mut(*branch),
    }
}

/// Inserts a new step with id `id` on `edge`. An Exit only goes where nothing
/// follows (it would cut the rest off).
pub fn insert(
    graph: &mut ScenarioGraph,
    edge: &Edge,
    kind: NewStep,
    id: StepId,
    first_group: Option<i64>,
) -> bool {
    let next = target(graph, edge);
    if kind == NewStep::Exit && next.is_some() {
        return false;
    }
    let Some(link) = link_mut(graph, edge) else {
        return false;
    };
    *link = Some(id.clone());
    let step = Step {
        id,
        kind: kind.build(next, first_group),
    };
    graph.steps.push(step);
    true
}

/// Deletes a step: whatever led to it leads to its successor (a condition's "yes",
/// else its "no"). Steps only it led to (the other branch) go with it.
pub fn delete(graph: &mut ScenarioGraph, id: &StepId) {
    let Some(step) = graph.step(id).cloned() else {
        return;
    };
    let reachable_before = reachable(graph);
    let successor = match &step.kind {
        StepKind::Condition { yes, no, .. } => yes.clone().or_else(|| no.clone()),
        other => other.links().first().and_then(|(_, to)| to.cloned()),
    };
    if graph.start.as_ref() == Some(id) {
        graph.start = successor.clone();
    }
    for s in &mut graph.steps {
        for branch in [Branch::Next, Branch::Yes, Branch::No] {
            if let Some(link) = s.kind.link_mut(branch)
                && link.as_ref() == Some(id)
            {
                *link = successor.clone();
            }
        }
    }
    graph.steps.retain(|s| &s.id != id);
    let reachable_after = reachable(graph);
    graph
        .steps
        .retain(|s| !reachable_before.contains(&s.id) || reachable_after.contains(&s.id));
}

fn reachable(graph: &ScenarioGraph) -> BTreeSet<StepId> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<StepId> = graph.start.iter().cloned().collect();
    while let Some(id) = queue.pop() {
        if seen.insert(id.clone())
            && let Some(step) = graph.step(&id)
        {
            queue.extend(step.successors().cloned());
        }
    }
    seen
}

/// A new step id: "s" and 8 random base62 characters, never reused.
pub fn new_step_id(graph: &ScenarioGraph, random: impl Fn() -> f64) -> StepId {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    loop {
        let tail: String = (0..8)
            .map(|_| {
                let i = ((random() * ALPHABET.len() as f64) as usize).min(ALPHABET.len() - 1);
                char::from(ALPHABET[i])
            })
            .collect();
        let id = StepId(format!("s{tail}"));
        if graph.step(&id).is_none() {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> StepId {
        StepId(s.into())
    }

    #[test]
    fn a_step_inserted_on_an_edge_leads_where_the_edge_led() {
        let mut g = ScenarioGraph::default();
        assert!(insert(&mut g, &Edge::Start, NewStep::Wait, id("a"), None));
        assert!(insert(
            &mut g,
            &Edge::Start,
            NewStep::SendWebhook,
            id("b"),
            None
        ));
        assert_eq!(g.start, Some(id("b")));
        assert_eq!(g.next_after(&id("b"), Branch::Next), Some(&id("a")));
        assert!(!insert(&mut g, &Edge::Start, NewStep::Exit, id("x"), None));
        let yes = Edge::After(id("b"), Branch::Next);
        assert!(insert(&mut g, &yes, NewStep::Condition, id("c"), Some(3)));
        assert_eq!(g.next_after(&id("c"), Branch::Yes), Some(&id("a")));
    }

    #[test]
    fn deleting_a_step_reconnects_its_successor_and_drops_its_other_branch() {
        let mut g = ScenarioGraph::default();
        insert(&mut g, &Edge::Start, NewStep::Wait, id("end"), None);
        insert(&mut g, &Edge::Start, NewStep::Condition, id("c"), Some(1));
        insert(
            &mut g,
            &Edge::After(id("c"), Branch::No),
            NewStep::Wait,
            id("n"),
            None,
        );
        insert(&mut g, &Edge::Start, NewStep::SendWebhook, id("w"), None);
        delete(&mut g, &id("c"));
        assert_eq!(g.next_after(&id("w"), Branch::Next), Some(&id("end")));
        assert!(g.step(&id("n")).is_none());
        delete(&mut g, &id("w"));
        assert_eq!(g.start, Some(id("end")));
    }
}
