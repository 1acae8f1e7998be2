//! The Hookflow browser app: rendered on the server (feature `ssr`) and hydrated
//! in the browser (feature `hydrate`, the wasm build).
// The pages' view types nest deeply; the wasm build needs more than the default 128.
#![recursion_limit = "256"]

pub mod components;
pub mod pages;
pub mod server_fns;
pub mod session;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::ParamSegment;
use leptos_router::StaticSegment;
use leptos_router::components::{Route, Router, Routes};

use components::shell::AppShell;
use pages::scenario_editor::ScenarioEditorPage;
use pages::{
    contacts::ContactsPage, home::HomePage, login::LoginPage, not_found::NotFound,
    scenarios::ScenariosPage, settings::SettingsPage,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Server function calls read it from here (see session::CsrfClient).
    let csrf_token = use_context::<session::SignedIn>().map(|s| s.csrf_token);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                {csrf_token.map(|token| view! { <meta name="csrf-token" content=token /> })}
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    session::provide_signed_in();
    view! {
        <Stylesheet id="hookflow" href="/pkg/hookflow.css" />
        <Title formatter=|page: String| if page.is_empty() { "Hookflow".to_string() } else { format!("{page} · Hookflow") } />
        <Router>
            <AppShell>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage />
                    <Route path=StaticSegment("login") view=LoginPage />
                    <Route path=StaticSegment("scenarios") view=ScenariosPage />
                    <Route path=(StaticSegment("scenarios"), ParamSegment("id")) view=ScenarioEditorPage />
                    <Route path=StaticSegment("contacts") view=ContactsPage />
                    <Route path=StaticSegment("settings") view=SettingsPage />
                    <Route path=leptos_router::path!("/contacts/:id") view=pages::contact::ContactPage />
                    <Route path=StaticSegment("groups") view=pages::groups::GroupsPage />
                    <Route path=leptos_router::path!("/groups/:id") view=pages::group::GroupPage />
                    <Route path=StaticSegment("forms") view=pages::forms::FormsPage />
                    <Route path=leptos_router::path!("/scenarios/:id/statistics") view=pages::scenario_stats::ScenarioStatsPage />
                    <Route path=leptos_router::path!("/scenarios/:id/steps/:step") view=pages::step_stats::StepStatsPage />
                    <Route path=StaticSegment("webhooks") view=pages::scenario_stats::WebhooksPage />
                </Routes>
            </AppShell>
        </Router>
    }
}

/// The wasm entry point: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
