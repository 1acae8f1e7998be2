//! A webhook step's statistics page, its delivery log and what a person may do
//! with a delivery (resend, cancel), a scenario's steps with their numbers, and
//! the admin's overview of every webhook step. Mirrors the REST API
//! (server/src/api/steps.rs, deliveries.rs).

#[cfg(feature = "ssr")]
use super::refuse;
use super::scenario_editor::StepNumbers;
use hookflow::model::ScenarioStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Deliveries per page of the log.
pub const LOG_PAGE: i64 = 25;
/// Points on the chart.
pub const CHART_POINTS: u32 = 48;

/// Accepted, pending and failed at one instant (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartPoint {
    pub at: String,
    pub accepted: i64,
    pub pending: i64,
    pub failed: i64,
}

/// The step page's title and numbers; read again every few seconds while open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepHead {
    pub scenario_id: i64,
    pub scenario_name: String,
    pub status: ScenarioStatus,
    pub step_id: String,
    /// "Send a Webhook", "Wait", …
    pub step_label: String,
    /// The URL of a webhook step, a short description of any other.
    pub step_summary: String,
    pub is_webhook: bool,
    pub numbers: StepNumbers,
}

/// One delivery in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub id: i64,
    pub contact_id: i64,
    /// `None` when the contact was deleted since.
    pub email: Option<String>,
    pub event_id: String,
    /// "pending", "accepted" or "failed".
    pub state: String,
    pub attempts: i64,
    pub created_at: String,
    pub deadline_at: String,
    pub next_attempt_at: Option<String>,
    pub finished_at: Option<String>,
    /// The last attempt's outcome in plain words; `None` before the first one.
    pub last_outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogPage {
    pub lines: Vec<LogLine>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptLine {
    pub number: i64,
    pub at: String,
    pub duration_ms: i64,
    pub accepted: bool,
    pub outcome: String,
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionLine {
    /// "resend" or "cancel".
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: String,
}

/// One delivery opened: the request as sent and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryOpened {
    pub line: LogLine,
    pub url: String,
    /// Secret values masked; the Standard Webhooks headers each attempt adds are
    /// listed by name.
    pub headers: Vec<(String, String)>,
    /// The JSON body, indented for reading (the wire form is compact).
    pub body: String,
    pub attempts: Vec<AttemptLine>,
    pub actions: Vec<ActionLine>,
}

/// How a resend or cancel ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActionOutcome {
    Done(String),
    Refused(String),
}

/// A step of a scenario with its pass count, and a webhook step's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepLine {
    pub step_id: String,
    pub label: String,
    pub summary: String,
    pub passes: i64,
    pub webhook: Option<StepNumbers>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSteps {
    pub id: i64,
    pub name: String,
    pub status: ScenarioStatus,
    pub trigger: String,
    pub steps: Vec<StepLine>,
}

/// A webhook step in the admin overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewStep {
    pub scenario_id: i64,
    pub scenario_name: String,
    pub status: ScenarioStatus,
    pub step_id: String,
    pub url: String,
    pub numbers: StepNumbers,
    /// Accepted among the finished deliveries, 0 to 1; `None` before any finished.
    pub acceptance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailingLine {
    pub url: String,
    pub retrying: i64,
    /// Plain words and how many, the most frequent first.
    pub outcomes: Vec<(String, i64)>,
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub steps: Vec<OverviewStep>,
    pub failing: Vec<FailingLine>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::LogLine;
    use crate::state::AppState;
    use hookflow::model::StepId;
    use hookflow::store::DeliveryRow;
    use leptos::prelude::ServerFnError;

    pub use super::super::contacts::ssr::instant;

    pub fn step_id(raw: &str) -> Result<StepId, ServerFnError> {
        if hookflow::model::scenario::is_valid_step_id(raw) {
            Ok(StepId(raw.to_string()))
        } else {
            Err(super::refuse::not_found("There is no such step."))
        }
    }

    /// A log line: the row already carries the contact's email.
    pub fn line(row: DeliveryRow) -> LogLine {
        let last_outcome = (row.attempts > 0 || row.last_error.is_some()).then(|| {
            hookflow::webhook::sender::outcome_words(row.last_error.as_deref(), row.last_status)
        });
        LogLine {
            id: row.id.0,
            contact_id: row.contact_id.0,
            email: row.contact_email,
            event_id: row.event_id,
            state: row.state.as_str().to_string(),
            attempts: row.attempts,
            created_at: instant(row.created_at),
            deadline_at: instant(row.deadline_at),
            next_attempt_at: row.next_attempt_at.map(instant),
            finished_at: row.finished_at.map(instant),
            last_outcome,
        }
    }

    pub fn window(state: &AppState) -> chrono::Duration {
        chrono::Duration::from_std(state.engine.config().delivery_window)
            .unwrap_or(chrono::Duration::hours(12))
    }

    /// Who did it, as recorded: the signed-in user.
    pub fn actor(user: &crate::session::CurrentUser) -> String {
        format!("{} (user {})", user.email, user.id.0)
    }
}

/// The step page's header, numbers and chart.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn step_page(id: i64, step: String) -> Result<StepHead, ServerFnError> {
    use super::scenarios::ssr::{definition_of, failed, load, status_of};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = load(&state, user.account_id, id).await?;
    let step = ssr::step_id(&step)?;
    let definition = definition_of(&row)?;
    let found = definition.graph.step(&step);
    let (step_label, step_summary, is_webhook) = match found.map(|s| &s.kind) {
        Some(kind) => {
            let url = match kind {
                hookflow::model::scenario::StepKind::SendWebhook { config, .. } => {
                    Some(config.url.clone())
                }
                _ => None,
            };
            let is_webhook = url.is_some();
            (
                kind.label().to_string(),
                url.unwrap_or_default(),
                is_webhook,
            )
        }
        // A step removed since: its statistics stay attached to its id.
        None => ("Removed step".to_string(), String::new(), true),
    };
    let stats = state
        .store
        .step_stats(row.id, &step)
        .await
        .map_err(failed)?;
    Ok(StepHead {
        scenario_id: row.id.0,
        scenario_name: row.name.clone(),
        status: status_of(&row),
        step_id: step.0,
        step_label,
        step_summary,
        is_webhook,
        numbers: stats.into(),
    })
}

/// The step's chart: accepted, pending and failed over time. Read less often
/// than the numbers: at a million deliveries it reads them all.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn step_chart(id: i64, step: String) -> Result<Vec<ChartPoint>, ServerFnError> {
    use super::scenarios::ssr::{failed, load};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = load(&state, user.account_id, id).await?;
    let step = ssr::step_id(&step)?;
    Ok(state
        .store
        .step_timeline(
            user.account_id,
            row.id,
            &step,
            chrono::Utc::now(),
            CHART_POINTS,
        )
        .await
        .map_err(failed)?
        .into_iter()
        .map(|p| ChartPoint {
            at: ssr::instant(p.at),
            accepted: p.accepted,
            pending: p.pending,
            failed: p.failed,
        })
        .collect())
}

/// One page of a step's delivery log, newest first.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn step_log(
    id: i64,
    step: String,
    state_filter: Option<String>,
    email: String,
    before: Option<i64>,
) -> Result<LogPage, ServerFnError> {
    use super::scenarios::ssr::{failed, load};
    use hookflow::store::{DeliveryState, LogQuery};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = load(&state, user.account_id, id).await?;
    let step = ssr::step_id(&step)?;
    let filter = match state_filter.as_deref() {
        None | Some("") => None,
        Some("pending") => Some(DeliveryState::Pending),
        Some("accepted") => Some(DeliveryState::Accepted),
        Some("failed") => Some(DeliveryState::Failed),
        Some(_) => return Err(refuse::bad_request("Choose pending, accepted or failed.")),
    };
    let email =
        match email.trim() {
            "" => None,
            raw => Some(hookflow::model::Email::parse(raw).map_err(|e| {
                refuse::bad_request(format!("“{raw}” is not an email address: {e}."))
            })?),
        };
    let rows = state
        .store
        .step_deliveries(
            user.account_id,
            row.id,
            &step,
            LogQuery {
                state: filter,
                email: email.as_ref().map(|e| e.as_str()),
                before,
                limit: LOG_PAGE,
            },
        )
        .await
        .map_err(failed)?;
    let next_before = (rows.len() as i64 == LOG_PAGE)
        .then(|| rows.last().map(|r| r.id.0))
        .flatten();
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        lines.push(ssr::line(r));
    }
    Ok(LogPage { lines, next_before })
}

/// One delivery: the request as sent, every attempt and every action.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn delivery_view(id: i64) -> Result<DeliveryOpened, ServerFnError> {
    use super::scenarios::ssr::failed;
    use hookflow::model::DeliveryId;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let account = user.account_id;
    let detail = state
        .store
        .delivery_detail(account, DeliveryId(id))
        .await
        .map_err(failed)?
        .ok_or_else(|| refuse::not_found("There is no such delivery in this account."))?;
    let attempts = state
        .store
        .attempts_of(DeliveryId(id))
        .await
        .map_err(failed)?
        .into_iter()
        .map(|a| AttemptLine {
            number: a.attempt_no,
            at: ssr::instant(a.started_at),
            duration_ms: a.duration_ms,
            accepted: a.error_class.is_none(),
            outcome: hookflow::webhook::sender::outcome_words(
                a.error_class.as_deref(),
                a.status.map(i64::from),
            ),
            excerpt: a.excerpt,
        })
        .collect();
    let actions = state
        .store
        .delivery_actions(account, DeliveryId(id))
        .await
        .map_err(failed)?
        .into_iter()
        .map(|a| ActionLine {
            action: a.action,
            actor: a.actor,
            reason: a.reason,
            at: ssr::instant(a.at),
        })
        .collect();
    let body = leptos::serde_json::from_str::<leptos::serde_json::Value>(&detail.body)
        .ok()
        .and_then(|v| leptos::serde_json::to_string_pretty(&v).ok())
        .unwrap_or(detail.body);
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    headers.extend(detail.headers);
    for name in ["webhook-id", "webhook-timestamp"] {
        headers.push((name.to_string(), "(set on each attempt)".to_string()));
    }
    let signed = state
        .store
        .account_signing_secret(account)
        .await
        .map_err(failed)?
        .is_some();
    if signed {
        headers.push((
            "webhook-signature".to_string(),
            "(set on each attempt)".to_string(),
        ));
    }
    Ok(DeliveryOpened {
        line: ssr::line(detail.delivery),
        url: detail.url,
        headers,
        body,
        attempts,
        actions,
    })
}

/// A failed delivery becomes pending again, with the same id and a new window.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn resend_one(id: i64) -> Result<ActionOutcome, ServerFnError> {
    use super::scenarios::ssr::failed;
    use hookflow::model::DeliveryId;
    use hookflow::store::{ActionRefused, StoreError};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let window = ssr::window(&state);
    match state
        .store
        .resend_delivery(
            user.account_id,
            DeliveryId(id),
            &ssr::actor(&user),
            chrono::Utc::now(),
            window,
        )
        .await
    {
        Ok(Ok(())) => {
            state.dispatcher.wake();
            Ok(ActionOutcome::Done(
                "Resent: it is pending again, with the same id and a new retry window.".into(),
            ))
        }
        Ok(Err(ActionRefused::NotFailed | ActionRefused::NotPending)) => {
            Ok(ActionOutcome::Refused(
                "Only a failed delivery can be resent; this one is not failed (any more).".into(),
            ))
        }
        Err(StoreError::NotFound) => Err(refuse::not_found(
            "There is no such delivery in this account.",
        )),
        Err(e) => Err(failed(e)),
    }
}

/// A pending delivery becomes failed with the reason; no further attempt.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn cancel_one(id: i64, reason: String) -> Result<ActionOutcome, ServerFnError> {
    use super::scenarios::ssr::failed;
    use hookflow::model::DeliveryId;
    use hookflow::store::{ActionRefused, StoreError};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let reason = reason.trim();
    if reason.is_empty() {
        return Ok(ActionOutcome::Refused(
            "Say why no further attempt should be made.".into(),
        ));
    }
    if reason.chars().count() > 500 {
        return Ok(ActionOutcome::Refused(
            "The reason can be at most 500 characters long.".into(),
        ));
    }
    match state
        .store
        .cancel_delivery(
            user.account_id,
            DeliveryId(id),
            &ssr::actor(&user),
            reason,
            chrono::Utc::now(),
        )
        .await
    {
        Ok(Ok(())) => Ok(ActionOutcome::Done(
            "Cancelled: it is failed now and will not be tried again.".into(),
        )),
        Ok(Err(ActionRefused::NotPending | ActionRefused::NotFailed)) => {
            Ok(ActionOutcome::Refused(
                "Only a pending delivery can be cancelled; this one is finished already.".into(),
            ))
        }
        Err(StoreError::NotFound) => Err(refuse::not_found(
            "There is no such delivery in this account.",
        )),
        Err(e) => Err(failed(e)),
    }
}

/// Every failed delivery of the step becomes pending again.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn resend_all_failed(id: i64, step: String) -> Result<ActionOutcome, ServerFnError> {
    use super::scenarios::ssr::{failed, load};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = load(&state, user.account_id, id).await?;
    let step = ssr::step_id(&step)?;
    let window = ssr::window(&state);
    let n = state
        .store
        .resend_failed_of_step(
            user.account_id,
            row.id,
            &step,
            &ssr::actor(&user),
            chrono::Utc::now(),
            window,
        )
        .await
        .map_err(failed)?;
    state.dispatcher.wake();
    Ok(match n {
        0 => ActionOutcome::Refused("There is no failed delivery to resend.".into()),
        1 => ActionOutcome::Done("1 failed delivery is pending again.".into()),
        n => ActionOutcome::Done(format!("{n} failed deliveries are pending again.")),
    })
}

/// Every step of a scenario, in the order a contact meets them, with its pass
/// count and, for a webhook step, its four numbers.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn scenario_report(id: i64) -> Result<ScenarioSteps, ServerFnError> {
    use super::scenarios::ssr::{choices, definition_of, failed, load, status_of};
    use crate::components::editor::summary::{step_summary, trigger_summary};
    use hookflow::model::scenario::StepKind;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = load(&state, user.account_id, id).await?;
    let definition = definition_of(&row)?;
    let choices = choices(&state, user.account_id).await?;
    let passes: std::collections::BTreeMap<String, i64> = state
        .store
        .step_pass_counts(user.account_id, row.id)
        .await
        .map_err(failed)?
        .into_iter()
        .collect();
    let mut steps = Vec::new();
    for step in definition.graph.in_journey_order() {
        let webhook = match step.kind {
            StepKind::SendWebhook { .. } => Some(
                state
                    .store
                    .step_stats(row.id, &step.id)
                    .await
                    .map_err(failed)?
                    .into(),
            ),
            _ => None,
        };
        steps.push(StepLine {
            step_id: step.id.0.clone(),
            label: step.kind.label().to_string(),
            summary: step_summary(&step.kind, &choices),
            passes: passes.get(&step.id.0).copied().unwrap_or(0),
            webhook,
        });
    }
    Ok(ScenarioSteps {
        id: row.id.0,
        name: row.name.clone(),
        status: status_of(&row),
        trigger: format!(
            "{} — {}",
            definition.trigger.label(),
            trigger_summary(&definition.trigger, &choices)
        ),
        steps,
    })
}

/// Every webhook step of the account with its acceptance rate, and the
/// destinations failing right now. For admins.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn webhooks_overview() -> Result<Overview, ServerFnError> {
    use super::scenarios::ssr::{definition_of, failed, status_of};
    use crate::session::Role;
    use hookflow::model::scenario::StepKind;
    let user = crate::session::require_role(Role::Admin)?;
    let state = expect_context::<crate::state::AppState>();
    let account = user.account_id;
    let counts = state
        .store
        .webhook_step_counts(account)
        .await
        .map_err(failed)?;
    let scenarios = state.store.scenarios(account, None).await.map_err(failed)?;
    let mut steps = Vec::new();
    for row in &scenarios {
        let definition = definition_of(row)?;
        let webhook_steps: Vec<_> = definition
            .graph
            .in_journey_order()
            .into_iter()
            .filter_map(|s| match &s.kind {
                StepKind::SendWebhook { config, .. } => Some((s.id.0.clone(), config.url.clone())),
                _ => None,
            })
            .collect();
        if webhook_steps.is_empty() {
            continue;
        }
        let passes: std::collections::BTreeMap<String, i64> = state
            .store
            .step_pass_counts(account, row.id)
            .await
            .map_err(failed)?
            .into_iter()
            .collect();
        for (step_id, url) in webhook_steps {
            let c = counts
                .iter()
                .find(|c| c.scenario_id == row.id && c.step_id.0 == step_id);
            let (accepted, pending, failed_n) =
                c.map_or((0, 0, 0), |c| (c.accepted, c.pending, c.failed));
            let finished = accepted + failed_n;
            let reached = passes.get(&step_id).copied().unwrap_or(0);
            steps.push(OverviewStep {
                scenario_id: row.id.0,
                scenario_name: row.name.clone(),
                status: status_of(row),
                step_id,
                url,
                numbers: StepNumbers {
                    reached,
                    accepted,
                    pending,
                    failed: failed_n,
                },
                acceptance: (finished > 0).then(|| accepted as f64 / finished as f64),
            });
        }
    }
    let failing = state
        .store
        .failing_destinations(account)
        .await
        .map_err(failed)?
        .into_iter()
        .map(|d| FailingLine {
            url: d.url,
            retrying: d.retrying,
            outcomes: d
                .outcomes
                .into_iter()
                .map(|(o, n)| {
                    let words = match o {
                        hookflow::store::FailureOutcome::Status(s) => {
                            hookflow::webhook::sender::outcome_words(None, Some(s))
                        }
                        hookflow::store::FailureOutcome::Error(e) => {
                            hookflow::webhook::sender::outcome_words(Some(&e), None)
                        }
                    };
                    (words, n)
                })
                .collect(),
            since: ssr::instant(d.since),
        })
        .collect();
    Ok(Overview { steps, failing })
}
