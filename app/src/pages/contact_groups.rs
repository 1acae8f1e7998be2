//! The "Groups" panel of a contact's page: the groups it is in (each with a
//! Remove button) and adding it to another.

use crate::components::field::{ChoiceField, FormProblem};
use crate::server_fns::contacts::error_text;
use crate::server_fns::contacts_groups::{contact_memberships, set_membership};
use leptos::prelude::*;

#[component]
pub fn ContactGroups(contact_id: i64) -> impl IntoView {
    let change = Action::new(move |(group, member): &(i64, bool)| {
        set_membership(contact_id, *group, *member)
    });
    let groups = Resource::new(
        move || change.version().get(),
        move |_| contact_memberships(contact_id),
    );
    let chosen = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    Effect::new(move || {
        if let Some(result) = change.value().get() {
            failure.set(result.err().map(|e| error_text(&e)));
        }
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match chosen.get_untracked().parse::<i64>() {
            Ok(group) => {
                change.dispatch((group, true));
                chosen.set(String::new());
            }
            Err(_) => failure.set(Some("Choose a group first.".into())),
        }
    };
    view! {
        <section class="page-panel groups-panel" aria-labelledby="contact-groups-title">
            <h2 id="contact-groups-title">"Groups"</h2>
            <Transition fallback=|| view! { <p>"Loading groups…"</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(m) => {
                            let options: Vec<(String, String)> =
                                m.others.iter().map(|g| (g.id.to_string(), g.name.clone())).collect();
                            let no_others = options.is_empty();
                            view! {
                                {if m.member_of.is_empty() {
                                    view! { <p class="muted" data-testid="no-groups">"Not in any group."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="chip-list" data-testid="contact-groups">
                                            {m.member_of.into_iter().map(|g| {
                                                let label = format!("Remove from {}", g.name);
                                                view! {
                                                    <li class="chip">
                                                        <a href=format!("/groups/{}", g.id)>{g.name}</a>
                                                        <button class="link-button" type="button" aria-label=label
                                                            on:click=move |_| { change.dispatch((g.id, false)); }>"Remove"</button>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                {if no_others {
                                    view! { <p class="muted">"No other group to add it to. " <a href="/groups">"Create a group"</a></p> }.into_any()
                                } else {
                                    view! {
                                        <form class="inline-form" method="post" on:submit=add>
                                            <ChoiceField id="add-to-group" label="Add to group" value=chosen
                                                options blank="Choose a group" />
                                            <button class="button" type="submit">"Add"</button>
                                        </form>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Transition>
            <FormProblem message=failure />
        </section>
    }
}
