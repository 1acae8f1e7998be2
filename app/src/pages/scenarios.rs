//! The scenario list: filter by status, create, rename, duplicate, archive.

use crate::components::editor::trigger_fields::{TriggerFields, default_trigger};
use crate::server_fns::scenarios::{
    Choices, ScenarioSummary, archive_scenario, create_scenario, duplicate_scenario,
    list_scenarios, quick_subscription_form, rename_scenario, scenario_choices,
};
use hookflow::model::ScenarioStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

const FILTERS: [(&str, &str); 5] = [
    ("all", "All"),
    ("active", "Active"),
    ("paused", "Paused"),
    ("draft", "Draft"),
    ("archived", "Archived"),
];

#[component]
pub fn ScenariosPage() -> impl IntoView {
    let filter = RwSignal::new("all".to_string());
    let reloads = RwSignal::new(0u32);
    let list = Resource::new(
        move || (filter.get(), reloads.get()),
        |(status, _)| list_scenarios(status),
    );
    let creating = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    view! {
        <Title text="Scenarios" />
        <div class="page-head">
            <h1>"Scenarios"</h1>
            <button class="button" on:click=move |_| creating.set(true) aria-expanded=move || creating.get().to_string()>
                "New scenario"
            </button>
        </div>
        <Show when=move || creating.get()>
            <CreateScenario on_cancel=Callback::new(move |()| creating.set(false)) />
        </Show>
        <div class="filters" role="group" aria-label="Show scenarios">
            {FILTERS.iter().map(|(value, label)| {
                let value = value.to_string();
                let v2 = value.clone();
                view! {
                    <button class="filter" aria-pressed=move || (filter.get() == value).to_string()
                        on:click=move |_| filter.set(v2.clone())>{*label}</button>
                }
            }).collect_view()}
        </div>
        <p class="error" role="alert">{move || message.get()}</p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <p class="empty-state">"No scenarios here yet. Create one with “New scenario”."</p>
                    }.into_any(),
                    Ok(rows) => view! {
                        <ul class="scenario-list">
                            {rows.into_iter().map(|row| view! { <ScenarioRow row reloads message /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn status_label(s: ScenarioStatus) -> &'static str {
    match s {
        ScenarioStatus::Draft => "Draft",
        ScenarioStatus::Active => "Active",
        ScenarioStatus::Paused => "Paused",
        ScenarioStatus::Archived => "Archived",
    }
}

#[component]
fn ScenarioRow(
    row: ScenarioSummary,
    reloads: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = row.id;
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let name = RwSignal::new(row.name.clone());
    let done = move |r: Result<(), ServerFnError>| match r {
        Ok(()) => {
            message.set(None);
            reloads.update(|n| *n += 1);
        }
        Err(e) => message.set(Some(e.to_string())),
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move { done(rename_scenario(id, name.get_untracked()).await) });
    };
    let duplicate =
        move |_| spawn_local(async move { done(duplicate_scenario(id).await.map(|_| ())) });
    let archive = move |_| spawn_local(async move { done(archive_scenario(id).await) });
    let archived = row.status == ScenarioStatus::Archived;
    let status = status_label(row.status);
    let steps = row.steps;
    view! {
        <li class="scenario-row" data-testid="scenario-row">
            <div class="scenario-main">
                <a class="scenario-name" href=format!("/scenarios/{id}")>{row.name.clone()}</a>
                <span class=format!("badge status-{}", status.to_lowercase())>{status}</span>
                <span class="scenario-meta">{row.trigger.clone()} " · " {format!("{steps} step{}", if steps == 1 { "" } else { "s" })}</span>
            </div>
            <Show when=move || renaming.get()>
                <form class="inline-form" on:submit=rename>
                    <label>
                        <span class="visually-hidden">"New name"</span>
                        <input type="text" aria-label="New name" prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev)) maxlength="200" required />
                    </label>
                    <button class="button" type="submit">"Rename"</button>
                    <button class="button secondary" type="button" on:click=move |_| renaming.set(false)>"Cancel"</button>
                </form>
            </Show>
            <Show when=move || confirming.get()>
                <div class="inline-form" role="alertdialog" aria-label="Confirm archiving">
                    <span>"Archive it? It stops for good; its statistics stay readable."</span>
                    <button class="button danger" on:click=archive>"Archive"</button>
                    <button class="button secondary" on:click=move |_| confirming.set(false)>"Keep it"</button>
                </div>
            </Show>
            <div class="row-actions">
                {(!archived).then(|| view! {
                    <button class="link" on:click=move |_| renaming.set(true)
                        aria-label=format!("Rename {}", row.name)>"Rename"</button>
                })}
                <button class="link" on:click=duplicate aria-label=format!("Duplicate {}", row.name)>"Duplicate"</button>
                {(!archived).then(|| view! {
                    <button class="link danger" on:click=move |_| confirming.set(true)
                        aria-label=format!("Archive {}", row.name)>"Archive"</button>
                })}
            </div>
        </li>
    }
}

#[component]
fn CreateScenario(on_cancel: Callback<()>) -> impl IntoView {
    let choices = RwSignal::new(Choices::default());
    let loaded = Resource::new(|| (), |_| scenario_choices());
    let name = RwSignal::new(String::new());
    let trigger = RwSignal::new(default_trigger("form_submitted", &Choices::default()));
    let problem = RwSignal::new(None::<String>);
    let navigate = StoredValue::new(use_navigate());
    let form_name = RwSignal::new("Newsletter sign-up".to_string());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, t) = (name.get_untracked(), trigger.get_untracked());
        spawn_local(async move {
            match create_scenario(n, t).await {
                Ok(id) => {
                    navigate.with_value(|nav| nav(&format!("/scenarios/{id}"), Default::default()))
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    let new_form = move |_| {
        let n = form_name.get_untracked();
        spawn_local(async move {
            match quick_subscription_form(n).await {
                Ok(form) => {
                    let id = form.id;
                    choices.update(|c| c.forms.insert(0, form));
                    trigger.set(hookflow::model::scenario::Trigger::FormSubmitted { form_id: id });
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="card create-scenario" aria-labelledby="create-title">
            <h2 id="create-title">"New scenario"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(c) => {
                            trigger.set(default_trigger("form_submitted", &c));
                            choices.set(c);
                            let custom = Vec::new();
                            view! {
                                <form class="step-form" on:submit=create>
                                    <label class="field">
                                        <span>"Name"</span>
                                        <input type="text" required maxlength="200" prop:value=move || name.get()
                                            on:input=move |ev| name.set(event_target_value(&ev)) />
                                    </label>
                                    <TriggerFields trigger choices=choices.into() custom />
                                    <Show when=move || matches!(trigger.get(), hookflow::model::scenario::Trigger::FormSubmitted { .. })>
                                        <div class="inline-form">
                                            <label class="field">
                                                <span>"Or a new subscription form named"</span>
                                                <input type="text" prop:value=move || form_name.get()
                                                    on:input=move |ev| form_name.set(event_target_value(&ev)) />
                                            </label>
                                            <button type="button" class="button secondary" on:click=new_form>"Create the form"</button>
                                        </div>
                                    </Show>
                                    <p class="error" role="alert">{move || problem.get()}</p>
                                    <div class="panel-actions">
                                        <button class="button" type="submit">"Create"</button>
                                        <button class="button secondary" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                                    </div>
                                </form>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
