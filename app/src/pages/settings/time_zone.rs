//! The account's time zone: the day a "contact's date is reached" trigger fires on.

use crate::components::field::{FormProblem, TextField, problem_signal};
use crate::server_fns::contacts::{FieldError, error_text};
use crate::server_fns::settings::set_time_zone;
use leptos::prelude::*;

#[component]
pub fn TimeZone(current: String) -> impl IntoView {
    let zone = RwSignal::new(current);
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let save = Action::new(|name: &String| set_time_zone(name.clone()));
    Effect::new(move || match save.value().get() {
        // Nothing else on the page depends on it: no reload, so "Saved." stays.
        Some(Ok(found)) if found.is_empty() => saved.set(true),
        Some(Ok(found)) => problems.set(found),
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        problems.set(Vec::new());
        failure.set(None);
        save.dispatch(zone.get_untracked());
    };
    view! {
        <section class="page-panel" aria-labelledby="time-zone-title">
            <h2 id="time-zone-title">"Time zone"</h2>
            <form method="post" on:submit=submit novalidate>
                <TextField id="time-zone" label="Time zone" value=zone autocomplete="off"
                    hint="An IANA name, like Europe/Paris or America/Montreal"
                    problem=problem_signal(problems, "time_zone") />
                <FormProblem message=failure />
                <button class="button" type="submit">"Save time zone"</button>
                <p class="saved" role="status">{move || saved.get().then_some("Saved.")}</p>
            </form>
        </section>
    }
}
