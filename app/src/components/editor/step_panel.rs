//! The panels other than the webhook's: a step's settings (Wait, Condition,
//! groups, Update a field, Exit), the trigger, and a webhook step's statistics.

use super::dialog::Dialog;
use super::pickers::{CriteriaFields, IdSelect};
use super::state::Ed;
use super::trigger_fields::TriggerFields;
use crate::server_fns::scenario_editor::{StepNumbers, step_statistics};
use hookflow::model::StepId;
use hookflow::model::fields::Catalogue;
use hookflow::model::scenario::{StepKind, WaitSpec};
use leptos::prelude::*;
use leptos::serde_json;
use std::time::Duration;

#[component]
pub fn StepPanel(ed: Ed, step: StepId) -> impl IntoView {
    let Some(kind) = ed
        .def
        .with_untracked(|d| d.graph.step(&step).map(|s| s.kind.clone()))
    else {
        return ().into_any();
    };
    let draft = RwSignal::new(kind.clone());
    let close = Callback::new(move |()| ed.panel.set(None));
    let apply = move |_| {
        let new = draft.get_untracked();
        let id = step.clone();
        ed.edit(move |d| {
            if let Some(s) = d.graph.step_mut(&id) {
                // The links stay; only the settings change.
                let links: Vec<_> = s
                    .kind
                    .links()
                    .into_iter()
                    .map(|(b, to)| (b, to.cloned()))
                    .collect();
                s.kind = new;
                for (b, to) in links {
                    if let Some(l) = s.kind.link_mut(b) {
                        *l = to;
                    }
                }
            }
        });
        ed.panel.set(None);
    };
    let choices = ed.choices.get_value();
    let title = kind.label().to_string();
    let settings = match kind {
        StepKind::Wait { .. } => view! { <WaitFields draft /> }.into_any(),
        StepKind::Condition { criteria, .. } => {
            let criteria = RwSignal::new(criteria);
            Effect::new(move |_| {
                let c = criteria.get();
                draft.update(|k| {
                    if let StepKind::Condition { criteria, .. } = k {
                        *criteria = c
                    }
                });
            });
            view! { <CriteriaFields criteria choices custom=ed.custom_fields() /> }.into_any()
        }
        StepKind::AddToGroup { .. } | StepKind::RemoveFromGroup { .. } => {
            let value = Signal::derive(move || match draft.get() {
                StepKind::AddToGroup { group_id, .. }
                | StepKind::RemoveFromGroup { group_id, .. } => Some(group_id),
                _ => None,
            });
            let pick = Callback::new(move |id: Option<i64>| {
                draft.update(|k| {
                    if let StepKind::AddToGroup { group_id, .. }
                    | StepKind::RemoveFromGroup { group_id, .. } = k
                    {
                        *group_id = id.unwrap_or(0)
                    }
                })
            });
            view! { <IdSelect label="Group" options=choices.groups value on_pick=pick /> }
                .into_any()
        }
        StepKind::UpdateField { .. } => view! { <UpdateFields ed draft /> }.into_any(),
        StepKind::SendWebhook { .. } => ().into_any(),
        StepKind::Exit {} => {
            view! { <p>"Contacts who reach this step leave the scenario."</p> }.into_any()
        }
    };
    view! {
        <Dialog title_id="step-title" title on_close=close>
            <form class="step-form" on:submit=|ev| ev.prevent_default()>
                {settings}
                <div class="panel-actions">
                    <button type="button" class="button" on:click=apply disabled=ed.read_only()>"Save step"</button>
                    <button type="button" class="button secondary" on:click=move |_| close.run(())>"Cancel"</button>
                </div>
            </form>
        </Dialog>
    }
    .into_any()
}

/// `<input type="datetime-local">` speaks "2026-05-28T14:30"; the step keeps UTC.
fn local_input(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

fn from_local_input(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .ok()
        .map(|t| t.and_utc())
}

#[component]
fn WaitFields(draft: RwSignal<StepKind>) -> impl IntoView {
    let spec = move || match draft.get() {
        StepKind::Wait { wait, .. } => Some(wait),
        _ => None,
    };
    let seconds = match spec() {
        Some(WaitSpec::Duration { seconds }) => Some(seconds),
        _ => None,
    };
    let initial_unit = match seconds {
        Some(s) if s % 86_400 == 0 => 86_400,
        Some(s) if s % 3600 == 0 => 3600,
        _ => 60,
    };
    let until = RwSignal::new(matches!(spec(), Some(WaitSpec::Until { .. })));
    let unit = RwSignal::new(initial_unit);
    let amount = RwSignal::new(seconds.map_or(1, |s| s / initial_unit));
    let at = RwSignal::new(match spec() {
        Some(WaitSpec::Until { at: Some(at) }) => local_input(at),
        _ => String::new(),
    });
    Effect::new(move |_| {
        let wait = if until.get() {
            WaitSpec::Until {
                at: from_local_input(&at.get()),
            }
        } else {
            WaitSpec::Duration {
                seconds: amount.get() * unit.get(),
            }
        };
        draft.update(|k| {
            if let StepKind::Wait { wait: w, .. } = k {
                *w = wait
            }
        });
    });
    view! {
        <fieldset class="field-group">
            <legend>"Wait"</legend>
            <label class="check">
                <input type="radio" name="wait-kind" prop:checked=move || !until.get()
                    on:change=move |_| until.set(false) />
                " For a while"
            </label>
            <label class="check">
                <input type="radio" name="wait-kind" prop:checked=move || until.get()
                    on:change=move |_| until.set(true) />
                " Until a date and time"
            </label>
        </fieldset>
        <Show when=move || !until.get()>
            <div class="inline-fields">
                <label class="field">
                    <span>"Wait for"</span>
                    <input type="number" min="1" prop:value=move || amount.get().to_string()
                        on:input=move |ev| amount.set(event_target_value(&ev).parse().unwrap_or(0)) />
                </label>
                <label class="field">
                    <span>"Unit"</span>
                    <select prop:value=move || unit.get().to_string()
                        on:change=move |ev| unit.set(event_target_value(&ev).parse().unwrap_or(60))>
                        <option value="60">"minutes"</option>
                        <option value="3600">"hours"</option>
                        <option value="86400">"days"</option>
                    </select>
                </label>
            </div>
        </Show>
        <Show when=move || until.get()>
            <label class="field">
                <span>"Until (UTC)"</span>
                <input type="datetime-local" prop:value=move || at.get()
                    on:input=move |ev| at.set(event_target_value(&ev)) />
                <span class="field-hint">"Contacts who arrive after this moment go on at once."</span>
            </label>
        </Show>
    }
}

#[component]
fn UpdateFields(ed: Ed, draft: RwSignal<StepKind>) -> impl IntoView {
    let custom = ed.custom_fields();
    let fields: Vec<(String, String)> = Catalogue::new(&custom)
        .fields()
        .map(|f| (f.key.to_string(), f.label.to_string()))
        .collect();
    let read = move || match draft.get() {
        StepKind::UpdateField { field, value, .. } => (field, value),
        _ => (String::new(), serde_json::Value::Null),
    };
    view! {
        <label class="field">
            <span>"Field"</span>
            <select prop:value=move || read().0
                on:change=move |ev| { let v = event_target_value(&ev); draft.update(|k| if let StepKind::UpdateField { field, .. } = k { *field = v }) }>
                <option value="">"Choose a field"</option>
                {fields.into_iter().map(|(k, l)| view! { <option value=k.clone()>{l}</option> }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span>"New value"</span>
            <input type="text"
                prop:value=move || match read().1 { serde_json::Value::String(s) => s, serde_json::Value::Null => String::new(), v => v.to_string() }
                on:input=move |ev| {
                    let raw = event_target_value(&ev);
                    let v = serde_json::from_str::<serde_json::Number>(&raw).map(serde_json::Value::Number).unwrap_or(serde_json::Value::String(raw));
                    draft.update(|k| if let StepKind::UpdateField { value, .. } = k { *value = v })
                } />
        </label>
    }
}

#[component]
pub fn TriggerPanel(ed: Ed) -> impl IntoView {
    let trigger = RwSignal::new(ed.def.get_untracked().trigger);
    let close = Callback::new(move |()| ed.panel.set(None));
    let choices = Signal::derive(move || ed.choices.get_value());
    let apply = move |_| {
        let t = trigger.get_untracked();
        ed.edit(move |d| d.trigger = t);
        ed.panel.set(None);
    };
    let public = move || match trigger.get() {
        hookflow::model::scenario::Trigger::FormSubmitted { form_id } => {
            ed.choices.with_value(|c| {
                c.forms
                    .iter()
                    .find(|f| f.id == form_id)
                    .map(|f| f.public_path.clone())
            })
        }
        _ => None,
    };
    view! {
        <Dialog title_id="trigger-title" title="Trigger".into() on_close=close>
            <form class="step-form" on:submit=|ev| ev.prevent_default()>
                <TriggerFields trigger choices custom=ed.custom_fields() />
                {move || public().map(|p| view! {
                    <p class="hint">"The form's public page: " <a href=p.clone() data-testid="form-link" rel="external">{p.clone()}</a></p>
                })}
                <div class="panel-actions">
                    <button type="button" class="button" on:click=apply disabled=ed.read_only()>"Save trigger"</button>
                    <button type="button" class="button secondary" on:click=move |_| close.run(())>"Cancel"</button>
                </div>
            </form>
        </Dialog>
    }
}

/// A webhook step's numbers, read again every few seconds while open.
#[component]
pub fn StatsPanel(ed: Ed, step: StepId) -> impl IntoView {
    let numbers = RwSignal::new(None::<Result<StepNumbers, String>>);
    let close = Callback::new(move |()| ed.panel.set(None));
    let step = StoredValue::new(step);
    let fetch = move || {
        leptos::task::spawn_local(async move {
            let got = step_statistics(ed.id, step.get_value().0).await;
            numbers.set(Some(got.map_err(|e| e.to_string())));
        })
    };
    Effect::new(move |_| {
        fetch();
        let timer = set_interval_with_handle(fetch, Duration::from_secs(2)).ok();
        on_cleanup(move || {
            if let Some(t) = timer {
                t.clear();
            }
        });
    });
    view! {
        <Dialog title_id="stats-title" title="Webhook statistics".into() on_close=close>
            {move || match numbers.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(n)) => view! {
                    <dl class="stats">
                        <dt>"Contacts who reached this step"</dt><dd data-testid="stat-reached">{n.reached}</dd>
                        <dt>"Requests accepted"</dt><dd data-testid="stat-accepted">{n.accepted}</dd>
                        <dt>"Requests pending"</dt><dd data-testid="stat-pending">{n.pending}</dd>
                        <dt>"Requests failed (no further attempts)"</dt><dd data-testid="stat-failed">{n.failed}</dd>
                    </dl>
                    <p><a href=format!("/scenarios/{}/steps/{}", ed.id, step.get_value().0)>"Open the chart and the delivery log"</a></p>
                }.into_any(),
            }}
        </Dialog>
    }
}
