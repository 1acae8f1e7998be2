//! Targets as the dispatcher uses them: parsed once, then cached (targets
//! never change; a new step configuration makes a new target).

use crate::store::{Store, StoreError, TargetId};
use crate::webhook::sender::StepHeaders;
use crate::webhook::signing::SigningSecret;
use crate::webhook::url::WebhookUrl;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) struct Target {
    pub url: WebhookUrl,
    pub headers: StepHeaders,
    pub secret: Option<SigningSecret>,
    /// `host:port`: what the concurrency caps count by.
    pub destination: String,
}

pub(super) struct Targets {
    store: Store,
    cache: Mutex<HashMap<TargetId, Arc<Target>>>,
}

impl Targets {
    pub fn new(store: Store) -> Targets {
        Targets {
            store,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `id` is known (so a narrow claim can ask for it).
    pub fn knows(&self, id: TargetId) -> bool {
        self.cache.lock().expect("targets lock").contains_key(&id)
    }

    /// Runs `f` over every known target and its destination.
    pub fn with_destinations<R>(
        &self,
        f: impl FnOnce(&mut dyn Iterator<Item = (TargetId, &str)>) -> R,
    ) -> R {
        let cache = self.cache.lock().expect("targets lock");
        f(&mut cache.iter().map(|(id, t)| (*id, t.destination.as_str())))
    }

    pub async fn get(&self, id: TargetId) -> Result<Arc<Target>, StoreError> {
        if let Some(t) = self.cache.lock().expect("targets lock").get(&id) {
            return Ok(t.clone());
        }
        let row = self.store.target(id).await?;
        let url = WebhookUrl::parse(&row.url)
            .map_err(|e| StoreError::Config(format!("target {} has an invalid URL: {e}", id.0)))?;
        let secret = match row.signing_secret.as_deref().map(SigningSecret::parse) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                return Err(StoreError::Config(format!(
                    "target {} has an invalid signing secret: {e}",
                    id.0
                )));
            }
            None => None,
        };
        let target = Arc::new(Target {
            destination: url.destination_key(),
            url,
            headers: StepHeaders::parse(
                row.headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_str())),
            ),
            secret,
        });
        self.cache
            .lock()
            .expect("targets lock")
            .insert(id, target.clone());
        Ok(target)
    }
}
