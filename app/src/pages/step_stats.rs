//! `/scenarios/{id}/steps/{step}`: a webhook step's statistics (updated while
//! the page is open), its chart, and its delivery log with resend and cancel.

use crate::components::chart::{DeliveryChart, exact_time, short_time};
use crate::server_fns::contacts::error_text;
use crate::server_fns::step_report::{
    ActionOutcome, DeliveryOpened, LogLine, cancel_one, delivery_view, resend_all_failed,
    resend_one, step_chart, step_log, step_page,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::time::Duration;

/// How often the numbers are read again.
const REFRESH: Duration = Duration::from_secs(3);
/// How often the chart is at least (it reads every delivery of the step, so it
/// is otherwise read only when the numbers move).
const CHART_REFRESH: Duration = Duration::from_secs(30);

/// A signal that ticks every `every` while the page is open (in the browser).
pub fn ticker(every: Duration) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0_u64);
    Effect::new(move |_| {
        let timer = set_interval_with_handle(move || set_tick.update(|t| *t += 1), every).ok();
        on_cleanup(move || {
            if let Some(t) = timer {
                t.clear();
            }
        });
    });
    tick
}

fn state_words(state: &str) -> &'static str {
    match state {
        "accepted" => "Accepted",
        "pending" => "Pending",
        _ => "Failed",
    }
}

#[component]
pub fn StepStatsPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())));
    let step = Memo::new(move |_| params.with(|p| p.get("step").unwrap_or_default()));
    // Bumped by every resend or cancel: the numbers, the log and the open delivery follow.
    let changed = RwSignal::new(0_u64);
    let notice = RwSignal::new(None::<ActionOutcome>);
    let confirm_all = RwSignal::new(false);
    let tick = ticker(REFRESH);
    let head = Resource::new(
        move || (id.get(), step.get(), tick.get(), changed.get()),
        |(id, step, _, _)| async move {
            match id {
                Some(id) => step_page(id, step).await,
                None => Err(ServerFnError::new("There is no such scenario.")),
            }
        },
    );
    // The chart is read again when the numbers move, and every half minute.
    let numbers_seen = RwSignal::new(None::<crate::server_fns::scenario_editor::StepNumbers>);
    Effect::new(move |_| {
        if let Some(Ok(h)) = head.get()
            && numbers_seen.get_untracked() != Some(h.numbers)
        {
            numbers_seen.set(Some(h.numbers));
        }
    });
    let chart_tick = ticker(CHART_REFRESH);
    let chart = Resource::new(
        move || (id.get(), step.get(), chart_tick.get(), numbers_seen.get()),
        |(id, step, _, _)| async move {
            match id {
                Some(id) => step_chart(id, step).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let resend_all = Action::new(move |_: &()| {
        let (scenario, step) = (id.get_untracked().unwrap_or_default(), step.get_untracked());
        async move { resend_all_failed(scenario, step).await }
    });
    Effect::new(move |_| {
        if let Some(done) = resend_all.value().get() {
            notice.set(Some(
                done.unwrap_or_else(|e| ActionOutcome::Refused(error_text(&e))),
            ));
            changed.update(|c| *c += 1);
        }
    });
    // The numbers are read again every few seconds; the log below stays as the
    // marketer left it (filters, page, open delivery), so it is outside.
    view! {
        <Title text="Step statistics" />
        <Transition fallback=|| view! { <p>"Loading the statistics…"</p> }>
            {move || Suspend::new(async move {
                match head.await {
                    Ok(h) => {
                        let n = h.numbers;
                        let title = if h.step_summary.is_empty() {
                            h.step_label.clone()
                        } else {
                            format!("{}: {}", h.step_label, h.step_summary)
                        };
                        view! {
                            <p class="breadcrumb trail">
                                <a href="/scenarios">"Scenarios"</a>
                                " › " <a href=format!("/scenarios/{}", h.scenario_id)>{h.scenario_name.clone()}</a>
                                " › " <a href=format!("/scenarios/{}/statistics", h.scenario_id)>"Statistics"</a>
                            </p>
                            <div class="page-head">
                                <h1 class="step-title">{title}</h1>
                                <span class=format!("badge status-{}", h.status.as_str())>{h.status.label()}</span>
                            </div>
                            <section class="page-panel wide" aria-labelledby="numbers-title">
                                <div class="section-head">
                                    <h2 id="numbers-title">"Statistics"</h2>
                                    {(n.failed > 0).then(|| view! {
                                        <button class="button secondary" type="button" on:click=move |_| confirm_all.set(true)
                                            data-testid="resend-all">{format!("Resend all {} failed", n.failed)}</button>
                                    })}
                                </div>
                                <dl class="stat-cards">
                                    <div><dt>"Contacts who reached this step"</dt><dd data-testid="stat-reached">{n.reached}</dd></div>
                                    <div class="ok"><dt>"Requests accepted"</dt><dd data-testid="stat-accepted">{n.accepted}</dd></div>
                                    <div class="pending"><dt>"Requests pending"</dt><dd data-testid="stat-pending">{n.pending}</dd></div>
                                    <div class="bad"><dt>"Requests failed (no further attempts)"</dt><dd data-testid="stat-failed">{n.failed}</dd></div>
                                </dl>
                                <p class="hint">"The numbers are read again every few seconds while this page is open, the chart when they move. Each contact is counted once per pass through the step."</p>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <p class="breadcrumb"><a href="/scenarios">"Scenarios"</a></p>
                        <h1>"Step statistics"</h1>
                        <p class="error" role="alert">{error_text(&e)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
        // Beside the numbers' Transition, not inside it: a Transition nested in
        // another's content does not hydrate.
        <section class="page-panel wide" aria-labelledby="chart-title">
            <h2 id="chart-title">"Over time"</h2>
            <Transition fallback=|| view! { <p>"Loading the chart…"</p> }>
                {move || Suspend::new(async move {
                    match chart.await {
                        Ok(points) => view! { <DeliveryChart points /> }.into_any(),
                        Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <Show when=move || confirm_all.get()>
            <div class="confirm" role="alertdialog" aria-labelledby="resend-all-q">
                <p id="resend-all-q">"Send every failed delivery of this step again? Each keeps its id, so the destination can recognise a repeat, and gets a new retry window."</p>
                <button class="button" type="button" on:click=move |_| { confirm_all.set(false); resend_all.dispatch(()); }>"Resend them"</button>
                " "
                <button class="button secondary" type="button" on:click=move |_| confirm_all.set(false)>"Keep them failed"</button>
            </div>
        </Show>
        {move || notice.get().map(|n| match n {
            ActionOutcome::Done(m) => view! { <p class="saved" role="status" data-testid="action-notice">{m}</p> }.into_any(),
            ActionOutcome::Refused(m) => view! { <p class="error" role="alert" data-testid="action-notice">{m}</p> }.into_any(),
        })}
        {move || id.get().map(|scenario| view! {
            <DeliveryLog scenario step=step.get_untracked() changed notice tick />
        })}
    }
}

#[component]
fn DeliveryLog(
    scenario: i64,
    step: String,
    changed: RwSignal<u64>,
    notice: RwSignal<Option<ActionOutcome>>,
    tick: ReadSignal<u64>,
) -> impl IntoView {
    let step = StoredValue::new(step);
    let filter = RwSignal::new(String::new());
    let email_input = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let before = RwSignal::new(None::<i64>);
    let newer = RwSignal::new(Vec::<Option<i64>>::new());
    let open = RwSignal::new(None::<i64>);
    // The newest page follows new deliveries while no delivery is open (an open
    // one, or an older page, stays as the marketer is reading it).
    let follow = Memo::new(move |prev: Option<&u64>| {
        if open.get().is_none() && before.get().is_none() {
            tick.get()
        } else {
            prev.copied().unwrap_or_default()
        }
    });
    let page = Resource::new(
        move || {
            (
                filter.get(),
                email.get(),
                before.get(),
                changed.get(),
                follow.get(),
            )
        },
        move |(f, e, b, _, _)| {
            let step = step.get_value();
            async move { step_log(scenario, step, (!f.is_empty()).then_some(f), e, b).await }
        },
    );
    let restart = move || {
        before.set(None);
        newer.set(Vec::new());
        open.set(None);
    };
    view! {
        <section class="page-panel wide" aria-labelledby="log-title">
            <h2 id="log-title">"Delivery log"</h2>
            <form class="log-filters" on:submit=move |ev| {
                ev.prevent_default();
                email.set(email_input.get_untracked().trim().to_string());
                restart();
            }>
                <label class="field">
                    <span>"State"</span>
                    <select data-testid="log-state" on:change=move |ev| { filter.set(event_target_value(&ev)); restart(); }
                        prop:value=move || filter.get()>
                        <option value="">"All"</option>
                        <option value="pending">"Pending"</option>
                        <option value="accepted">"Accepted"</option>
                        <option value="failed">"Failed"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Contact email"</span>
                    <input type="search" placeholder="name@example.org" prop:value=move || email_input.get()
                        on:input=move |ev| email_input.set(event_target_value(&ev)) />
                </label>
                <button class="button secondary" type="submit">"Search"</button>
                <button class="button secondary" type="button" on:click=move |_| {
                    email_input.set(String::new()); email.set(String::new()); filter.set(String::new()); restart();
                }>"Show all"</button>
            </form>
            <Transition fallback=|| view! { <p>"Loading the deliveries…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.lines.is_empty() => view! {
                            <p class="empty-state" data-testid="log-empty">"No delivery matches."</p>
                        }.into_any(),
                        Ok(p) => {
                            let next = p.next_before;
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table log-table" data-testid="delivery-log">
                                        <thead><tr>
                                            <th scope="col">"Contact"</th>
                                            <th scope="col">"State"</th>
                                            <th scope="col" class="number">"Attempts"</th>
                                            <th scope="col">"Reached the step"</th>
                                            <th scope="col">"Last outcome"</th>
                                            <th scope="col"><span class="visually-hidden">"Details"</span></th>
                                        </tr></thead>
                                        <tbody>
                                            {p.lines.into_iter().map(|l| view! { <LogRow line=l open changed notice /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <nav class="pager" aria-label="Delivery log pages">
                                    <button class="button secondary" type="button" disabled=move || newer.with(Vec::is_empty)
                                        on:click=move |_| { before.set(newer.try_update(|n| n.pop()).flatten().flatten()); open.set(None); }>"Newer"</button>
                                    <button class="button secondary" type="button" disabled=next.is_none()
                                        on:click=move |_| {
                                            newer.update(|n| n.push(before.get_untracked()));
                                            before.set(next);
                                            open.set(None);
                                        }>"Older"</button>
                                </nav>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LogRow(
    line: LogLine,
    open: RwSignal<Option<i64>>,
    changed: RwSignal<u64>,
    notice: RwSignal<Option<ActionOutcome>>,
) -> impl IntoView {
    let id = line.id;
    let is_open = move || open.get() == Some(id);
    let who = line
        .email
        .clone()
        .unwrap_or_else(|| format!("contact {} (deleted)", line.contact_id));
    view! {
        <tr class=format!("state-{}", line.state) data-delivery-id=id>
            <td>{who.clone()}</td>
            <td><span class=format!("badge delivery-{}", line.state)>{state_words(&line.state)}</span></td>
            <td class="number">{line.attempts}</td>
            <td>{short_time(&line.created_at)}</td>
            <td>{line.last_outcome.clone().unwrap_or_else(|| "Not tried yet".into())}</td>
            <td class="actions">
                <button class="link-button" type="button" aria-expanded=move || is_open().to_string()
                    aria-label=format!("Details of the delivery to {who}")
                    on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                    {move || if is_open() { "Hide" } else { "Details" }}
                </button>
            </td>
        </tr>
        <Show when=is_open>
            <tr class="detail-row" id=format!("delivery-{id}")>
                <td colspan="6"><DeliveryDetail id changed notice /></td>
            </tr>
        </Show>
    }
}

#[component]
fn DeliveryDetail(
    id: i64,
    changed: RwSignal<u64>,
    notice: RwSignal<Option<ActionOutcome>>,
) -> impl IntoView {
    let view_of = Resource::new(move || changed.get(), move |_| delivery_view(id));
    let reason = RwSignal::new(String::new());
    let act = Action::new(move |what: &Option<String>| {
        let what = what.clone();
        async move {
            match what {
                None => resend_one(id).await,
                Some(reason) => cancel_one(id, reason).await,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(done) = act.value().get() {
            let outcome = done.unwrap_or_else(|e| ActionOutcome::Refused(error_text(&e)));
            let moved = matches!(outcome, ActionOutcome::Done(_));
            notice.set(Some(outcome));
            if moved {
                reason.set(String::new());
                changed.update(|c| *c += 1);
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <p>"Loading the delivery…"</p> }>
            {move || Suspend::new(async move {
                match view_of.await {
                    Ok(v) => view! { <DeliveryBody v reason act /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DeliveryBody(
    v: DeliveryOpened,
    reason: RwSignal<String>,
    act: Action<Option<String>, Result<ActionOutcome, ServerFnError>>,
) -> impl IntoView {
    let l = v.line.clone();
    let when =
        match l.state.as_str() {
            "pending" => format!(
                "Next attempt {}; given up at {} if not accepted by then.",
                l.next_attempt_at.as_deref().map_or(
                    "as soon as possible".to_string(),
                    |t| format!("at {}", exact_time(t))
                ),
                exact_time(&l.deadline_at)
            ),
            "accepted" => format!(
                "Accepted at {}.",
                l.finished_at.as_deref().map(exact_time).unwrap_or_default()
            ),
            _ => format!(
                "Failed at {}: no further attempt.",
                l.finished_at.as_deref().map(exact_time).unwrap_or_default()
            ),
        };
    let reason_id = format!("cancel-reason-{}", l.id);
    view! {
        <div class="delivery-detail" data-testid="delivery-detail">
            <p class="delivery-when">{when}</p>
            <p class="muted">"Event id " <code>{l.event_id.clone()}</code> " — the same on every attempt, so the destination can recognise a repeat."</p>
            {match l.state.as_str() {
                "failed" => view! {
                    <div class="detail-actions">
                        <button class="button" type="button" on:click=move |_| { act.dispatch(None); }>"Resend"</button>
                    </div>
                }.into_any(),
                "pending" => view! {
                    <form class="detail-actions inline-form" on:submit=move |ev| {
                        ev.prevent_default();
                        act.dispatch(Some(reason.get_untracked()));
                    }>
                        <label class="field" for=reason_id.clone()>
                            <span>"Why no further attempt should be made"</span>
                            <input id=reason_id.clone() type="text" maxlength="500" required
                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                        </label>
                        <button class="button danger" type="submit">"Cancel this delivery"</button>
                    </form>
                }.into_any(),
                _ => ().into_any(),
            }}
            <h3>"Request"</h3>
            <p><code>{format!("POST {}", v.url)}</code></p>
            <table class="data-table headers-table">
                <caption class="visually-hidden">"Headers"</caption>
                <tbody>
                    {v.headers.into_iter().map(|(k, val)| view! { <tr><th scope="row">{k}</th><td><code>{val}</code></td></tr> }).collect_view()}
                </tbody>
            </table>
            <pre class="excerpt body" data-testid="request-body">{v.body}</pre>
            <h3>"Attempts"</h3>
            {if v.attempts.is_empty() {
                view! { <p class="muted">"No attempt yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="attempts" data-testid="attempts">
                        {v.attempts.into_iter().map(|a| view! {
                            <li class:ok=a.accepted class:bad=!a.accepted>
                                <strong>{format!("#{} at {}", a.number, exact_time(&a.at))}</strong>
                                {format!(" — {} ms — {}", a.duration_ms, if a.accepted { "accepted".to_string() } else { a.outcome })}
                                {(!a.excerpt.is_empty()).then(|| view! { <pre class="excerpt">{a.excerpt}</pre> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {(!v.actions.is_empty()).then(|| view! {
                <h3>"Actions"</h3>
                <ul class="actions-log" data-testid="actions">
                    {v.actions.into_iter().map(|a| {
                        let what = if a.action == "resend" { "Resent" } else { "Cancelled" };
                        view! {
                            <li>{format!("{what} by {} at {}", a.actor, exact_time(&a.at))}
                                {a.reason.map(|r| format!(": “{r}”"))}</li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}
