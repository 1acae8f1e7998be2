//! The editor's state, shared by its parts through context: the definition being
//! edited, its history (undo/redo), what is open, and the save bookkeeping.

use super::graph_ops::Edge;
use crate::server_fns::scenario_editor::EditorData;
use crate::server_fns::scenarios::Choices;
use hookflow::model::scenario::{Problem, References, ScenarioDefinition};
use hookflow::model::{ScenarioStatus, StepId};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// What the side panel shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    Step(StepId),
    Stats(StepId),
    Trigger,
}

/// Where saving stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Unsaved,
    Saving,
    Conflict,
    Failed(String),
}

#[derive(Clone, Copy)]
pub struct Ed {
    pub id: i64,
    pub def: RwSignal<ScenarioDefinition>,
    pub refs: StoredValue<References>,
    pub choices: StoredValue<Choices>,
    pub passes: RwSignal<BTreeMap<String, i64>>,
    pub status: RwSignal<ScenarioStatus>,
    pub version: RwSignal<i64>,
    pub panel: RwSignal<Option<Panel>>,
    pub menu: RwSignal<Option<Edge>>,
    pub save: RwSignal<SaveState>,
    /// Counts edits; a save remembers the count it sent.
    pub edits: RwSignal<u64>,
    pub saved_edits: RwSignal<u64>,
    pub problems: Memo<Vec<Problem>>,
    /// Refused activation, with its problems.
    pub refusal: RwSignal<Option<Vec<Problem>>>,
    undo: StoredValue<Vec<ScenarioDefinition>>,
    redo: StoredValue<Vec<ScenarioDefinition>>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
}

const HISTORY: usize = 100;

impl Ed {
    pub fn new(data: EditorData) -> Ed {
        let def = RwSignal::new(data.definition);
        let refs = StoredValue::new(data.refs);
        let problems = Memo::new(move |_| def.with(|d| refs.with_value(|r| d.validate(r))));
        Ed {
            id: data.id,
            def,
            refs,
            choices: StoredValue::new(data.choices),
            passes: RwSignal::new(data.passes),
            status: RwSignal::new(data.status),
            version: RwSignal::new(data.version),
            panel: RwSignal::new(None),
            menu: RwSignal::new(None),
            save: RwSignal::new(SaveState::Saved),
            edits: RwSignal::new(0),
            saved_edits: RwSignal::new(0),
            problems,
            refusal: RwSignal::new(None),
            undo: StoredValue::new(Vec::new()),
            redo: StoredValue::new(Vec::new()),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
        }
    }

    /// Makes one edit, remembered for undo. An archived scenario is read-only.
    pub fn edit(&self, change: impl FnOnce(&mut ScenarioDefinition)) {
        if self.read_only() {
            return;
        }
        let before = self.def.get_untracked();
        self.def.update(change);
        if self.def.with_untracked(|d| *d == before) {
            return;
        }
        self.undo.update_value(|u| {
            u.push(before);
            if u.len() > HISTORY {
                u.remove(0);
            }
        });
        self.redo.update_value(Vec::clear);
        self.changed();
    }

    pub fn undo(&self) {
        self.step_history(self.undo, self.redo);
    }

    pub fn redo(&self) {
        self.step_history(self.redo, self.undo);
    }

    fn step_history(
        &self,
        from: StoredValue<Vec<ScenarioDefinition>>,
        to: StoredValue<Vec<ScenarioDefinition>>,
    ) {
        if self.read_only() {
            return;
        }
        let Some(state) = from.try_update_value(Vec::pop).flatten() else {
            return;
        };
        let now = self.def.get_untracked();
        to.update_value(|t| t.push(now));
        self.def.set(state);
        // A panel on a step that is gone closes.
        if let Some(Panel::Step(id) | Panel::Stats(id)) = self.panel.get_untracked()
            && self.def.with_untracked(|d| d.graph.step(&id).is_none())
        {
            self.panel.set(None);
        }
        self.changed();
    }

    fn changed(&self) {
        self.can_undo.set(self.undo.with_value(|u| !u.is_empty()));
        self.can_redo.set(self.redo.with_value(|r| !r.is_empty()));
        self.edits.update(|n| *n += 1);
        if self.save.get_untracked() != SaveState::Conflict {
            self.save.set(SaveState::Unsaved);
        }
    }

    pub fn read_only(&self) -> bool {
        self.status.get_untracked() == ScenarioStatus::Archived
    }

    pub fn dirty(&self) -> bool {
        self.edits.get_untracked() != self.saved_edits.get_untracked()
    }

    pub fn custom_fields(&self) -> Vec<hookflow::model::fields::CustomField> {
        self.refs.with_value(|r| r.custom_fields.clone())
    }
}

pub fn use_ed() -> Ed {
    expect_context::<Ed>()
}
