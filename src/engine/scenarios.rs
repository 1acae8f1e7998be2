//! Active scenarios, read once per batch of work and parsed.

use crate::model::scenario::{ScenarioDefinition, ScenarioStatus};
use crate::model::{AccountId, ScenarioId};
use crate::store::{ScenarioRow, Store, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

/// A scenario as the engine runs it.
#[derive(Debug, Clone)]
pub struct LiveScenario {
    pub id: ScenarioId,
    pub account: AccountId,
    pub status: ScenarioStatus,
    pub definition: ScenarioDefinition,
}

impl LiveScenario {
    pub fn from_row(row: &ScenarioRow) -> Option<LiveScenario> {
        let status = serde_json::from_value(serde_json::Value::String(row.status.clone())).ok()?;
        match serde_json::from_str(&row.definition) {
            Ok(definition) => Some(LiveScenario {
                id: row.id,
                account: row.account_id,
                status,
                definition,
            }),
            Err(e) => {
                tracing::warn!(scenario_id = row.id.0, error = %e, "scenario definition unreadable; skipped");
                None
            }
        }
    }
}

/// Scenarios by account or id, filled lazily within one batch.
#[derive(Default)]
pub struct ScenarioCache {
    active_by_account: HashMap<AccountId, Arc<Vec<LiveScenario>>>,
    by_id: HashMap<(AccountId, ScenarioId), Option<Arc<LiveScenario>>>,
}

impl ScenarioCache {
    pub async fn active(
        &mut self,
        store: &Store,
        account: AccountId,
    ) -> Result<Arc<Vec<LiveScenario>>, StoreError> {
        if let Some(found) = self.active_by_account.get(&account) {
            return Ok(found.clone());
        }
        let rows = store.scenarios(account, Some("active")).await?;
        let live = Arc::new(
            rows.iter()
                .filter_map(LiveScenario::from_row)
                .collect::<Vec<_>>(),
        );
        self.active_by_account.insert(account, live.clone());
        Ok(live)
    }

    pub async fn get(
        &mut self,
        store: &Store,
        account: AccountId,
        id: ScenarioId,
    ) -> Result<Option<Arc<LiveScenario>>, StoreError> {
        if let Some(found) = self.by_id.get(&(account, id)) {
            return Ok(found.clone());
        }
        let live = store
            .scenario(account, id)
            .await?
            .as_ref()
            .and_then(LiveScenario::from_row)
            .map(Arc::new);
        self.by_id.insert((account, id), live.clone());
        Ok(live)
    }
}
