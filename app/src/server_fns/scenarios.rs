//! The scenario list: list, create, rename, duplicate, archive; and what the
//! trigger pickers offer (forms, groups, mailings by name). The rules are those of
//! the REST API (server/src/api/scenarios.rs, scenario_status.rs).

#[cfg(feature = "ssr")]
use super::refuse;
use hookflow::model::ScenarioStatus;
use hookflow::model::scenario::Trigger;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// One row of the scenario list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub id: i64,
    pub name: String,
    pub status: ScenarioStatus,
    pub trigger: String,
    pub steps: usize,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// A form the trigger pickers offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormChoice {
    pub id: i64,
    pub name: String,
    /// "subscription", "update_profile" or "survey".
    pub kind: String,
    /// The public page, e.g. `/f/3kTMd9…`.
    pub public_path: String,
}

/// Everything a trigger or a step can point at, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    pub forms: Vec<FormChoice>,
    pub groups: Vec<(i64, String)>,
    pub mailings: Vec<(i64, String)>,
}

impl Choices {
    pub fn forms_of(&self, kind: &str) -> Vec<(i64, String)> {
        self.forms
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| (f.id, f.name.clone()))
            .collect()
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::{Choices, FormChoice, ScenarioSummary};
    use crate::server_fns::refuse;
    use crate::state::AppState;
    use hookflow::model::scenario::ScenarioDefinition;
    use hookflow::model::{AccountId, ScenarioId, ScenarioStatus};
    use hookflow::store::{ScenarioRow, StoreError};
    use leptos::prelude::ServerFnError;

    /// A store error as the user sees it: the same answers as every other
    /// server function's (`refuse::store_failed`).
    pub fn failed(e: StoreError) -> ServerFnError {
        crate::server_fns::refuse::store_failed("scenario")(e)
    }

    pub fn status_of(row: &ScenarioRow) -> ScenarioStatus {
        leptos::serde_json::from_value(leptos::serde_json::Value::String(row.status.clone()))
            .unwrap_or_default()
    }

    pub fn definition_of(row: &ScenarioRow) -> Result<ScenarioDefinition, ServerFnError> {
        leptos::serde_json::from_str(&row.definition).map_err(|e| {
            leptos::logging::error!("scenario {} has an unreadable definition: {e}", row.id.0);
            ServerFnError::new("This scenario could not be read.")
        })
    }

    pub fn check_name(name: &str) -> Result<String, ServerFnError> {
        let name = name.trim();
        let len = name.chars().count();
        if len == 0 || len > 200 {
            return Err(refuse::bad_request(
                "Give the scenario a name of 1 to 200 characters.",
            ));
        }
        Ok(name.to_string())
    }

    /// The account's scenario `id`, or "no such scenario".
    pub async fn load(
        state: &AppState,
        account: AccountId,
        id: i64,
    ) -> Result<ScenarioRow, ServerFnError> {
        state
            .store
            .scenario(account, ScenarioId(id))
            .await
            .map_err(failed)?
            .ok_or_else(|| refuse::not_found("There is no such scenario in this account."))
    }

    pub fn summary(row: &ScenarioRow) -> ScenarioSummary {
        let definition = definition_of(row).ok();
        ScenarioSummary {
            id: row.id.0,
            name: row.name.clone(),
            status: status_of(row),
            trigger: definition
                .as_ref()
                .map_or("", |d| d.trigger.label())
                .to_string(),
            steps: definition.map_or(0, |d| d.graph.steps.len()),
            updated_at: row
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    pub async fn choices(state: &AppState, account: AccountId) -> Result<Choices, ServerFnError> {
        let forms = state.store.forms(account).await.map_err(failed)?;
        let groups = state.store.groups(account).await.map_err(failed)?;
        let mailings = state.store.mailings(account).await.map_err(failed)?;
        Ok(Choices {
            forms: forms
                .into_iter()
                .map(|f| FormChoice {
                    id: f.id.0,
                    public_path: f.public_path(),
                    name: f.name,
                    kind: f.kind.as_str().to_string(),
                })
                .collect(),
            groups: groups.into_iter().map(|g| (g.id.0, g.name)).collect(),
            mailings: mailings.into_iter().map(|m| (m.id.0, m.name)).collect(),
        })
    }
}

/// The account's scenarios, newest first; `status` "all" or one status.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn list_scenarios(status: String) -> Result<Vec<ScenarioSummary>, ServerFnError> {
    use crate::session::require_user;
    let user = require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let filter = match status.as_str() {
        "all" | "" => None,
        "draft" | "active" | "paused" | "archived" => Some(status.as_str()),
        _ => return Err(refuse::bad_request("Unknown status.")),
    };
    let rows = state
        .store
        .scenarios(user.account_id, filter)
        .await
        .map_err(ssr::failed)?;
    Ok(rows.iter().map(ssr::summary).collect())
}

/// The forms, groups and mailings a trigger or step may name.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn scenario_choices() -> Result<Choices, ServerFnError> {
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    ssr::choices(&state, user.account_id).await
}

/// Saves a new, empty draft; returns its id.
#[server(prefix = "/fn", client = crate::session::CsrfClient, input = Json)]
pub async fn create_scenario(name: String, trigger: Trigger) -> Result<i64, ServerFnError> {
    use hookflow::model::scenario::{EntryRule, ScenarioDefinition, ScenarioGraph};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let name = ssr::check_name(&name)?;
    let definition = ScenarioDefinition {
        name: name.clone(),
        trigger,
        entry_rule: EntryRule::Once,
        graph: ScenarioGraph::default(),
    };
    let json = leptos::serde_json::to_string(&definition).expect("definitions serialise");
    let row = state
        .store
        .create_scenario(user.account_id, &name, &json, chrono::Utc::now())
        .await
        .map_err(ssr::failed)?;
    Ok(row.id.0)
}

/// Renames a scenario (not an archived one), whatever version it is at.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn rename_scenario(id: i64, name: String) -> Result<(), ServerFnError> {
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let name = ssr::check_name(&name)?;
    let row = ssr::load(&state, user.account_id, id).await?;
    if ssr::status_of(&row) == ScenarioStatus::Archived {
        return Err(refuse::conflict("An archived scenario cannot be changed."));
    }
    let mut definition = ssr::definition_of(&row)?;
    definition.name = name.clone();
    let json = leptos::serde_json::to_string(&definition).expect("definitions serialise");
    state
        .store
        .update_scenario(
            user.account_id,
            row.id,
            row.version,
            &name,
            &json,
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| match e {
            hookflow::store::StoreError::Conflict(_) => {
                refuse::conflict("Someone else saved this scenario just now; try again.")
            }
            other => ssr::failed(other),
        })?;
    Ok(())
}

/// Copies a scenario (secrets included, on the server) as a new draft.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn duplicate_scenario(id: i64) -> Result<i64, ServerFnError> {
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    let mut definition = ssr::definition_of(&row)?;
    let mut name: String = format!("Copy of {}", row.name).chars().take(200).collect();
    name = name.trim().to_string();
    definition.name = name.clone();
    let json = leptos::serde_json::to_string(&definition).expect("definitions serialise");
    let copy = state
        .store
        .create_scenario(user.account_id, &name, &json, chrono::Utc::now())
        .await
        .map_err(ssr::failed)?;
    Ok(copy.id.0)
}

/// Stops a scenario for good; its statistics stay readable.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn archive_scenario(id: i64) -> Result<(), ServerFnError> {
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let row = ssr::load(&state, user.account_id, id).await?;
    state
        .store
        .set_scenario_status(user.account_id, row.id, "archived", chrono::Utc::now())
        .await
        .map_err(ssr::failed)?;
    state.engine.wake();
    Ok(())
}

/// A subscription form with only an email field, for a trigger when the account
/// has none yet. Returns its id.
#[server(prefix = "/fn", client = crate::session::CsrfClient)]
pub async fn quick_subscription_form(name: String) -> Result<FormChoice, ServerFnError> {
    use hookflow::model::fields::Catalogue;
    use hookflow::store::{FormContent, FormDefinition, FormField, FormKind};
    let user = crate::session::require_user()?;
    let state = expect_context::<crate::state::AppState>();
    let custom = state
        .store
        .account_custom_fields(user.account_id)
        .await
        .map_err(ssr::failed)?;
    let definition = FormDefinition {
        fields: vec![FormField {
            key: "email".into(),
            required: true,
        }],
        questions: Vec::new(),
    };
    let content = FormContent::parse_new(
        FormKind::Subscription,
        &name,
        definition,
        &Catalogue::new(&custom),
    )
    .map_err(|problems| {
        refuse::bad_request(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let form = state
        .store
        .create_form(
            user.account_id,
            FormKind::Subscription,
            &content,
            chrono::Utc::now(),
        )
        .await
        .map_err(ssr::failed)?;
    Ok(FormChoice {
        id: form.id.0,
        public_path: form.public_path(),
        name: form.name,
        kind: form.kind.as_str().to_string(),
    })
}
