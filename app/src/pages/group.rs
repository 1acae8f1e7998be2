//! `/groups/{id}`: one group's members, a page at a time; remove a member.

use crate::server_fns::contacts::error_text;
use crate::server_fns::contacts_groups::set_membership;
use crate::server_fns::groups::group_members;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn GroupPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let cursors = RwSignal::new(Vec::<Option<i64>>::new());
    let after = RwSignal::new(None::<i64>);
    let failure = RwSignal::new(None::<String>);
    let remove = Action::new(move |contact: &i64| {
        let (contact, group) = (*contact, id.get_untracked().unwrap_or_default());
        set_membership(contact, group, false)
    });
    Effect::new(move || {
        if let Some(Err(e)) = remove.value().get() {
            failure.set(Some(error_text(&e)));
        }
    });
    let page = Resource::new(
        move || (id.get(), after.get(), remove.version().get()),
        |(id, after, _)| async move {
            match id {
                Some(id) => group_members(id, after).await,
                None => Err(ServerFnError::new("There is no such group.")),
            }
        },
    );
    view! {
        <Title text="Group" />
        <p class="breadcrumb"><a href="/groups">"Groups"</a></p>
        <Transition fallback=|| view! { <p>"Loading the group…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let count = p.group.members;
                        view! {
                            <h1>{p.group.name}</h1>
                            <p class="lead">{if count == 1 { "1 member".to_string() } else { format!("{count} members") }}</p>
                            <section class="page-panel wide" aria-labelledby="members-title">
                                <h2 id="members-title">"Members"</h2>
                                {if p.members.contacts.is_empty() {
                                    view! { <p class="empty-state">"No contacts in this group. Add one from a contact's page."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table class="data-table" data-testid="member-table">
                                                <thead><tr>
                                                    <th scope="col">"Email"</th><th scope="col">"Name"</th>
                                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                                </tr></thead>
                                                <tbody>
                                                    {p.members.contacts.into_iter().map(|c| {
                                                        let label = format!("Remove {} from the group", c.email);
                                                        view! {
                                                            <tr>
                                                                <td><a href=format!("/contacts/{}", c.id)>{c.email}</a></td>
                                                                <td>{c.name}</td>
                                                                <td class="actions"><button class="link-button danger" type="button"
                                                                    aria-label=label on:click=move |_| { remove.dispatch(c.id); }>"Remove"</button></td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <nav class="pager" aria-label="Member pages">
                                    <button class="button secondary" type="button"
                                        disabled=move || cursors.with(Vec::is_empty)
                                        on:click=move |_| after.set(cursors.try_update(|c| c.pop()).flatten().flatten())>"Previous page"</button>
                                    <button class="button secondary" type="button" disabled=p.members.next_after.is_none()
                                        on:click=move |_| {
                                            cursors.update(|c| c.push(after.get_untracked()));
                                            after.set(p.members.next_after);
                                        }>"Next page"</button>
                                </nav>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <h1>"Group"</h1><p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
        {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
    }
}
