//! `/settings`, an admin's page: the account's users, API tokens, webhook
//! signing secret and time zone. A marketer is told plainly that it is not theirs.

mod secret;
mod time_zone;
mod tokens;
mod users;

use crate::server_fns::contacts::error_text;
use crate::server_fns::settings::account_settings;
use crate::session::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let is_admin = use_context::<CurrentUser>().is_some_and(|u| u.is_admin());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        {if is_admin {
            view! { <AdminSettings /> }.into_any()
        } else {
            view! {
                <p class="empty-state" data-testid="admins-only">
                    "Only admins manage the account's users, API tokens and signing secret. "
                    "Ask an admin of your account if something here needs to change."
                </p>
            }.into_any()
        }}
    }
}

#[component]
fn AdminSettings() -> impl IntoView {
    // Bumped after every change, to read the settings again.
    let changed = RwSignal::new(0u32);
    let settings = Resource::new(move || changed.get(), |_| account_settings());
    // Secrets shown once live here, above the refreshes of the lists.
    let (fresh_token, fresh_secret) = (RwSignal::new(None), RwSignal::new(None));
    view! {
        <Transition fallback=|| view! { <p>"Loading the settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <div class="settings-grid">
                            <users::Users users=s.users changed />
                            <tokens::Tokens tokens=s.tokens changed fresh=fresh_token />
                            <secret::SigningSecret is_set=s.signing_secret_set changed fresh=fresh_secret />
                            <time_zone::TimeZone current=s.time_zone />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
