//! The drawing: the trigger on top, the steps below joined by edges, a "+" on
//! every edge, a condition's two branches side by side.

use super::graph_ops::{self, Edge, NewStep};
use super::state::{Panel, use_ed};
use super::summary::{step_summary, trigger_summary};
use hookflow::model::StepId;
use hookflow::model::scenario::{Branch, ScenarioDefinition, StepKind};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn Flow() -> impl IntoView {
    let ed = use_ed();
    view! {
        <div class="flow">
            <TriggerNode />
            {move || {
                let def = ed.def.get();
                let mut seen = BTreeSet::new();
                view! {
                    <EdgeLine edge=Edge::Start />
                    {chain(&def, def.graph.start.clone(), &mut seen)}
                }
            }}
        </div>
    }
    .into_any()
}

#[component]
fn TriggerNode() -> impl IntoView {
    let ed = use_ed();
    let general = move || {
        ed.problems.with(|ps| {
            ps.iter()
                .filter(|p| p.step.is_none())
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="node trigger-node" class:has-problems=move || !general().is_empty()>
            <span class="node-kind">"Trigger"</span>
            <button
                class="node-open"
                on:click=move |_| ed.panel.set(Some(Panel::Trigger))
            >
                // The name read out is the visible text with its context around it.
                <span class="visually-hidden">"Trigger: "</span>
                <strong>{move || ed.def.with(|d| d.trigger.label())}</strong>
                " "
                <span class="node-summary">{move || ed.def.with(|d| ed.choices.with_value(|c| trigger_summary(&d.trigger, c)))}</span>
                <span class="visually-hidden">" (change)"</span>
            </button>
            <Show when=move || !general().is_empty()>
                <ul class="node-problems" aria-label="Problems">
                    {move || general().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            </Show>
        </div>
    }
    .into_any()
}

/// The steps from `at` down, until the journey ends.
fn chain(def: &ScenarioDefinition, at: Option<StepId>, seen: &mut BTreeSet<StepId>) -> AnyView {
    let Some(id) = at else {
        return view! { <div class="flow-end">"End"</div> }.into_any();
    };
    let Some(step) = def.graph.step(&id) else {
        return view! { <div class="flow-end error">"Missing step " {id.0}</div> }.into_any();
    };
    // Two branches may join again; the second time, say where it goes.
    if !seen.insert(id.clone()) {
        let label = step.kind.label();
        return view! { <div class="flow-end">"Continues at " {label}</div> }.into_any();
    }
    let node = view! { <StepNode id=id.clone() /> };
    let below = match &step.kind {
        StepKind::Exit {} => view! { <div class="flow-end">"Exit"</div> }.into_any(),
        StepKind::Condition { yes, no, .. } => {
            let yes_view = chain(def, yes.clone(), seen);
            let no_view = chain(def, no.clone(), seen);
            view! {
                <div class="branches">
                    <div class="branch">
                        <span class="branch-label yes">"Yes"</span>
                        <EdgeLine edge=Edge::After(id.clone(), Branch::Yes) />
                        {yes_view}
                    </div>
                    <div class="branch">
                        <span class="branch-label no">"No"</span>
                        <EdgeLine edge=Edge::After(id.clone(), Branch::No) />
                        {no_view}
                    </div>
                </div>
            }
            .into_any()
        }
        other => {
            let next = other.links().first().and_then(|(_, to)| to.cloned());
            let rest = chain(def, next, seen);
            view! {
                <EdgeLine edge=Edge::After(id.clone(), Branch::Next) />
                {rest}
            }
            .into_any()
        }
    };
    view! { {node} {below} }.into_any()
}

#[component]
fn EdgeLine(edge: Edge) -> impl IntoView {
    let ed = use_ed();
    let here = edge.clone();
    let is_open = Memo::new(move |_| ed.menu.with(|m| m.as_ref() == Some(&here)));
    let toggle = {
        let edge = edge.clone();
        move |_| {
            if is_open.get_untracked() {
                ed.menu.set(None);
            } else {
                ed.menu.set(Some(edge.clone()));
            }
        }
    };
    let ends_here = move || {
        let edge = edge.clone();
        ed.def
            .with(|d| graph_ops::target(&d.graph, &edge).is_none())
    };
    view! {
        <div class="edge">
            <span class="edge-line" aria-hidden="true"></span>
            <button
                class="edge-add"
                aria-label="Add a step here"
                aria-haspopup="menu"
                aria-expanded=move || is_open.get().to_string()
                disabled=move || ed.status.get() == hookflow::model::ScenarioStatus::Archived
                on:click=toggle
            >
                "+"
            </button>
            <Show when=move || is_open.get()>
                <InsertMenu exit_allowed=ends_here.clone() />
            </Show>
        </div>
    }
}

#[component]
fn InsertMenu(exit_allowed: impl Fn() -> bool + Send + Sync + 'static) -> impl IntoView {
    let ed = use_ed();
    let first = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = first.get() {
            let _ = b.focus();
        }
    });
    let exit_ok = exit_allowed();
    let items = NewStep::ALL
        .into_iter()
        .filter(|k| *k != NewStep::Exit || exit_ok)
        .enumerate()
        .map(|(i, kind)| {
            let node = (i == 0).then_some(first);
            view! {
                <li role="none">
                    <button role="menuitem" node_ref=node.unwrap_or_default() on:click=move |_| add(ed, kind)>
                        {kind.label()}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul
            class="insert-menu"
            role="menu"
            aria-label="Step to add"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ed.menu.set(None);
                }
            }
        >
            {items}
        </ul>
    }
}

fn add(ed: super::state::Ed, kind: NewStep) {
    let Some(edge) = ed.menu.get_untracked() else {
        return;
    };
    let first_group = ed.choices.with_value(|c| c.groups.first().map(|g| g.0));
    let id = ed.def.with_untracked(|d| {
        graph_ops::new_step_id(&d.graph, leptos::web_sys::js_sys::Math::random)
    });
    let new_id = id.clone();
    ed.edit(move |d| {
        graph_ops::insert(&mut d.graph, &edge, kind, id, first_group);
    });
    ed.menu.set(None);
    if kind != NewStep::Exit {
        ed.panel.set(Some(Panel::Step(new_id)));
    }
}

#[component]
fn StepNode(id: StepId) -> impl IntoView {
    let ed = use_ed();
    let step_id = StoredValue::new(id.clone());
    let kind_label = Memo::new(move |_| {
        ed.def.with(|d| {
            step_id.with_value(|id| d.graph.step(id).map(|s| s.kind.label()).unwrap_or(""))
        })
    });
    let summary = move || {
        ed.def.with(|d| {
            step_id.with_value(|id| {
                d.graph
                    .step(id)
                    .map(|s| ed.choices.with_value(|c| step_summary(&s.kind, c)))
                    .unwrap_or_default()
            })
        })
    };
    let is_webhook = move || kind_label.get() == "Send a Webhook";
    let passes = move || {
        ed.passes
            .with(|p| step_id.with_value(|id| p.get(&id.0).copied().unwrap_or(0)))
    };
    let problems = move || {
        ed.problems.with(|ps| {
            step_id.with_value(|id| {
                ps.iter()
                    .filter(|p| p.step.as_ref() == Some(id))
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    let has_problems = move || !problems().is_empty();
    let open = move |_| ed.panel.set(Some(Panel::Step(step_id.get_value())));
    let stats = move |_| ed.panel.set(Some(Panel::Stats(step_id.get_value())));
    let delete = move |_| {
        let id = step_id.get_value();
        if ed
            .panel
            .with_untracked(|p| matches!(p, Some(Panel::Step(s) | Panel::Stats(s)) if *s == id))
        {
            ed.panel.set(None);
        }
        ed.edit(move |d| graph_ops::delete(&mut d.graph, &id));
    };
    view! {
        <div class="node-wrap" data-step-id=id.0.clone()>
            <div class="passes">
                {move || if is_webhook() {
                    view! {
                        <button class="passes-count" on:click=stats data-testid="passes"
                            aria-label=move || format!("{} contacts passed this step: see its statistics", passes())>
                            {passes}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <span class="passes-count" data-testid="passes"
                            title="Contacts who passed this step">{passes}</span>
                    }.into_any()
                }}
            </div>
            <div class="node step-node" class:has-problems=has_problems>
                <button class="node-open" on:click=open>
                    <strong>{move || kind_label.get()}</strong>
                    " "
                    <span class="node-summary">{summary}</span>
                    <span class="visually-hidden">" (open)"</span>
                </button>
                <button class="node-delete" on:click=delete
                    disabled=move || ed.status.get() == hookflow::model::ScenarioStatus::Archived
                    aria-label=move || format!("Delete this {} step", kind_label.get())>
                    "×"
                </button>
                <Show when=has_problems>
                    <ul class="node-problems" aria-label="Problems">
                        {move || problems().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </Show>
            </div>
        </div>
    }
}
