//! The frame of every page: the product name, the navigation, the content.

use super::icon::Icon;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    // On a narrow screen the navigation folds behind a menu button.
    let (menu_open, set_menu_open) = signal(false);
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <Icon name="logo" />
                <span>"Hookflow"</span>
            </A>
            <button
                class="menu-toggle"
                aria-controls="main-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| set_menu_open.update(|open| *open = !*open)
            >
                <Icon name="menu" />
                <span>"Menu"</span>
            </button>
            <nav id="main-nav" aria-label="Main" class:open=move || menu_open.get()>
                <A href="/scenarios">
                    <Icon name="scenario" />
                    "Scenarios"
                </A>
                <A href="/contacts">
                    <Icon name="contacts" />
                    "Contacts"
                </A>
                <A href="/settings">
                    <Icon name="settings" />
                    "Settings"
                </A>
            </nav>
        </header>
        <main id="content" class="content">
            {children()}
        </main>
    }
}
