//! Who is signed in, and the way out. Logging out is a plain form POST carrying
//! the session's CSRF token, so it works before the wasm has loaded.

use crate::session::{CSRF_FIELD, Role, SignedIn};
use leptos::prelude::*;

#[component]
pub fn AccountMenu(signed_in: SignedIn, open: ReadSignal<bool>) -> impl IntoView {
    let role = match signed_in.user.role {
        Role::Admin => "Admin",
        Role::Marketer => "Marketer",
    };
    view! {
        <div class="account" class:open=move || open.get()>
            <span class="account-who">
                <span class="account-email" data-testid="user-email">{signed_in.user.email}</span>
                <span class="account-role">{role}</span>
            </span>
            <form method="post" action="/logout">
                <input type="hidden" name=CSRF_FIELD value=signed_in.csrf_token />
                <button class="logout" type="submit">"Log out"</button>
            </form>
        </div>
    }
}
