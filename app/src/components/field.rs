//! One labelled form control with its hint and its problem beside it. The
//! problem is linked to the control (`aria-describedby`, `aria-invalid`), so a
//! screen reader reads it with the field.

use crate::server_fns::contacts::FieldError;
use leptos::prelude::*;

/// The message for `field` among `problems`, if any.
pub fn problem_of(problems: &[FieldError], field: &str) -> Option<String> {
    problems
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.clone())
}

/// A signal of the problem with one field.
pub fn problem_signal(problems: RwSignal<Vec<FieldError>>, field: &str) -> Signal<Option<String>> {
    let field = field.to_string();
    Signal::derive(move || problems.with(|p| problem_of(p, &field)))
}

/// The ids a control is described by: its hint and, when it has one, its problem.
fn described_by(
    id: &str,
    has_hint: bool,
    problem: Signal<Option<String>>,
) -> Signal<Option<String>> {
    let (hint, error) = (format!("{id}-hint"), format!("{id}-problem"));
    Signal::derive(move || {
        let ids: Vec<&str> = [
            has_hint.then_some(hint.as_str()),
            problem.with(Option::is_some).then_some(error.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    })
}

#[component]
fn Below(id: String, hint: Option<String>, problem: Signal<Option<String>>) -> impl IntoView {
    let problem_id = format!("{id}-problem");
    view! {
        {hint.map(|hint| view! { <p class="field-hint" id=format!("{id}-hint")>{hint}</p> })}
        {move || problem.get().map(|message| view! {
            <p class="field-problem" id=problem_id.clone()>{message}</p>
        })}
    }
}

/// A text-like input (`type` text, email, password, search…).
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into, default = Signal::derive(|| None))] problem: Signal<Option<String>>,
    #[prop(into, default = "text".to_string())] kind: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] autocomplete: Option<String>,
    #[prop(optional, into)] inputmode: Option<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some(), problem);
    view! {
        <div class="field" class:invalid=move || problem.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=id.clone()
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                aria-invalid=move || problem.with(Option::is_some).then_some("true")
                aria-describedby=move || described.get()
                bind:value=value
            />
            <Below id hint problem />
        </div>
    }
}

/// A choice among `options` (value, label); `blank` adds an empty first option.
#[component]
pub fn ChoiceField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    options: Vec<(String, String)>,
    #[prop(into, default = Signal::derive(|| None))] problem: Signal<Option<String>>,
    #[prop(optional, into)] blank: Option<String>,
) -> impl IntoView {
    let described = described_by(&id, false, problem);
    view! {
        <div class="field" class:invalid=move || problem.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <select
                id=id.clone()
                name=id.clone()
                aria-invalid=move || problem.with(Option::is_some).then_some("true")
                aria-describedby=move || described.get()
                bind:value=value
            >
                {blank.map(|text| view! { <option value="">{text}</option> })}
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = v == value.get_untracked();
                        view! { <option value=v selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <Below id hint=None problem />
        </div>
    }
}

/// A problem that belongs to no field (the server did not answer, …).
#[component]
pub fn FormProblem(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="error form-problem" role="alert">{m}</p> })
    }
}
