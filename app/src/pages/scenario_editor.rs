//! /scenarios/{id}: the editor of one scenario.

use crate::components::editor::Editor;
use crate::server_fns::scenario_editor::open_scenario;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ScenarioEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => open_scenario(id).await,
            None => Err(ServerFnError::new("There is no such scenario.")),
        }
    });
    view! {
        <Title text="Scenario" />
        <p class="breadcrumb"><a href="/scenarios">"Scenarios"</a></p>
        <Suspense fallback=|| view! { <p>"Loading the scenario…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Editor data=d /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
