//! The scenario editor: the drawing, its toolbar, and the panel beside it.

mod dialog;
mod flow;
pub mod graph_ops;
mod pickers;
mod saving;
pub mod state;
mod step_panel;
pub mod summary;
mod test_result;
pub mod trigger_fields;
mod webhook_form;
mod webhook_panel;

use crate::server_fns::scenario_editor::{EditorData, scenario_passes};
use hookflow::model::ScenarioStatus;
use hookflow::model::scenario::StepKind;
use leptos::prelude::*;
use state::{Ed, Panel, SaveState};
use std::time::Duration;

pub use summary::trigger_summary;

#[component]
pub fn Editor(data: EditorData) -> impl IntoView {
    let ed = Ed::new(data);
    provide_context(ed);
    saving::start(ed);
    // The numbers above the steps follow the engine while the page is open.
    Effect::new(move |_| {
        let poll = move || {
            if ed.status.get_untracked() == ScenarioStatus::Draft {
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(p) = scenario_passes(ed.id).await {
                    ed.passes.set(p);
                }
            });
        };
        let timer = set_interval_with_handle(poll, Duration::from_secs(2)).ok();
        on_cleanup(move || {
            if let Some(t) = timer {
                t.clear();
            }
        });
    });
    let zoom = RwSignal::new(1.0_f64);
    let set_zoom = move |z: f64| zoom.set((z.clamp(0.4, 2.0) * 10.0).round() / 10.0);
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        if ev.ctrl_key() {
            ev.prevent_default();
            set_zoom(zoom.get_untracked() - ev.delta_y().signum() * 0.1);
        }
    };
    // Pan: drag the background of the drawing (steps and buttons keep their
    // clicks); the arrow keys scroll it when it has the focus.
    let viewport = NodeRef::<leptos::html::Div>::new();
    let drag = StoredValue::new(None::<(i32, i32, i32, i32)>);
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
        let target: leptos::web_sys::Element = event_target(&ev);
        let on_background = target
            .closest("button, a, input, select, textarea, label, [role=menu], .node")
            .ok()
            .flatten()
            .is_none();
        if ev.button() != 0 || !on_background {
            return;
        }
        if let Some(el) = viewport.get_untracked() {
            drag.set_value(Some((
                ev.client_x(),
                ev.client_y(),
                el.scroll_left(),
                el.scroll_top(),
            )));
            let _ = el.set_pointer_capture(ev.pointer_id());
            let _ = el.class_list().add_1("panning");
        }
    };
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        if let (Some((x, y, left, top)), Some(el)) = (drag.get_value(), viewport.get_untracked()) {
            el.set_scroll_left(left - (ev.client_x() - x));
            el.set_scroll_top(top - (ev.client_y() - y));
        }
    };
    let on_pointer_up = move |_: leptos::ev::PointerEvent| {
        drag.set_value(None);
        if let Some(el) = viewport.get_untracked() {
            let _ = el.class_list().remove_1("panning");
        }
    };
    view! {
        <div class="editor">
            <Toolbar ed zoom set_zoom=Callback::new(set_zoom) />
            <Refusal ed />
            <div class="editor-body">
                <div class="flow-viewport" node_ref=viewport on:wheel=on_wheel tabindex="0"
                    aria-label="Scenario steps (drag the background or use the arrow keys to move around)" role="region"
                    on:pointerdown=on_pointer_down on:pointermove=on_pointer_move
                    on:pointerup=on_pointer_up on:pointercancel=on_pointer_up>
                    <div class="flow-zoom" style:zoom=move || zoom.get().to_string()>
                        <flow::Flow />
                    </div>
                </div>
                <PanelHost ed />
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Toolbar(ed: Ed, zoom: RwSignal<f64>, set_zoom: Callback<f64>) -> impl IntoView {
    let status_text = move || match ed.status.get() {
        ScenarioStatus::Draft => "Draft",
        ScenarioStatus::Active => "Active",
        ScenarioStatus::Paused => "Paused",
        ScenarioStatus::Archived => "Archived",
    };
    let save_text = move || match ed.save.get() {
        SaveState::Saved => "All changes saved".to_string(),
        SaveState::Unsaved => "Unsaved changes…".to_string(),
        SaveState::Saving => "Saving…".to_string(),
        SaveState::Conflict => {
            "Someone else saved this scenario since you opened it — reload to see their version"
                .to_string()
        }
        SaveState::Failed(why) => why,
    };
    let is_conflict = move || matches!(ed.save.get(), SaveState::Conflict | SaveState::Failed(_));
    view! {
        <div class="editor-toolbar" role="toolbar" aria-label="Scenario">
            <h1 class="editor-title">{move || ed.def.with(|d| d.name.clone())}</h1>
            <span class=move || format!("badge status-{}", status_text().to_lowercase()) data-testid="scenario-status">{status_text}</span>
            <span class="save-state" class:error=is_conflict role="status" data-testid="save-state">
                {save_text}
                {move || (ed.save.get() == SaveState::Conflict).then(|| view! {
                    " " <a href=format!("/scenarios/{}", ed.id) rel="external">"Reload"</a>
                })}
            </span>
            <div class="toolbar-group">
                <button class="tool" on:click=move |_| ed.undo() disabled=move || !ed.can_undo.get() title="Undo (Ctrl+Z)">"Undo"</button>
                <button class="tool" on:click=move |_| ed.redo() disabled=move || !ed.can_redo.get() title="Redo (Ctrl+Shift+Z)">"Redo"</button>
                <button class="tool" on:click=move |_| saving::save_now(ed)
                    disabled=move || !matches!(ed.save.get(), SaveState::Unsaved | SaveState::Failed(_))
                    title="Save (Ctrl+S)">"Save"</button>
            </div>
            <div class="toolbar-group" aria-label="Zoom">
                <button class="tool" aria-label="Zoom out" on:click=move |_| set_zoom.run(zoom.get_untracked() - 0.1)>"−"</button>
                <button class="tool zoom-level" title="Reset zoom" on:click=move |_| set_zoom.run(1.0)>
                    {move || format!("{:.0}%", zoom.get() * 100.0)}
                    <span class="visually-hidden">" (reset zoom)"</span>
                </button>
                <button class="tool" aria-label="Zoom in" on:click=move |_| set_zoom.run(zoom.get_untracked() + 0.1)>"+"</button>
            </div>
            <div class="toolbar-group">
                <a class="tool" href=format!("/scenarios/{}/statistics", ed.id)>"Statistics"</a>
                {move || match ed.status.get() {
                    ScenarioStatus::Active => view! {
                        <button class="button secondary" on:click=move |_| saving::pause(ed)>"Pause"</button>
                    }.into_any(),
                    ScenarioStatus::Archived => ().into_any(),
                    _ => view! {
                        <button class="button" on:click=move |_| saving::activate(ed)>"Activate"</button>
                    }.into_any(),
                }}
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Refusal(ed: Ed) -> impl IntoView {
    let step_label = move |id: &hookflow::model::StepId| {
        ed.def
            .with_untracked(|d| d.graph.step(id).map(|s| s.kind.label()).unwrap_or("Step"))
    };
    move || {
        ed.refusal.get().map(|problems| view! {
            <div class="refusal" role="alert">
                <p><strong>"This scenario cannot be activated yet."</strong> " Fix these problems first:"</p>
                <ul>
                    {problems.into_iter().map(|p| {
                        let r#where = p.step.as_ref().map_or("Scenario".to_string(), |s| step_label(s).to_string());
                        view! { <li><strong>{r#where}</strong> ": " {p.message}</li> }
                    }).collect_view()}
                </ul>
                <button class="link" on:click=move |_| ed.refusal.set(None)>"Dismiss"</button>
            </div>
        })
    }
}

#[component]
fn PanelHost(ed: Ed) -> impl IntoView {
    move || match ed.panel.get() {
        None => ().into_any(),
        Some(Panel::Trigger) => view! { <step_panel::TriggerPanel ed /> }.into_any(),
        Some(Panel::Stats(step)) => view! { <step_panel::StatsPanel ed step /> }.into_any(),
        Some(Panel::Step(step)) => {
            let is_webhook = ed.def.with_untracked(|d| {
                matches!(
                    d.graph.step(&step).map(|s| &s.kind),
                    Some(StepKind::SendWebhook { .. })
                )
            });
            if is_webhook {
                // A step never saved with a URL is one being added.
                let is_new =
                    ed.def
                        .with_untracked(|d| match d.graph.step(&step).map(|s| &s.kind) {
                            Some(StepKind::SendWebhook { config, .. }) => config.url.is_empty(),
                            _ => false,
                        });
                view! { <webhook_panel::WebhookPanel ed step is_new /> }.into_any()
            } else {
                view! { <step_panel::StepPanel ed step /> }.into_any()
            }
        }
    }
}
