//! The account's webhook signing secret (Standard Webhooks `whsec_…`): generate
//! or rotate it; the new secret is shown once, afterwards only "a secret is set".

use crate::components::field::FormProblem;
use crate::components::show_once::ShowOnce;
use crate::server_fns::contacts::error_text;
use crate::server_fns::settings::rotate_signing_secret;
use leptos::prelude::*;

#[component]
pub fn SigningSecret(
    is_set: bool,
    changed: RwSignal<u32>,
    /// The secret just generated: owned by the page, so it outlives the refresh.
    fresh: RwSignal<Option<String>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let rotate = Action::new(|_: &()| rotate_signing_secret());
    Effect::new(move || match rotate.value().get() {
        Some(Ok(secret)) => {
            fresh.set(Some(secret));
            confirming.set(false);
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    let status = if is_set {
        "A signing secret is set: every webhook request carries webhook-id, webhook-timestamp and webhook-signature headers."
    } else {
        "No signing secret yet: webhook requests are not signed."
    };
    view! {
        <section class="page-panel" aria-labelledby="secret-title">
            <h2 id="secret-title">"Signing secret"</h2>
            <p data-testid="secret-status">{status}</p>
            {move || fresh.get().map(|secret| view! {
                <ShowOnce id="new-secret" label="Your new signing secret" secret
                    warning="Give it to the applications that receive your webhooks so they can check the signatures. Hookflow will not show it again." />
            })}
            {move || if !is_set {
                view! { <button class="button" type="button" on:click=move |_| { rotate.dispatch(()); }>"Generate a secret"</button> }.into_any()
            } else if confirming.get() {
                view! {
                    <div class="confirm" role="group" aria-labelledby="rotate-question">
                        <p id="rotate-question">"Rotate the secret? Receivers that check signatures with the old one will refuse requests until they have the new one."</p>
                        <button class="button danger" type="button" on:click=move |_| { rotate.dispatch(()); }>"Yes, rotate"</button>
                        <button class="button secondary" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                }.into_any()
            } else {
                view! { <button class="button" type="button" on:click=move |_| confirming.set(true)>"Rotate the secret"</button> }.into_any()
            }}
            <FormProblem message=failure />
        </section>
    }
}
