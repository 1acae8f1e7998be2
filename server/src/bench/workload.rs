//! What the benchmarks send: one account, one signed target on the local
//! receiver, and contacts reaching a Send a Webhook step with a payload of about
//! 1 KB, written the way the engine writes them (`record_webhook_passes`).

use chrono::{DateTime, Utc};
use hookflow::model::{AccountId, ContactId, Email, ScenarioId, StepId};
use hookflow::store::{NewAccount, NewDelivery, StepStats, Store, StoreError, TargetId};
use hookflow::webhook::signing::SigningSecret;
use std::ops::Range;

/// The size the payloads are padded to.
pub const BODY_BYTES: usize = 1024;
const SCENARIO: ScenarioId = ScenarioId(1);
/// The retry window every delivery is given, as the server does by default.
const WINDOW_HOURS: i64 = 12;
/// Digits of the contact number at the end of an event id.
const INDEX_DIGITS: usize = 12;

/// Contacts reaching the step: (contact number, event id, payload), and when.
pub struct Events {
    events: Vec<(u64, String, String)>,
    now: DateTime<Utc>,
}

pub struct Workload {
    account: AccountId,
    target: TargetId,
    /// Makes this run's event ids unique: `evt_<tag><index>`.
    tag: String,
}

impl Workload {
    /// An account and a target on `url`, signed with a new secret.
    pub async fn create(store: &Store, url: &str) -> Result<Workload, StoreError> {
        let now = Utc::now();
        let email = Email::parse("bench@example.org").expect("a valid address");
        let (account, _) = store
            .create_account(
                NewAccount {
                    name: "Benchmark",
                    admin_email: &email,
                    admin_password_hash: "-",
                },
                now,
            )
            .await?;
        let secret = SigningSecret::generate().expose_whsec();
        let target = store
            .target_for(account, url, &[], Some(&secret), now)
            .await?;
        Ok(Workload {
            account,
            target,
            tag: hookflow::auth::random_base62(10),
        })
    }

    /// The `webhook-id` of contact `i`: base62 and in the order made, like a
    /// real event id (time first), so the unique index grows the same way.
    pub fn event_id(&self, i: u64) -> String {
        format!("evt_{}{i:0width$}", self.tag, width = INDEX_DIGITS)
    }

    /// Which contact an event id of this run belongs to.
    pub fn index_of(&self, event_id: &str) -> Option<usize> {
        let rest = event_id
            .strip_prefix("evt_")?
            .strip_prefix(self.tag.as_str())?;
        rest.parse().ok()
    }

    /// Contacts `range` reach `step` at `now`, in one transaction: each gets a
    /// delivery due at `now`.
    pub async fn enqueue(
        &self,
        store: &Store,
        step: &StepId,
        range: Range<u64>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(store, step, &self.events(range, now)).await
    }

    /// The events of contacts `range` reaching the step at `now`: ids and
    /// payloads, built before they are written.
    pub fn events(&self, range: Range<u64>, now: DateTime<Utc>) -> Events {
        let events = range
            .map(|i| {
                let id = self.event_id(i);
                let body = payload(&id, self.account, i, now);
                (i, id, body)
            })
            .collect();
        Events { events, now }
    }

    /// Writes `events` in one transaction, as the engine records contacts
    /// reaching a Send a Webhook step.
    pub async fn write(
        &self,
        store: &Store,
        step: &StepId,
        events: &Events,
    ) -> Result<(), StoreError> {
        let now = events.now;
        let batch: Vec<NewDelivery> = events
            .events
            .iter()
            .map(|(i, id, body)| NewDelivery {
                account: self.account,
                scenario: SCENARIO,
                step,
                contact: ContactId(*i as i64),
                pass: 1,
                target: self.target,
                event_id: id,
                body,
                now,
                deadline: now + chrono::Duration::hours(WINDOW_HOURS),
            })
            .collect();
        let written = store.record_webhook_passes(&batch).await?;
        if written.iter().any(Option::is_none) {
            return Err(StoreError::Config(
                "a benchmark contact was written twice".into(),
            ));
        }
        Ok(())
    }

    pub async fn stats(&self, store: &Store, step: &StepId) -> Result<StepStats, StoreError> {
        store.step_stats(SCENARIO, step).await
    }
}

/// A payload of the same shape and size, for requests that are not deliveries.
pub fn sample_payload() -> String {
    payload("evt_sample", AccountId(1), 1, Utc::now())
}

/// A payload shaped like the real one (`webhook::payload`), padded to about
/// `BODY_BYTES` with a note, as a contact with a few filled fields gives.
/// Written from a template: building it must cost the benchmark little, since
/// its time counts.
fn payload(id: &str, account: AccountId, contact: u64, now: DateTime<Utc>) -> String {
    const FILLER: &str = "Met at the spring fair; asked about the annual plan. ";
    let timestamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let head = format!(
        r#"{{"id":"{id}","event":"{event}","timestamp":"{timestamp}","idClient":{account},"data":{{"type":"member","id":{contact},"email":"contact{contact}@example.org","firstName":"Ada","lastName":"Lovelace","company":"Analytical Engines Ltd","city":"London","country":"GB","phone":"+44 20 7946 0000","plan":"premium","signupDate":"2024-05-28","score":87,"tags":["newsletter","webinar-2024","trial"],"notes":""#,
        event = hookflow::webhook::payload::EVENT_NAME,
        account = account.0,
    );
    let tail = "\"}}";
    let mut body = String::with_capacity(BODY_BYTES.max(head.len() + tail.len()));
    body.push_str(&head);
    let mut room = BODY_BYTES.saturating_sub(head.len() + tail.len());
    while room > 0 {
        let take = room.min(FILLER.len());
        body.push_str(&FILLER[..take]);
        room -= take;
    }
    body.push_str(tail);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_about_one_kilobyte_of_json_with_its_id() {
        let body = payload("evt_abc", AccountId(3), 42, Utc::now());
        assert_eq!(body.len(), BODY_BYTES);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["id"], "evt_abc");
        assert_eq!(v["idClient"], 3);
        assert_eq!(v["data"]["id"], 42);
        assert_eq!(v["data"]["email"], "contact42@example.org");
    }
}
