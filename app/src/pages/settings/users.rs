//! The account's users: list, add a marketer or an admin, remove.

use crate::components::field::{ChoiceField, FormProblem, TextField, problem_signal};
use crate::server_fns::contacts::{FieldError, error_text};
use crate::server_fns::settings::{UserRow, create_user, remove_user};
use leptos::prelude::*;

#[component]
pub fn Users(users: Vec<UserRow>, changed: RwSignal<u32>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("marketer".to_string());
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let create = Action::new(|(e, p, r): &(String, String, String)| {
        create_user(e.clone(), p.clone(), r.clone())
    });
    let remove = Action::new(|id: &i64| remove_user(*id));
    Effect::new(move || match create.value().get() {
        Some(Ok(found)) if found.is_empty() => changed.update(|n| *n += 1),
        Some(Ok(found)) => problems.set(found),
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    Effect::new(move || match remove.value().get() {
        Some(Ok(())) => changed.update(|n| *n += 1),
        Some(Err(e)) => failure.set(Some(error_text(&e))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        create.dispatch((
            email.get_untracked(),
            password.get_untracked(),
            role.get_untracked(),
        ));
    };
    let roles = vec![
        ("marketer".to_string(), "Marketer".to_string()),
        ("admin".to_string(), "Admin".to_string()),
    ];
    view! {
        <section class="page-panel" aria-labelledby="users-title">
            <h2 id="users-title">"Users"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {users.into_iter().map(|u| {
                            let label = format!("Remove {}", u.email);
                            view! {
                                <tr>
                                    <td>{u.email.clone()}</td>
                                    <td>{if u.role == "admin" { "Admin" } else { "Marketer" }}</td>
                                    <td class="actions">
                                        {if u.is_me {
                                            view! { <span class="muted">"You"</span> }.into_any()
                                        } else {
                                            view! { <button class="link-button danger" type="button" aria-label=label
                                                on:click=move |_| { remove.dispatch(u.id); }>"Remove"</button> }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>"Add a user"</h3>
            <form method="post" on:submit=submit novalidate>
                <TextField id="new-user-email" label="Email" kind="email" value=email autocomplete="off"
                    problem=problem_signal(problems, "email") />
                <TextField id="new-user-password" label="Password" kind="password" value=password
                    autocomplete="new-password" hint="At least 10 characters, hard to guess"
                    problem=problem_signal(problems, "password") />
                <ChoiceField id="new-user-role" label="Role" value=role options=roles
                    problem=problem_signal(problems, "role") />
                <FormProblem message=failure />
                <button class="button" type="submit" disabled=move || create.pending().get()>"Add user"</button>
            </form>
        </section>
    }
}
