//! Saving as the marketer goes: a save starts a moment after the last edit, sends
//! the version it edited, and a refused save (someone else saved) stops saving
//! and says so instead of overwriting. Leaving with unsaved edits asks first.

use super::state::{Ed, SaveState};
use crate::server_fns::scenario_editor::{Saved, activate_scenario, pause_scenario, save_scenario};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

const AUTOSAVE_AFTER: Duration = Duration::from_millis(800);

/// Saves now if there is anything to save and no save is under way.
pub fn save_now(ed: Ed) {
    if !ed.dirty() || ed.read_only() {
        return;
    }
    if matches!(
        ed.save.get_untracked(),
        SaveState::Saving | SaveState::Conflict
    ) {
        return;
    }
    let sent_edits = ed.edits.get_untracked();
    let definition = ed.def.get_untracked();
    let version = ed.version.get_untracked();
    ed.save.set(SaveState::Saving);
    spawn_local(async move {
        let outcome = save_scenario(ed.id, version, definition).await;
        match outcome {
            Ok(Saved::Done { version, status }) => {
                ed.version.set(version);
                ed.status.set(status);
                ed.saved_edits.set(sent_edits);
                ed.save.set(if ed.dirty() {
                    SaveState::Unsaved
                } else {
                    SaveState::Saved
                });
                // Edits made while saving are saved next.
                if ed.dirty() {
                    save_now(ed);
                }
            }
            Ok(Saved::Conflict) => ed.save.set(SaveState::Conflict),
            Ok(Saved::Problems(problems)) => {
                ed.refusal.set(Some(problems));
                ed.save.set(SaveState::Failed(
                    "Not saved: an active scenario must stay valid. Fix the problems or pause it."
                        .into(),
                ));
            }
            Err(e) => ed.save.set(SaveState::Failed(format!("Not saved: {e}"))),
        }
    });
}

/// Starts the autosave, the "unsaved changes" guard and the keyboard shortcuts.
/// Browser only (runs in an effect).
pub fn start(ed: Ed) {
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        ed.edits.track();
        if !ed.dirty() {
            return;
        }
        if let Some(t) = timer.get_value() {
            t.clear();
        }
        let handle = set_timeout_with_handle(move || save_now(ed), AUTOSAVE_AFTER).ok();
        timer.set_value(handle);
    });
    Effect::new(move |_| {
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if ed.dirty() {
                ev.prevent_default();
                ev.set_return_value("You have unsaved changes.");
            }
        });
        let keys = window_event_listener(leptos::ev::keydown, move |ev| shortcut(ed, ev));
        on_cleanup(move || {
            unload.remove();
            keys.remove();
        });
    });
}

fn shortcut(ed: Ed, ev: leptos::web_sys::KeyboardEvent) {
    if !(ev.ctrl_key() || ev.meta_key()) {
        return;
    }
    let key = ev.key().to_lowercase();
    // Inside a text field, undo belongs to the field.
    let in_field = document()
        .active_element()
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        .unwrap_or(false);
    match key.as_str() {
        "s" => {
            ev.prevent_default();
            save_now(ed);
        }
        "z" if !in_field && ev.shift_key() => {
            ev.prevent_default();
            ed.redo();
        }
        "z" if !in_field => {
            ev.prevent_default();
            ed.undo();
        }
        "y" if !in_field => {
            ev.prevent_default();
            ed.redo();
        }
        _ => {}
    }
}

/// Activates: refused with the list of problems when the scenario is not ready;
/// otherwise saves what is unsaved first.
pub fn activate(ed: Ed) {
    let problems = ed.problems.get_untracked();
    if !problems.is_empty() {
        ed.refusal.set(Some(problems));
        return;
    }
    ed.refusal.set(None);
    spawn_local(async move {
        if ed.dirty() {
            let version = ed.version.get_untracked();
            let sent_edits = ed.edits.get_untracked();
            match save_scenario(ed.id, version, ed.def.get_untracked()).await {
                Ok(Saved::Done { version, .. }) => {
                    ed.version.set(version);
                    ed.saved_edits.set(sent_edits);
                    ed.save.set(SaveState::Saved);
                }
                Ok(Saved::Conflict) => return ed.save.set(SaveState::Conflict),
                Ok(Saved::Problems(p)) => return ed.refusal.set(Some(p)),
                Err(e) => return ed.save.set(SaveState::Failed(format!("Not saved: {e}"))),
            }
        }
        status_change(ed, activate_scenario(ed.id).await);
    });
}

pub fn pause(ed: Ed) {
    spawn_local(async move { status_change(ed, pause_scenario(ed.id).await) });
}

fn status_change(ed: Ed, outcome: Result<Saved, ServerFnError>) {
    match outcome {
        Ok(Saved::Done { version, status }) => {
            ed.version.set(version);
            ed.status.set(status);
        }
        Ok(Saved::Problems(p)) => ed.refusal.set(Some(p)),
        Ok(Saved::Conflict) => ed.save.set(SaveState::Conflict),
        Err(e) => ed.save.set(SaveState::Failed(e.to_string())),
    }
}
