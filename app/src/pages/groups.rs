//! `/groups`: the account's groups with their member counts; create, rename,
//! delete (after a confirmation).

use crate::components::field::{FormProblem, TextField};
use crate::server_fns::contacts::error_text;
use crate::server_fns::groups::{GroupSummary, NameOutcome, delete_group, list_groups, save_group};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let groups = Resource::new(move || changed.get(), |_| list_groups());
    view! {
        <Title text="Groups" />
        <h1>"Groups"</h1>
        <div class="page-columns">
            <section class="page-panel wide" aria-labelledby="group-list-title">
                <h2 id="group-list-title">"All groups"</h2>
                <Transition fallback=|| view! { <p>"Loading groups…"</p> }>
                    {move || Suspend::new(async move {
                        match groups.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="empty-state">"No groups yet. A group is a named list of contacts: create one here."</p>
                            }.into_any(),
                            Ok(list) => view! { <GroupTable groups=list changed /> }.into_any(),
                            Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <NewGroup changed />
        </div>
    }
}

#[component]
fn GroupTable(groups: Vec<GroupSummary>, changed: RwSignal<u32>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="group-table">
                <thead><tr>
                    <th scope="col">"Name"</th>
                    <th scope="col" class="number">"Members"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {groups.into_iter().map(|g| view! { <GroupRow group=g changed /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a row is doing: showing, renaming, or asking before a delete.
#[derive(Clone, Copy, PartialEq)]
enum RowMode {
    Show,
    Rename,
    ConfirmDelete,
}

#[component]
fn GroupRow(group: GroupSummary, changed: RwSignal<u32>) -> impl IntoView {
    let mode = RwSignal::new(RowMode::Show);
    let name = RwSignal::new(group.name.clone());
    let problem = RwSignal::new(None::<String>);
    let id = group.id;
    let rename = Action::new(move |name: &String| save_group(Some(id), name.clone()));
    let delete = Action::new(move |_: &()| delete_group(id));
    Effect::new(move || match rename.value().get() {
        Some(Ok(NameOutcome::Done)) => changed.update(|n| *n += 1),
        Some(Ok(NameOutcome::Problem(p))) => problem.set(Some(p)),
        Some(Err(e)) => problem.set(Some(error_text(&e))),
        None => {}
    });
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => changed.update(|n| *n += 1),
        Some(Err(e)) => problem.set(Some(error_text(&e))),
        None => {}
    });
    let title = group.name.clone();
    let members = group.members;
    view! {
        <tr>
            {move || match mode.get() {
                RowMode::Rename => view! {
                    <td colspan="3">
                        <form class="inline-form" method="post" on:submit=move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            rename.dispatch(name.get_untracked());
                        }>
                            <TextField id=format!("rename-group-{id}") label="New name" value=name autocomplete="off"
                                problem=problem />
                            <button class="button" type="submit">"Save name"</button>
                            <button class="button secondary" type="button" on:click=move |_| mode.set(RowMode::Show)>"Cancel"</button>
                        </form>
                    </td>
                }.into_any(),
                RowMode::ConfirmDelete => {
                    let question = format!("Delete the group “{title}”? Its {members} contacts stay; only their membership goes.");
                    view! {
                        <td colspan="3">
                            <div class="confirm" role="group" aria-label="Confirm the delete">
                                <p>{question}</p>
                                <button class="button danger" type="button" on:click=move |_| { delete.dispatch(()); }>"Yes, delete"</button>
                                <button class="button secondary" type="button" on:click=move |_| mode.set(RowMode::Show)>"Cancel"</button>
                                <FormProblem message=problem />
                            </div>
                        </td>
                    }.into_any()
                }
                RowMode::Show => {
                    let title = title.clone();
                    view! {
                        <td><a href=format!("/groups/{id}")>{title.clone()}</a></td>
                        <td class="number">{members}</td>
                        <td class="actions">
                            <button class="link-button" type="button" aria-label=format!("Rename {title}")
                                on:click=move |_| mode.set(RowMode::Rename)>"Rename"</button>
                            <button class="link-button danger" type="button" aria-label=format!("Delete {title}")
                                on:click=move |_| mode.set(RowMode::ConfirmDelete)>"Delete"</button>
                        </td>
                    }.into_any()
                }
            }}
        </tr>
    }
}

#[component]
fn NewGroup(changed: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let create = Action::new(|name: &String| save_group(None, name.clone()));
    Effect::new(move || match create.value().get() {
        Some(Ok(NameOutcome::Done)) => {
            name.set(String::new());
            problem.set(None);
            changed.update(|n| *n += 1);
        }
        Some(Ok(NameOutcome::Problem(p))) => problem.set(Some(p)),
        Some(Err(e)) => problem.set(Some(error_text(&e))),
        None => {}
    });
    view! {
        <section class="page-panel" aria-labelledby="new-group-title">
            <h2 id="new-group-title">"New group"</h2>
            <form method="post" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                create.dispatch(name.get_untracked());
            }>
                <TextField id="new-group-name" label="Group name" value=name autocomplete="off" problem=problem />
                <button class="button" type="submit" disabled=move || create.pending().get()>"Create group"</button>
            </form>
        </section>
    }
}
