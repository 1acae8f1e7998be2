//! The graph of steps: lookups for the engine and the editor, and the shape checks
//! (reachability, cycles) validation builds on.

use super::step::{Branch, Step};
use crate::model::ids::StepId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioGraph {
    /// The step every enrolled contact starts with.
    #[serde(default)]
    pub start: Option<StepId>,
    /// In the editor's order; links between them are by id.
    #[serde(default)]
    pub steps: Vec<Step>,
}

impl ScenarioGraph {
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.steps.iter().find(|s| &s.id == id)
    }

    pub fn step_mut(&mut self, id: &StepId) -> Option<&mut Step> {
        self.steps.iter_mut().find(|s| &s.id == id)
    }

    /// The step contacts start with, if it exists.
    pub fn first_step(&self) -> Option<&Step> {
        self.start.as_ref().and_then(|id| self.step(id))
    }

    /// Where a contact leaving step `id` by `branch` goes; `None` when the journey
    /// ends there (or there is no such step or branch).
    pub fn next_after(&self, id: &StepId, branch: Branch) -> Option<&StepId> {
        self.step(id)?.next(branch)
    }

    /// The steps with a link to `id`, in the editor's order.
    pub fn predecessors(&self, id: &StepId) -> Vec<&StepId> {
        self.steps
            .iter()
            .filter(|s| s.successors().any(|to| to == id))
            .map(|s| &s.id)
            .collect()
    }

    /// Every step once: those a contact can reach, breadth first from the start
    /// (a condition's yes before its no), then the others in the editor's order.
    /// For reports that list a scenario's steps as a marketer reads them.
    pub fn in_journey_order(&self) -> Vec<&Step> {
        let index = self.index();
        let mut seen = BTreeSet::new();
        let mut order = Vec::with_capacity(self.steps.len());
        let mut queue: VecDeque<usize> = self
            .start
            .as_ref()
            .and_then(|id| index.get(id).copied())
            .into_iter()
            .collect();
        while let Some(i) = queue.pop_front() {
            if seen.insert(i) {
                order.push(&self.steps[i]);
                queue.extend(self.steps[i].successors().filter_map(|to| index.get(to)));
            }
        }
        order.extend(
            self.steps
                .iter()
                .enumerate()
                .filter(|(i, _)| !seen.contains(i))
                .map(|(_, s)| s),
        );
        order
    }

    /// The index of the step each id names (the first one, when ids repeat).
    pub(crate) fn index(&self) -> BTreeMap<&StepId, usize> {
        let mut index = BTreeMap::new();
        for (i, step) in self.steps.iter().enumerate() {
            index.entry(&step.id).or_insert(i);
        }
        index
    }

    /// The indexes of the steps a contact can reach from the start.
    pub(crate) fn reachable(&self, index: &BTreeMap<&StepId, usize>) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<usize> = self
            .start
            .as_ref()
            .and_then(|id| index.get(id).copied())
            .into_iter()
            .collect();
        while let Some(i) = queue.pop_front() {
            if seen.insert(i) {
                queue.extend(self.steps[i].successors().filter_map(|to| index.get(to)));
            }
        }
        seen
    }

    /// The links that lead back to a step already on the way there: each one closes
    /// a loop. Walks from the start first, so "back" means back towards it.
    /// Iterative, so a huge graph cannot overflow the stack.
    pub(crate) fn loop_links(&self, index: &BTreeMap<&StepId, usize>) -> Vec<(usize, Branch)> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let mut mark = vec![Mark::New; self.steps.len()];
        let mut found = Vec::new();
        let start = self.start.as_ref().and_then(|id| index.get(id).copied());
        for root in start.into_iter().chain(0..self.steps.len()) {
            if mark[root] != Mark::New {
                continue;
            }
            mark[root] = Mark::OnPath;
            let mut path = vec![(root, 0)];
            while let Some(&(at, next_link)) = path.last() {
                let links = self.steps[at].kind.links();
                let Some(&(branch, to)) = links.get(next_link) else {
                    mark[at] = Mark::Done;
                    path.pop();
                    continue;
                };
                path.last_mut().expect("not empty").1 += 1;
                let Some(&to) = to.and_then(|to| index.get(to)) else {
                    continue;
                };
                match mark[to] {
                    Mark::OnPath => found.push((at, branch)),
                    Mark::New => {
                        mark[to] = Mark::OnPath;
                        path.push((to, 0));
                    }
                    Mark::Done => {}
                }
            }
        }
        found.sort_unstable();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::fixtures::{condition, id, wait};

    fn graph(start: &str, steps: Vec<Step>) -> ScenarioGraph {
        ScenarioGraph {
            start: Some(id(start)),
            steps,
        }
    }

    #[test]
    fn reports_list_steps_from_the_start_then_the_unreachable_ones() {
        let g = graph(
            "check",
            vec![
                wait("orphan", None),
                wait("late", None),
                wait("no", Some("late")),
                condition("check", Some("yes"), Some("no")),
                wait("yes", Some("late")),
            ],
        );
        let order: Vec<&str> = g
            .in_journey_order()
            .iter()
            .map(|s| s.id.0.as_str())
            .collect();
        assert_eq!(order, ["check", "yes", "no", "late", "orphan"]);
    }

    #[test]
    fn the_engine_finds_where_a_contact_goes_next() {
        let g = graph(
            "a",
            vec![
                wait("a", Some("check")),
                condition("check", Some("b"), None),
                wait("b", None),
            ],
        );
        assert_eq!(g.first_step().map(|s| &s.id), Some(&id("a")));
        assert_eq!(g.next_after(&id("a"), Branch::Next), Some(&id("check")));
        assert_eq!(g.next_after(&id("check"), Branch::Yes), Some(&id("b")));
        assert_eq!(g.next_after(&id("check"), Branch::No), None);
        assert_eq!(g.next_after(&id("b"), Branch::Next), None);
        assert_eq!(g.next_after(&id("nope"), Branch::Next), None);
        assert_eq!(g.predecessors(&id("b")), [&id("check")]);
    }

    #[test]
    fn reachable_steps_are_those_linked_from_the_start() {
        let g = graph(
            "a",
            vec![
                wait("a", Some("b")),
                wait("b", None),
                wait("island", Some("b")),
            ],
        );
        let index = g.index();
        assert_eq!(g.reachable(&index).into_iter().collect::<Vec<_>>(), [0, 1]);
        let no_start = ScenarioGraph {
            start: None,
            ..g.clone()
        };
        assert!(no_start.reachable(&index).is_empty());
    }

    #[test]
    fn the_link_that_goes_back_is_the_one_reported() {
        let g = graph(
            "a",
            vec![
                condition("check", Some("a"), Some("c")),
                wait("a", Some("b")),
                wait("b", Some("check")),
                wait("c", Some("c")),
            ],
        );
        let index = g.index();
        assert_eq!(g.loop_links(&index), [(0, Branch::Yes), (3, Branch::Next)]);
        let straight = graph("a", vec![wait("a", Some("b")), wait("b", None)]);
        assert!(straight.loop_links(&straight.index()).is_empty());
    }

    #[test]
    fn two_branches_joining_again_is_not_a_loop() {
        let g = graph(
            "check",
            vec![
                condition("check", Some("a"), Some("b")),
                wait("a", Some("end")),
                wait("b", Some("end")),
                wait("end", None),
            ],
        );
        assert!(g.loop_links(&g.index()).is_empty());
    }
}
