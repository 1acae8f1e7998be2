//! A Send a Webhook step: the request is built when the contact reaches the step
//! (payload frozen then), and its delivery is written in the step's transaction.

use super::runner::Engine;
use crate::auth::time_ordered_base62;
use crate::model::AccountId;
use crate::store::{ContactSnapshot, StoreError, TargetId};
use crate::webhook::config::{WebhookStepConfig, WebhookStepInput};
use crate::webhook::payload::{EventId, build_payload, to_bytes};
use chrono::{DateTime, Utc};

/// Everything the delivery row needs, prepared before the step's transaction
/// (the target is written through the pool, which must not wait on that transaction).
pub struct PreparedDelivery {
    pub target: TargetId,
    pub event_id: String,
    pub body: String,
}

/// `None` when the step's configuration no longer parses (a custom field it used
/// was deleted, say): the journey leaves the scenario rather than send garbage.
pub async fn prepare(
    engine: &Engine,
    account: AccountId,
    contact: &ContactSnapshot,
    input: &WebhookStepInput,
    now: DateTime<Utc>,
) -> Result<Option<PreparedDelivery>, StoreError> {
    let store = engine.store();
    let custom = store.account_custom_fields(account).await?;
    let config = match WebhookStepConfig::parse(input, &custom, None) {
        Ok(config) => config,
        Err(problems) => {
            let first = problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            tracing::warn!(%account, problem = first, "webhook step configuration invalid at run time");
            return Ok(None);
        }
    };
    let secret = store.account_signing_secret(account).await?;
    let headers: Vec<(String, String)> = config
        .headers()
        .iter()
        .map(|h| {
            (
                h.name().as_str().to_string(),
                h.value().as_str().to_string(),
            )
        })
        .collect();
    let secret_names: Vec<String> = config
        .headers()
        .iter()
        .filter(|h| h.is_secret())
        .map(|h| h.name().as_str().to_string())
        .collect();
    let target = store
        .target_for_step(
            account,
            config.url().as_str(),
            &headers,
            &secret_names,
            secret.as_deref(),
            now,
        )
        .await?;
    // Time first, so the unique index on event ids grows at its end.
    let event_id = EventId::delivery(&time_ordered_base62(now, 16))
        .expect("24 base62 characters make a valid id");
    let payload = build_payload(&event_id, now, account, &contact.record, &config);
    let body = String::from_utf8(to_bytes(&payload)).expect("JSON is UTF-8");
    Ok(Some(PreparedDelivery {
        target,
        event_id: event_id.as_str().to_string(),
        body,
    }))
}
