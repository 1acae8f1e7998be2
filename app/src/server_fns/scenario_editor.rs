//! The scenario editor: open, save (with the version it edited), activate, pause,
//! pass counts, a step's statistics and the webhook Test button. Mirrors the REST
//! API's rules (server/src/api/scenarios.rs, scenario_status.rs, steps.rs,
//! webhooks.rs).

#[cfg(feature = "ssr")]
use super::refuse;
use super::scenarios::Choices;
use hookflow::model::ScenarioStatus;
use hookflow::model::scenario::{Problem, References, ScenarioDefinition};
use hookflow::webhook::config::WebhookStepInput;
use hookflow::webhook::test_result::TestSendResult;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the editor opens with. The definition is redacted: secret header values
/// never reach the browser (`value: null` keeps the saved one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorData {
    pub id: i64,
    pub status: ScenarioStatus,
    pub version: i64,
    pub definition: ScenarioDefinition,
    /// For validation in the browser; `saved_secret_headers` names the secrets kept.
    pub refs: References,
    pub choices: Choices,
    pub passes: BTreeMap<String, i64>,
}

/// How a save or a status change ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Saved {
    Done {
        version: i64,
        status: ScenarioStatus,
    },
    /// Someone else saved since `version`: nothing was written.
    Conflict,
    /// Refused because the scenario would not be valid (activation, or an edit of
    /// an active scenario).
    Problems(Vec<Problem>),
}

/// The four numbers of a Send a Webhook step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StepNumbers {
    pub reached: i64,
    pub accepted: i64,
    pub pending: i64,
    pub failed: i64,
}

#[cfg(feature = "ssr")]
impl From<hookflow::store::StepStats> for StepNumbers {
    fn from(s: hookflow::store::StepStats) -> Self {
        StepNumbers {
            reached: s.reached,
            accepted: s.accepted,
            pending: s.pending,
            failed: s.failed,
        }
    }
}

#[cfg(feature = "ssr")]
fn with_saved_secrets(refs: &mut References, definition: &ScenarioDefinition) {
    use hookflow::model::scenario::StepKind;
    for step in &definition.graph.steps {
        if let StepKind::SendWebhook { config, .. } = &step.kind {
            let names = config
                .headers
                .iter()
                .filter(|h| h.secret && h.value.is_some())
                .map(|h| h.name.trim().to_string());
            refs.saved_secret_headers
                .entry(step.id.clone())
                .or_default()
                .extend(names);
        }
    }
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn open_scenario(id: i64) -> Result<EditorData, ServerFnError> {
    use super::scenarios::ssr;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    let definition = ssr::definition_of(&row)?;
    let mut refs = state
        .store
        .scenario_references(user.account_id)
        .await
        .map_err(ssr::failed)?;
    with_saved_secrets(&mut refs, &definition);
    let passes = state
        .store
        .step_pass_counts(user.account_id, row.id)
        .await
        .map_err(ssr::failed)?
        .into_iter()
        .collect();
    Ok(EditorData {
        id: row.id.0,
        status: ssr::status_of(&row),
        version: row.version,
        definition: definition.redacted(),
        refs,
        choices: ssr::choices(&state, user.account_id).await?,
        passes,
    })
}

/// Saves the definition if the scenario is still at `version`.
#[server(prefix = "/fn", client = crate::session::CsrfClient, input = Json)]
pub async fn save_scenario(
    id: i64,
    version: i64,
    definition: ScenarioDefinition,
) -> Result<Saved, ServerFnError> {
    use super::scenarios::ssr;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    let status = ssr::status_of(&row);
    if status == ScenarioStatus::Archived {
        return Err(refuse::conflict("An archived scenario cannot be changed."));
    }
    let mut definition = definition;
    let name = ssr::check_name(&definition.name)?;
    definition.keep_saved_secrets(&ssr::definition_of(&row)?);
    if status == ScenarioStatus::Active {
        let refs = state
            .store
            .scenario_references(user.account_id)
            .await
            .map_err(ssr::failed)?;
        let problems = definition.validate(&refs);
        if !problems.is_empty() {
            return Ok(Saved::Problems(problems));
        }
    }
    let json = leptos::serde_json::to_string(&definition).expect("definitions serialise");
    match state
        .store
        .update_scenario(
            user.account_id,
            row.id,
            version,
            &name,
            &json,
            chrono::Utc::now(),
        )
        .await
    {
        Ok(saved) => Ok(Saved::Done {
            version: saved.version,
            status: ssr::status_of(&saved),
        }),
        Err(hookflow::store::StoreError::Conflict(_)) => Ok(Saved::Conflict),
        Err(e) => Err(ssr::failed(e)),
    }
}

/// Activates the saved scenario if it is valid; a draft's first activation
/// enrols the contacts who already qualify.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn activate_scenario(id: i64) -> Result<Saved, ServerFnError> {
    use super::scenarios::ssr;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    let was = ssr::status_of(&row);
    if was == ScenarioStatus::Archived {
        return Err(refuse::conflict(
            "An archived scenario cannot be activated again.",
        ));
    }
    let refs = state
        .store
        .scenario_references(user.account_id)
        .await
        .map_err(ssr::failed)?;
    let problems = ssr::definition_of(&row)?.validate(&refs);
    if !problems.is_empty() {
        return Ok(Saved::Problems(problems));
    }
    let row = state
        .store
        .set_scenario_status(user.account_id, row.id, "active", chrono::Utc::now())
        .await
        .map_err(ssr::failed)?;
    if was == ScenarioStatus::Draft {
        state
            .engine
            .enrol_existing(user.account_id, row.id)
            .await
            .map_err(|e| {
                leptos::logging::error!("enrolling existing contacts: {e}");
                ServerFnError::new(
                    "The scenario is active, but enrolling existing contacts failed.",
                )
            })?;
    }
    state.engine.wake();
    Ok(Saved::Done {
        version: row.version,
        status: ScenarioStatus::Active,
    })
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn pause_scenario(id: i64) -> Result<Saved, ServerFnError> {
    use super::scenarios::ssr;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    if ssr::status_of(&row) != ScenarioStatus::Active {
        return Err(refuse::conflict("Only an active scenario can be paused."));
    }
    let row = state
        .store
        .set_scenario_status(user.account_id, row.id, "paused", chrono::Utc::now())
        .await
        .map_err(ssr::failed)?;
    Ok(Saved::Done {
        version: row.version,
        status: ScenarioStatus::Paused,
    })
}

/// By step id, how many contacts passed each step.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn scenario_passes(id: i64) -> Result<BTreeMap<String, i64>, ServerFnError> {
    use super::scenarios::ssr;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    Ok(state
        .store
        .step_pass_counts(user.account_id, row.id)
        .await
        .map_err(ssr::failed)?
        .into_iter()
        .collect())
}

#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn step_statistics(id: i64, step: String) -> Result<StepNumbers, ServerFnError> {
    use super::scenarios::ssr;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    let step = super::step_report::ssr::step_id(&step)?;
    Ok(state
        .store
        .step_stats(row.id, &step)
        .await
        .map_err(ssr::failed)?
        .into())
}

/// How the Test button ended: the result, or the form's problems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Tested {
    Sent(TestSendResult),
    Invalid(Vec<hookflow::webhook::FieldError>),
    NoSuchContact,
}

/// Sends one test request with the step's form as it is now. Saved secret
/// values of the step (`value: null`) are used without leaving the server.
#[server(prefix = "/fn", client = crate::session::CsrfClient, input = Json)]
pub async fn test_webhook(
    id: i64,
    step: String,
    config: WebhookStepInput,
    contact_email: Option<String>,
) -> Result<Tested, ServerFnError> {
    use super::scenarios::ssr;
    use hookflow::model::scenario::StepKind;
    use hookflow::webhook::config::WebhookStepConfig;
    use hookflow::webhook::signing::SigningSecret;
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let account = user.account_id;
    let row = ssr::load(&state, account, id).await?;
    let custom = state
        .store
        .account_custom_fields(account)
        .await
        .map_err(ssr::failed)?;
    let definition = ssr::definition_of(&row)?;
    let saved = definition.graph.steps.iter().find_map(|s| match &s.kind {
        StepKind::SendWebhook { config, .. } if s.id.0 == step => {
            WebhookStepConfig::parse(config, &custom, None).ok()
        }
        _ => None,
    });
    let config = match WebhookStepConfig::parse(&config, &custom, saved.as_ref()) {
        Ok(config) => config,
        Err(errors) => return Ok(Tested::Invalid(errors)),
    };
    let contact = match contact_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(raw) => {
            let Ok(email) = hookflow::model::Email::parse(raw) else {
                return Ok(Tested::NoSuchContact);
            };
            let Some(found) = state
                .store
                .contact_by_email(account, &email)
                .await
                .map_err(ssr::failed)?
            else {
                return Ok(Tested::NoSuchContact);
            };
            state
                .store
                .contact_snapshot(account, found.id)
                .await
                .map_err(ssr::failed)?
                .map(|s| s.record)
        }
    };
    let secret = state
        .store
        .account_signing_secret(account)
        .await
        .map_err(ssr::failed)?
        .and_then(|raw| SigningSecret::parse(&raw).ok());
    let result = hookflow::webhook::test_send::test_send(
        &state.sender,
        &config,
        account,
        contact.as_ref(),
        secret.as_ref(),
        chrono::Utc::now(),
    )
    .await;
    Ok(Tested::Sent(result))
}
