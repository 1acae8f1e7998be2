//! `/forms`: the account's subscription and update-profile forms, each with its
//! public address and a preview of its page; create and delete.

use crate::components::field::{ChoiceField, FormProblem, TextField, problem_signal};
use crate::server_fns::contacts::{FieldError, error_text};
use crate::server_fns::forms::{
    AskableField, FormOutcome, FormSummary, KINDS, create_form, delete_form, forms_overview,
    kind_label,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn FormsPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let overview = Resource::new(move || changed.get(), |_| forms_overview());
    // The form whose page the preview shows (its public path).
    let previewing = RwSignal::new(None::<(String, String)>);
    view! {
        <Title text="Forms" />
        <h1>"Forms"</h1>
        <Transition fallback=|| view! { <p>"Loading forms…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <div class="page-columns">
                            <section class="page-panel wide" aria-labelledby="form-list-title">
                                <h2 id="form-list-title">"All forms"</h2>
                                {if o.forms.is_empty() {
                                    view! { <p class="empty-state">"No forms yet. Create one: its public page creates or updates a contact and fires its trigger."</p> }.into_any()
                                } else {
                                    view! { <FormTable forms=o.forms changed previewing /> }.into_any()
                                }}
                            </section>
                            <NewForm askable=o.askable changed previewing />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
        {move || previewing.get().map(|(path, name)| view! {
            <section class="page-panel wide preview" aria-labelledby="preview-title">
                <div class="preview-head">
                    <h2 id="preview-title">"Preview: " {name.clone()}</h2>
                    <button class="button secondary" type="button" on:click=move |_| previewing.set(None)>"Close preview"</button>
                </div>
                <iframe src=path.clone() title=format!("Preview of the form {name}") data-testid="form-preview"></iframe>
            </section>
        })}
    }
}

#[component]
fn FormTable(
    forms: Vec<FormSummary>,
    changed: RwSignal<u32>,
    previewing: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let delete = Action::new(|id: &i64| delete_form(*id));
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => {
            previewing.set(None);
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="form-table">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Asks"</th>
                    <th scope="col">"Public page"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {forms.into_iter().map(|f| view! { <FormRow form=f delete previewing /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <FormProblem message=failure />
    }
}

#[component]
fn FormRow(
    form: FormSummary,
    delete: Action<i64, Result<(), ServerFnError>>,
    previewing: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let (id, name, path) = (form.id, form.name.clone(), form.public_path.clone());
    let preview = (path.clone(), name.clone());
    view! {
        <tr>
            <td>{form.name.clone()}</td>
            <td>{kind_label(&form.kind)}</td>
            <td>{form.fields.join(", ")}</td>
            <td><a href=path.clone() target="_blank" rel="noopener" class="mono">{path.clone()}</a></td>
            <td class="actions">
                {move || if confirming.get() {
                    view! {
                        <span class="confirm-inline" role="group" aria-label=format!("Delete {name}?")>
                            <button class="link-button danger" type="button" on:click=move |_| { delete.dispatch(id); }>"Yes, delete"</button>
                            <button class="link-button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    let preview = preview.clone();
                    let name = name.clone();
                    view! {
                        <button class="link-button" type="button" aria-label=format!("Preview {name}")
                            on:click=move |_| previewing.set(Some(preview.clone()))>"Preview"</button>
                        <button class="link-button danger" type="button" aria-label=format!("Delete {name}")
                            on:click=move |_| confirming.set(true)>"Delete"</button>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn NewForm(
    askable: Vec<AskableField>,
    changed: RwSignal<u32>,
    previewing: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let kind = RwSignal::new("subscription".to_string());
    let name = RwSignal::new(String::new());
    let asked: Vec<(String, RwSignal<bool>)> = askable
        .iter()
        .map(|f| {
            (
                f.key.clone(),
                RwSignal::new(f.key == "firstname" || f.key == "lastname"),
            )
        })
        .collect();
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let create = Action::new(|(k, n, f): &(String, String, Vec<String>)| {
        create_form(k.clone(), n.clone(), f.clone())
    });
    Effect::new(move || match create.value().get() {
        Some(Ok(FormOutcome::Created(form))) => {
            previewing.set(Some((form.public_path, form.name)));
            changed.update(|n| *n += 1);
        }
        Some(Ok(FormOutcome::Problems(found))) => problems.set(found),
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    let chosen = asked.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields = chosen
            .iter()
            .filter(|(_, on)| on.get_untracked())
            .map(|(k, _)| k.clone())
            .collect();
        create.dispatch((kind.get_untracked(), name.get_untracked(), fields));
    };
    let kinds = KINDS
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    let definition_problem = Signal::derive(move || {
        problems.with(|p| {
            p.iter()
                .find(|p| p.field.starts_with("definition"))
                .map(|p| p.message.clone())
        })
    });
    view! {
        <section class="page-panel" aria-labelledby="new-form-title">
            <h2 id="new-form-title">"New form"</h2>
            <form method="post" on:submit=submit novalidate>
                <ChoiceField id="new-form-kind" label="Kind" value=kind options=kinds problem=problem_signal(problems, "kind") />
                <TextField id="new-form-name" label="Name" value=name autocomplete="off"
                    hint="Shown as the page's title" problem=problem_signal(problems, "name") />
                <fieldset class="checkbox-group">
                    <legend>"Fields asked"</legend>
                    <p class="field-hint">"The email is always asked, and required."</p>
                    {askable.into_iter().zip(asked).map(|(f, (_, on))| {
                        let id = format!("ask-{}", f.key);
                        view! {
                            <div class="checkbox">
                                <input type="checkbox" id=id.clone() bind:checked=on />
                                <label for=id>{f.label}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                {move || definition_problem.get().map(|m| view! { <p class="field-problem">{m}</p> })}
                <FormProblem message=failure />
                <button class="button" type="submit" disabled=move || create.pending().get()>"Create form"</button>
            </form>
        </section>
    }
}
