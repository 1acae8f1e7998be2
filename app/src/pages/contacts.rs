//! `/contacts`: find a contact by email, page through all of them, create one.

use crate::components::field::{FormProblem, TextField, problem_signal};
use crate::server_fns::contacts::{
    ContactList, SaveOutcome, create_contact, error_text, list_contacts,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <Title text="Contacts" />
        <h1>"Contacts"</h1>
        <div class="page-columns">
            <ContactSearch />
            <NewContact />
        </div>
    }
}

/// The search box and the list, one page at a time.
#[component]
fn ContactSearch() -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let searched = RwSignal::new(String::new());
    // Cursors of the pages before this one, to go back.
    let cursors = RwSignal::new(Vec::<Option<i64>>::new());
    let after = RwSignal::new(None::<i64>);
    let list = Resource::new(
        move || (searched.get(), after.get()),
        |(email, after)| list_contacts(email, after),
    );
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        cursors.set(Vec::new());
        after.set(None);
        searched.set(typed.get_untracked());
    };
    let show_all = move |_| {
        typed.set(String::new());
        cursors.set(Vec::new());
        after.set(None);
        searched.set(String::new());
    };
    view! {
        <section class="page-panel wide" aria-labelledby="contact-list-title">
            <h2 id="contact-list-title">"Find a contact"</h2>
            <form class="search-form" role="search" method="post" on:submit=search>
                <TextField id="contact-search" label="Search by email" kind="search" value=typed
                    hint="The whole address, like name@example.org" />
                <div class="form-actions">
                    <button class="button" type="submit">"Search"</button>
                    <button class="button secondary" type="button" on:click=show_all>"Show all"</button>
                </div>
            </form>
            <Transition fallback=|| view! { <p>"Loading contacts…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => view! { <ContactTable page searched=searched.get_untracked() /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Transition>
            <nav class="pager" aria-label="Contact pages">
                <button class="button secondary" type="button"
                    disabled=move || cursors.with(Vec::is_empty)
                    on:click=move |_| {
                        let previous = cursors.try_update(|c| c.pop()).flatten().flatten();
                        after.set(previous);
                    }>"Previous page"</button>
                <button class="button secondary" type="button"
                    disabled=move || list.get().and_then(|r| r.ok()).and_then(|p| p.next_after).is_none()
                    on:click=move |_| {
                        if let Some(next) = list.get_untracked().and_then(|r| r.ok()).and_then(|p| p.next_after) {
                            cursors.update(|c| c.push(after.get_untracked()));
                            after.set(Some(next));
                        }
                    }>"Next page"</button>
            </nav>
        </section>
    }
}

#[component]
fn ContactTable(page: ContactList, searched: String) -> impl IntoView {
    if page.contacts.is_empty() {
        let text = if searched.trim().is_empty() {
            "No contacts yet. Create one, or send them through the API or a form.".to_string()
        } else {
            format!("No contact has the email {}.", searched.trim())
        };
        return view! { <p class="empty-state" data-testid="contacts-empty">{text}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Contacts"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.contacts.into_iter().map(|c| view! {
                        <tr>
                            <td><a href=format!("/contacts/{}", c.id)>{c.email}</a></td>
                            <td>{c.name}</td>
                            <td><time datetime=c.created_at.clone()>{c.created_at.replace('T', " ").replace('Z', " UTC")}</time></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Creates a contact from its email and names, then opens its page.
#[component]
fn NewContact() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let firstname = RwSignal::new(String::new());
    let lastname = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::new());
    let failure = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = Action::new(move |input: &(String, String, String)| {
        let (e, f, l) = input.clone();
        create_contact(e, f, l)
    });
    Effect::new(move || match create.value().get() {
        Some(Ok(SaveOutcome::Saved(id))) => {
            navigate(&format!("/contacts/{id}"), NavigateOptions::default())
        }
        Some(Ok(SaveOutcome::Problems(found))) => {
            failure.set(None);
            problems.set(found);
        }
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch((
            email.get_untracked(),
            firstname.get_untracked(),
            lastname.get_untracked(),
        ));
    };
    view! {
        <section class="page-panel" aria-labelledby="new-contact-title">
            <h2 id="new-contact-title">"New contact"</h2>
            <form method="post" on:submit=submit novalidate>
                <TextField id="new-contact-email" label="Email" kind="email" value=email required=true
                    autocomplete="off" problem=problem_signal(problems, "email") />
                <TextField id="new-contact-firstname" label="First name" value=firstname
                    autocomplete="off" problem=problem_signal(problems, "firstname") />
                <TextField id="new-contact-lastname" label="Last name" value=lastname
                    autocomplete="off" problem=problem_signal(problems, "lastname") />
                <FormProblem message=failure />
                <button class="button" type="submit" disabled=move || create.pending().get()>"Create contact"</button>
            </form>
        </section>
    }
}
