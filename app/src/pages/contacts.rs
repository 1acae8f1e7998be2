use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <Title text="Contacts" />
        <h1>"Contacts"</h1>
        <p class="empty-state">"This part of Hookflow is not available in this version yet."</p>
    }
}
