//! `/contacts/{id}`: one contact's values, grouped as the webhook step groups
//! them (Contact details, Consent information, Personal statistics, custom
//! fields), editable with each problem beside its field; and its groups.

use crate::components::field::{ChoiceField, FormProblem, TextField, problem_signal};
use crate::pages::contact_groups::ContactGroups;
use crate::server_fns::contacts::{
    ContactView, FieldError, FieldView, SaveOutcome, contact_detail, error_text, save_contact,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let contact = Resource::new(id, |id| async move {
        match id {
            Some(id) => contact_detail(id).await,
            None => Err(ServerFnError::new("There is no such contact.")),
        }
    });
    view! {
        <Title text="Contact" />
        <p class="breadcrumb"><a href="/contacts">"Contacts"</a></p>
        <Transition fallback=|| view! { <p>"Loading the contact…"</p> }>
            {move || Suspend::new(async move {
                match contact.await {
                    Ok(c) => view! { <ContactEditor contact=c /> }.into_any(),
                    Err(e) => view! {
                        <h1>"Contact"</h1>
                        <p class="error" role="alert">{error_text(&e)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One field's control, by kind.
fn field_control(
    field: FieldView,
    value: RwSignal<String>,
    problems: RwSignal<Vec<FieldError>>,
) -> AnyView {
    let id = format!("field-{}", field.key);
    let problem = problem_signal(problems, &field.key);
    match field.kind.as_str() {
        "choice" => {
            let options = field.choices.iter().map(|c| (c.clone(), c.clone())).collect();
            view! { <ChoiceField id label=field.label value options problem blank="Not set" /> }.into_any()
        }
        "date" => view! { <TextField id label=field.label value problem hint="YYYY-MM-DD" autocomplete="off" /> }.into_any(),
        "date_time" => view! {
            <TextField id label=field.label value problem hint="YYYY-MM-DD, or a date and time in UTC" autocomplete="off" />
        }.into_any(),
        "number" => view! { <TextField id label=field.label value problem inputmode="decimal" autocomplete="off" /> }.into_any(),
        "email" => view! { <TextField id label=field.label value problem kind="email" autocomplete="off" /> }.into_any(),
        _ => view! { <TextField id label=field.label value problem autocomplete="off" /> }.into_any(),
    }
}

#[component]
fn ContactEditor(contact: ContactView) -> impl IntoView {
    let id = contact.id;
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let email = RwSignal::new(contact.email.clone());
    // One signal per field, kept in the order shown.
    let mut values: Vec<(String, RwSignal<String>)> = Vec::new();
    let sections = contact
        .sections
        .into_iter()
        .map(|section| {
            let controls = section
                .fields
                .into_iter()
                .map(|field| {
                    let value = if field.key == "email" {
                        email
                    } else {
                        RwSignal::new(field.value.clone())
                    };
                    values.push((field.key.clone(), value));
                    field_control(field, value, problems)
                })
                .collect_view();
            view! {
                <fieldset class="page-panel field-section">
                    <legend>{section.label}</legend>
                    <div class="field-grid">{controls}</div>
                </fieldset>
            }
        })
        .collect_view();
    let save = Action::new(move |values: &Vec<(String, String)>| save_contact(id, values.clone()));
    Effect::new(move || match save.value().get() {
        Some(Ok(SaveOutcome::Saved(_))) => {
            problems.set(Vec::new());
            failure.set(None);
            saved.set(true);
        }
        Some(Ok(SaveOutcome::Problems(found))) => {
            failure.set(Some(format!(
                "Nothing was saved: {} to correct.",
                if found.len() == 1 {
                    "1 field".to_string()
                } else {
                    format!("{} fields", found.len())
                }
            )));
            saved.set(false);
            problems.set(found);
        }
        Some(Err(e)) => {
            saved.set(false);
            failure.set(Some(error_text(&e)));
        }
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let typed = values
            .iter()
            .map(|(k, v)| (k.clone(), v.get_untracked()))
            .collect();
        save.dispatch(typed);
    };
    view! {
        <h1 data-testid="contact-email">{move || email.get()}</h1>
        <p class="lead">"Contact " {id} " · created " {contact.created_at.replace('T', " ").replace('Z', " UTC")}</p>
        <div class="contact-layout">
            <form class="contact-form" method="post" on:submit=submit novalidate>
                {sections}
                <div class="save-bar">
                    <button class="button" type="submit" disabled=move || save.pending().get()>"Save changes"</button>
                    <FormProblem message=failure />
                    <p class="saved" role="status">{move || saved.get().then_some("Saved.")}</p>
                </div>
            </form>
            <ContactGroups contact_id=id />
        </div>
    }
}
