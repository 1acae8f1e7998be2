//! API tokens: list (name, first characters, created), create (the whole token
//! is shown once), revoke.

use crate::components::field::{FormProblem, TextField, problem_signal};
use crate::components::show_once::ShowOnce;
use crate::server_fns::contacts::{FieldError, error_text};
use crate::server_fns::settings::{Created, TokenRow, create_api_token, revoke_api_token};
use leptos::prelude::*;

fn day(instant: &str) -> String {
    instant.replace('T', " ").replace('Z', " UTC")
}

#[component]
pub fn Tokens(
    tokens: Vec<TokenRow>,
    changed: RwSignal<u32>,
    /// The token just created: owned by the page, so it outlives the list's refresh.
    fresh: RwSignal<Option<String>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let create = Action::new(|name: &String| create_api_token(name.clone()));
    let revoke = Action::new(|id: &i64| revoke_api_token(*id));
    Effect::new(move || match create.value().get() {
        Some(Ok(Created::ShowOnce(secret))) => {
            fresh.set(Some(secret));
            changed.update(|n| *n += 1);
        }
        Some(Ok(Created::Problems(found))) => problems.set(found),
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    Effect::new(move || match revoke.value().get() {
        Some(Ok(())) => changed.update(|n| *n += 1),
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        problems.set(Vec::new());
        create.dispatch(name.get_untracked());
    };
    let list = if tokens.is_empty() {
        view! { <p class="muted">"No API tokens yet."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="data-table" data-testid="token-table">
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Starts with"</th>
                        <th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {tokens.into_iter().map(|t| {
                            let label = format!("Revoke {}", t.name);
                            view! {
                                <tr>
                                    <td>{t.name}</td>
                                    <td><code>{t.prefix}"…"</code></td>
                                    <td>{day(&t.created_at)}</td>
                                    <td class="actions"><button class="link-button danger" type="button" aria-label=label
                                        on:click=move |_| { revoke.dispatch(t.id); }>"Revoke"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any()
    };
    view! {
        <section class="page-panel" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p class="muted">"Programs use a token to call Hookflow's REST API for this account."</p>
            {list}
            {move || fresh.get().map(|secret| view! {
                <ShowOnce id="new-token" label="Your new API token" secret
                    warning="Copy it now and keep it somewhere safe: Hookflow keeps only a fingerprint and cannot show it again." />
            })}
            <form method="post" on:submit=submit novalidate>
                <TextField id="new-token-name" label="Token name" value=name autocomplete="off"
                    hint="What uses it, like “CRM sync”" problem=problem_signal(problems, "name") />
                <FormProblem message=failure />
                <button class="button" type="submit" disabled=move || create.pending().get()>"Create token"</button>
            </form>
        </section>
    }
}
