//! `/scenarios/{id}/statistics`: every step of a scenario with how many contacts
//! passed it, and a webhook step's four numbers; `/webhooks`: the admin's
//! overview of every webhook step and the destinations failing right now.

use super::step_stats::ticker;
use crate::components::chart::short_time;
use crate::server_fns::contacts::error_text;
use crate::server_fns::step_report::{scenario_report, webhooks_overview};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::time::Duration;

#[component]
pub fn ScenarioStatsPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())));
    let tick = ticker(Duration::from_secs(5));
    let report = Resource::new(
        move || (id.get(), tick.get()),
        |(id, _)| async move {
            match id {
                Some(id) => scenario_report(id).await,
                None => Err(ServerFnError::new("There is no such scenario.")),
            }
        },
    );
    view! {
        <Title text="Scenario statistics" />
        <Transition fallback=|| view! { <p>"Loading the statistics…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! {
                        <p class="breadcrumb trail">
                            <a href="/scenarios">"Scenarios"</a>
                            " › " <a href=format!("/scenarios/{}", r.id)>{r.name.clone()}</a>
                        </p>
                        <div class="page-head">
                            <h1>{format!("Statistics of “{}”", r.name)}</h1>
                            <span class=format!("badge status-{}", r.status.as_str())>{r.status.label()}</span>
                        </div>
                        <p class="lead">{format!("Trigger: {}", r.trigger)}</p>
                        <section class="page-panel wide" aria-labelledby="steps-title">
                            <h2 id="steps-title">"Steps"</h2>
                            {if r.steps.is_empty() {
                                view! { <p class="empty-state">"This scenario has no step yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="data-table" data-testid="scenario-steps">
                                            <thead><tr>
                                                <th scope="col">"Step"</th>
                                                <th scope="col" class="number">"Passed"</th>
                                                <th scope="col" class="number">"Accepted"</th>
                                                <th scope="col" class="number">"Pending"</th>
                                                <th scope="col" class="number">"Failed"</th>
                                            </tr></thead>
                                            <tbody>
                                                {r.steps.into_iter().map(|s| {
                                                    let name = view! { <strong>{s.label.clone()}</strong> " " <span class="muted">{s.summary.clone()}</span> };
                                                    let webhook = s.webhook;
                                                    view! {
                                                        <tr data-step-id=s.step_id.clone()>
                                                            <td>{match webhook {
                                                                Some(_) => view! { <a href=format!("/scenarios/{}/steps/{}", r.id, s.step_id)>{name}</a> }.into_any(),
                                                                None => name.into_any(),
                                                            }}</td>
                                                            <td class="number" data-testid="step-passes">{s.passes}</td>
                                                            <td class="number">{webhook.map(|n| n.accepted.to_string()).unwrap_or_default()}</td>
                                                            <td class="number">{webhook.map(|n| n.pending.to_string()).unwrap_or_default()}</td>
                                                            <td class="number">{webhook.map(|n| n.failed.to_string()).unwrap_or_default()}</td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <p class="hint">"Passed: contacts who went through the step (each pass counted). A webhook step's requests are accepted, pending or failed; open one for its delivery log."</p>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! {
                        <p class="breadcrumb"><a href="/scenarios">"Scenarios"</a></p>
                        <h1>"Scenario statistics"</h1>
                        <p class="error" role="alert">{error_text(&e)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("—".to_string(), |r| format!("{:.1} %", r * 100.0))
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let tick = ticker(Duration::from_secs(10));
    let overview = Resource::new(move || tick.get(), |_| webhooks_overview());
    view! {
        <Title text="Webhooks" />
        <h1>"Webhooks"</h1>
        <p class="lead">"Every Send a Webhook step of this account, and the destinations refusing requests right now."</p>
        <Transition fallback=|| view! { <p>"Loading the overview…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <section class="page-panel wide" aria-labelledby="failing-title">
                            <h2 id="failing-title">"Failing right now"</h2>
                            {if o.failing.is_empty() {
                                view! { <p class="empty-state" data-testid="no-failing">"No destination is refusing requests: nothing is waiting for a retry."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="failing-list" data-testid="failing">
                                        {o.failing.into_iter().map(|f| view! {
                                            <li>
                                                <code>{f.url}</code>
                                                <p>{format!("{} {} waiting for another attempt, the oldest since {}.",
                                                    f.retrying, if f.retrying == 1 { "delivery is" } else { "deliveries are" }, short_time(&f.since))}</p>
                                                <ul>{f.outcomes.into_iter().map(|(words, n)| view! { <li>{format!("{n} × {words}")}</li> }).collect_view()}</ul>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                        <section class="page-panel wide" aria-labelledby="webhook-steps-title">
                            <h2 id="webhook-steps-title">"Webhook steps"</h2>
                            {if o.steps.is_empty() {
                                view! { <p class="empty-state">"No scenario sends webhooks yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="data-table" data-testid="webhook-steps">
                                            <thead><tr>
                                                <th scope="col">"Scenario"</th>
                                                <th scope="col">"Destination"</th>
                                                <th scope="col" class="number">"Reached"</th>
                                                <th scope="col" class="number">"Accepted"</th>
                                                <th scope="col" class="number">"Pending"</th>
                                                <th scope="col" class="number">"Failed"</th>
                                                <th scope="col" class="number">"Acceptance"</th>
                                            </tr></thead>
                                            <tbody>
                                                {o.steps.into_iter().map(|s| view! {
                                                    <tr>
                                                        <td><a href=format!("/scenarios/{}/statistics", s.scenario_id)>{s.scenario_name}</a>
                                                            " " <span class=format!("badge status-{}", s.status.as_str())>{s.status.label()}</span></td>
                                                        <td><a href=format!("/scenarios/{}/steps/{}", s.scenario_id, s.step_id)>
                                                            {if s.url.is_empty() { "No URL yet".to_string() } else { s.url }}</a></td>
                                                        <td class="number">{s.numbers.reached}</td>
                                                        <td class="number">{s.numbers.accepted}</td>
                                                        <td class="number">{s.numbers.pending}</td>
                                                        <td class="number">{s.numbers.failed}</td>
                                                        <td class="number" data-testid="acceptance">{percent(s.acceptance)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <p class="hint">"Acceptance: accepted among the requests that finished (accepted or failed)."</p>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
