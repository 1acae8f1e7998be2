use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <p class="empty-state">"This part of Hookflow is not available in this version yet."</p>
    }
}
