use crate::server_fns::status::system_status;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let (checks, set_checks) = signal(0u32);
    let status = Resource::new(move || checks.get(), |_| system_status());
    view! {
        <Title text="Home" />
        <h1>"Welcome to Hookflow"</h1>
        <p class="lead">
            "Build scenarios that send your contacts' data to the applications you use, "
            "and follow every request until it is accepted."
        </p>
        <section class="card status" aria-labelledby="status-title">
            <h2 id="status-title">"System status"</h2>
            <Transition fallback=|| view! { <p>"Checking…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! {
                            <dl>
                                <dt>"Database"</dt>
                                <dd data-testid="database-status">
                                    {if s.database_answering { "answering" } else { "not answering" }}
                                    " (" {s.engine} ")"
                                </dd>
                                <dt>"Version"</dt>
                                <dd>{s.version}</dd>
                                <dt>"Checked at"</dt>
                                <dd><time data-testid="checked-at">{s.checked_at}</time></dd>
                            </dl>
                        }.into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert">"The server could not be reached: " {e.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <button class="button" on:click=move |_| set_checks.update(|n| *n += 1)>
                "Check again"
            </button>
        </section>
    }
}
