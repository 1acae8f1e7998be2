//! The frame of every page: the product name, the navigation, the content.
//! Signed out (the login page), only the product name.

use super::account::AccountMenu;
use super::icon::Icon;
use crate::session::SignedIn;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    let signed_in = use_context::<SignedIn>();
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            // Signed out, a full page load: the server decides where "/" leads.
            <A href="/" attr:class="brand" attr:rel=signed_in.is_none().then_some("external")>
                <Icon name="logo" />
                <span>"Hookflow"</span>
            </A>
            {signed_in.map(|signed_in| view! { <Navigation signed_in /> })}
        </header>
        <main id="content" class="content">
            {children()}
        </main>
    }
}

#[component]
fn Navigation(signed_in: SignedIn) -> impl IntoView {
    // On a narrow screen the navigation folds behind a menu button.
    let (menu_open, set_menu_open) = signal(false);
    let is_admin = signed_in.user.is_admin();
    view! {
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
            <A href="/groups">
                <Icon name="groups" />
                "Groups"
            </A>
            <A href="/forms">
                <Icon name="forms" />
                "Forms"
            </A>
            // Users, API tokens and the signing secret are an admin's.
            {is_admin.then(|| view! {
                <A href="/webhooks">
                    <Icon name="webhook" />
                    "Webhooks"
                </A>
                <A href="/settings">
                    <Icon name="settings" />
                    "Settings"
                </A>
            })}
        </nav>
        <AccountMenu signed_in open=menu_open />
    }
}
