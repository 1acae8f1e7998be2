use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ScenariosPage() -> impl IntoView {
    view! {
        <Title text="Scenarios" />
        <h1>"Scenarios"</h1>
        <p class="empty-state">"This part of Hookflow is not available in this version yet."</p>
    }
}
