//! The Send a Webhook panel: URL and Test, data to be transmitted, additional
//! information with placeholders, headers (secrets write-only), Add / Save step.
//! Problems show beside each input as the marketer types, checked by the same
//! `WebhookStepConfig::parse` the server runs.

use super::dialog::Dialog;
use super::state::Ed;
use super::test_result::TestOutcome;
use super::webhook_form::{PairRow, WebhookForm};
use crate::server_fns::scenario_editor::{Tested, test_webhook};
use hookflow::model::StepId;
use hookflow::model::fields::{Catalogue, CustomField, FieldGroup};
use hookflow::model::scenario::StepKind;
use hookflow::webhook::config::WebhookStepConfig;
use hookflow::webhook::list_placeholders;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn WebhookPanel(ed: Ed, step: StepId, is_new: bool) -> impl IntoView {
    let input = ed
        .def
        .with_untracked(|d| match d.graph.step(&step).map(|s| &s.kind) {
            Some(StepKind::SendWebhook { config, .. }) => config.clone(),
            _ => Default::default(),
        });
    let form = WebhookForm::new(&input);
    let custom = StoredValue::new(ed.custom_fields());
    let errors = Memo::new(move |_| {
        let input = form.input_to_check();
        custom.with_value(|c| {
            WebhookStepConfig::parse(&input, c, None)
                .err()
                .unwrap_or_default()
        })
    });
    let error_for = move |field: String| {
        move || {
            errors.with(|es| {
                es.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            })
        }
    };
    let close = Callback::new(move |()| ed.panel.set(None));
    let step_id = StoredValue::new(step);
    let save = move |_| {
        if !errors.get_untracked().is_empty() {
            return;
        }
        let config = form.input();
        let id = step_id.get_value();
        ed.edit(move |d| {
            if let Some(StepKind::SendWebhook { config: c, .. }) =
                d.graph.step_mut(&id).map(|s| &mut s.kind)
            {
                *c = config;
            }
        });
        ed.panel.set(None);
    };
    let read_only = ed.read_only();
    view! {
        <Dialog title_id="webhook-title" title="Send a Webhook".into() on_close=close>
            <form class="webhook-form" on:submit=|ev| ev.prevent_default()>
                <UrlAndTest ed form step=step_id error=Signal::derive(error_for("url".into())) />
                <DataFields form custom=custom.get_value() />
                <Additional form custom=custom.get_value() error_for=Callback::new(move |f: String| error_for(f)()) />
                <Headers form error_for=Callback::new(move |f: String| error_for(f)()) />
                <p class="form-problems" role="status">
                    {move || {
                        let n = errors.with(Vec::len);
                        (n > 0).then(|| format!("{n} problem{} to fix before saving.", if n == 1 { "" } else { "s" }))
                    }}
                </p>
                <div class="panel-actions">
                    <button type="button" class="button" on:click=save
                        disabled=move || read_only || errors.with(|e| !e.is_empty())>
                        {if is_new { "Add" } else { "Save step" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| close.run(())>
                        "Cancel"
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
fn UrlAndTest(
    ed: Ed,
    form: WebhookForm,
    step: StoredValue<StepId>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let result = RwSignal::new(None::<Result<Tested, String>>);
    let testing = RwSignal::new(false);
    let use_contact = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let test = move |_| {
        testing.set(true);
        result.set(None);
        let input = form.input();
        let contact = use_contact.get_untracked().then(|| email.get_untracked());
        spawn_local(async move {
            let outcome = test_webhook(ed.id, step.get_value().0, input, contact).await;
            result.set(Some(outcome.map_err(|e| e.to_string())));
            testing.set(false);
        });
    };
    view! {
        <div class="field">
            <label for="webhook-url">"URL"</label>
            <div class="url-row">
                <input id="webhook-url" type="url" placeholder="https://…" autocomplete="off"
                    prop:value=move || form.url.get()
                    on:input=move |ev| form.url.set(event_target_value(&ev))
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby="webhook-url-problem" />
                <button type="button" class="button" on:click=test disabled=move || testing.get()>
                    {move || if testing.get() { "Testing…" } else { "Test" }}
                </button>
            </div>
            <p id="webhook-url-problem" class="field-problem">{move || error.get()}</p>
            <fieldset class="test-contact">
                <legend>"Test with"</legend>
                <label>
                    <input type="radio" name="test-contact" prop:checked=move || !use_contact.get()
                        on:change=move |_| use_contact.set(false) />
                    " the sample member (John Doe)"
                </label>
                <label>
                    <input type="radio" name="test-contact" prop:checked=move || use_contact.get()
                        on:change=move |_| use_contact.set(true) />
                    " a contact:"
                </label>
                <input type="email" aria-label="Contact's email for the test" placeholder="email@example.org"
                    prop:value=move || email.get()
                    on:input=move |ev| { email.set(event_target_value(&ev)); use_contact.set(true); } />
            </fieldset>
            <TestOutcome result />
        </div>
    }
}

#[component]
fn DataFields(form: WebhookForm, custom: Vec<CustomField>) -> impl IntoView {
    let catalogue = Catalogue::new(&custom);
    let groups = FieldGroup::ALL
        .into_iter()
        .map(|group| {
            let boxes = catalogue
                .group(group)
                .map(|f| {
                    let key = f.key.to_string();
                    let k1 = key.clone();
                    let k2 = key.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox"
                                prop:checked=move || form.fields.with(|fs| fs.contains(&k1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.fields.update(|fs| {
                                        fs.retain(|k| *k != k2);
                                        if on { fs.push(k2.clone()); }
                                    });
                                } />
                            " " {f.label.to_string()}
                        </label>
                    }
                })
                .collect::<Vec<_>>();
            (!boxes.is_empty()).then(|| {
                view! {
                    <fieldset class="field-group">
                        <legend>{group.label()}</legend>
                        <div class="checks">{boxes}</div>
                    </fieldset>
                }
            })
        })
        .collect_view();
    view! {
        <section class="panel-section">
            <h3>"Data to be transmitted"</h3>
            {groups}
        </section>
    }
}

#[component]
fn Additional(
    form: WebhookForm,
    custom: Vec<CustomField>,
    error_for: Callback<String, Option<String>>,
) -> impl IntoView {
    let show_placeholders = RwSignal::new(false);
    // The value input that had the focus last, and where its cursor was.
    let target = RwSignal::new(None::<(u32, usize)>);
    let insert = move |placeholder: String| match target.get_untracked() {
        Some((uid, at))
            if form
                .additional
                .with_untracked(|r| r.iter().any(|r| r.uid == uid)) =>
        {
            let row = form
                .additional
                .with_untracked(|r| *r.iter().find(|r| r.uid == uid).unwrap());
            row.value.update(|v| {
                let at = v
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([v.len()])
                    .find(|i| *i >= at)
                    .unwrap_or(v.len());
                v.insert_str(at, &placeholder);
            });
            target.set(Some((uid, at + placeholder.len())));
        }
        _ => {
            let uid = form.add_row(form.additional, placeholder.clone());
            target.set(Some((uid, placeholder.len())));
        }
    };
    let list = list_placeholders(&custom);
    view! {
        <section class="panel-section">
            <h3>"Additional information"</h3>
            <For each=move || form.additional.get() key=|r| r.uid let:row>
                <PairInputs row list=form.additional kind="Additional information"
                    index_key="additional" error_for on_value_blur=Callback::new(move |at: usize| target.set(Some((row.uid, at)))) />
            </For>
            <div class="row-actions">
                <button type="button" class="link" on:click=move |_| { form.add_row(form.additional, String::new()); }>
                    "+ Add information"
                </button>
                <button type="button" class="link" aria-expanded=move || show_placeholders.get().to_string()
                    on:click=move |_| show_placeholders.update(|s| *s = !*s)>
                    "Get placeholders"
                </button>
            </div>
            <p class="field-problem">{move || error_for.run("additional".into())}</p>
            <Show when=move || show_placeholders.get()>
                <div class="placeholders" role="region" aria-label="Placeholders">
                    <p class="hint">"Click a placeholder to insert it into the value you were typing."</p>
                    <ul>
                        {list.iter().map(|p| {
                            let text = p.placeholder.clone();
                            view! {
                                <li>
                                    <button type="button" class="placeholder" on:click=move |_| insert(text.clone())>
                                        <code>{p.placeholder.clone()}</code>
                                    </button>
                                    " " {p.label.clone()}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn Headers(form: WebhookForm, error_for: Callback<String, Option<String>>) -> impl IntoView {
    view! {
        <section class="panel-section">
            <h3>"Headers"</h3>
            <For each=move || form.headers.get() key=|r| r.uid let:row>
                <PairInputs row list=form.headers kind="Header" index_key="headers" error_for
                    on_value_blur=Callback::new(|_| ()) />
            </For>
            <div class="row-actions">
                <button type="button" class="link" on:click=move |_| { form.add_row(form.headers, String::new()); }>
                    "+ Add header"
                </button>
            </div>
            <p class="field-problem">{move || error_for.run("headers".into())}</p>
        </section>
    }
}

/// One key/value row. Headers have a secret checkbox; a saved secret is shown
/// masked and only replaced when something is typed.
#[component]
fn PairInputs(
    row: PairRow,
    list: RwSignal<Vec<PairRow>>,
    kind: &'static str,
    index_key: &'static str,
    error_for: Callback<String, Option<String>>,
    on_value_blur: Callback<usize>,
) -> impl IntoView {
    let is_header = index_key == "headers";
    let index = move || list.with(|rows| rows.iter().position(|r| r.uid == row.uid).unwrap_or(0));
    let key_name = if is_header { "name" } else { "key" };
    let key_error = move || error_for.run(format!("{index_key}[{}].{key_name}", index()));
    let value_error = move || error_for.run(format!("{index_key}[{}].value", index()));
    // Empty when the row is valid, so that no warning sign shows without words.
    let problem = move || {
        [key_error(), value_error()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let n = move || index() + 1;
    view! {
        <div class="pair-row">
            <input type="text" placeholder=if is_header { "Name" } else { "Key" }
                aria-label=move || format!("{kind} {} {}", n(), if is_header { "name" } else { "key" })
                prop:value=move || row.key.get()
                on:input=move |ev| row.key.set(event_target_value(&ev))
                aria-invalid=move || key_error().is_some().to_string() />
            <input type=move || if is_header && row.secret.get() { "password" } else { "text" }
                autocomplete="off"
                placeholder=if row.saved_secret { "•••••••• saved (type to replace)" } else { "Value" }
                aria-label=move || format!("{kind} {} value", n())
                prop:value=move || row.value.get()
                on:input=move |ev| row.value.set(event_target_value(&ev))
                on:blur=move |ev| {
                    use leptos::wasm_bindgen::JsCast;
                    let at = ev.target()
                        .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
                        .and_then(|i| i.selection_start().ok().flatten())
                        .unwrap_or(0) as usize;
                    on_value_blur.run(at);
                }
                aria-invalid=move || value_error().is_some().to_string() />
            {is_header.then(|| view! {
                <label class="check secret">
                    <input type="checkbox" prop:checked=move || row.secret.get()
                        on:change=move |ev| row.secret.set(event_target_checked(&ev)) />
                    " Secret"
                </label>
            })}
            <button type="button" class="icon-button" aria-label=move || format!("Remove {} {}", kind.to_lowercase(), n())
                on:click=move |_| list.update(|rows| rows.retain(|r| r.uid != row.uid))>
                "×"
            </button>
            <p class="field-problem pair-problem">{problem}</p>
        </div>
    }
}
