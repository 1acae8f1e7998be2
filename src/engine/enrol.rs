//! Events → enrolments. Each event is taken and its enrolments written in one
//! transaction, so an event enrols a contact exactly once, even across crashes
//! and with several engines sharing PostgreSQL.

use super::event::ContactEvent;
use super::runner::Engine;
use super::scenarios::{LiveScenario, ScenarioCache};
use crate::model::ContactId;
use crate::model::scenario::{EmailActivity, EntryRule, Trigger};
use crate::store::{StoreError, StoreTx, StoredEvent};
use chrono::{DateTime, Utc};

/// Whether this event changes what segment criteria can see.
fn changes_contact(event: &ContactEvent) -> bool {
    matches!(
        event,
        ContactEvent::ContactCreated
            | ContactEvent::ContactUpdated { .. }
            | ContactEvent::AddedToGroup { .. }
            | ContactEvent::RemovedFromGroup { .. }
    )
}

/// Whether an event fires a trigger (segment triggers are decided apart).
fn fires(trigger: &Trigger, event: &ContactEvent) -> bool {
    match (trigger, event) {
        (Trigger::FormSubmitted { form_id }, ContactEvent::FormSubmitted { form_id: f }) => {
            form_id == f
        }
        (Trigger::AddedToGroup { group_id }, ContactEvent::AddedToGroup { group_id: g }) => {
            group_id == g
        }
        (Trigger::SurveyAnswered { form_id }, ContactEvent::SurveyAnswered { form_id: f }) => {
            form_id == f
        }
        (Trigger::ProfileUpdated { form_id }, ContactEvent::ProfileUpdated { form_id: f }) => {
            form_id.is_none_or(|id| id == *f)
        }
        (
            Trigger::EmailActivity {
                activity,
                mailing_id,
            },
            ContactEvent::EmailOpened { mailing_id: m },
        ) => activity.includes(EmailActivity::Opened) && mailing_id.is_none_or(|id| id == *m),
        (
            Trigger::EmailActivity {
                activity,
                mailing_id,
            },
            ContactEvent::LinkClicked { mailing_id: m, .. },
        ) => activity.includes(EmailActivity::Clicked) && mailing_id.is_none_or(|id| id == *m),
        _ => false,
    }
}

/// Starts a journey for the contact if the entry rule allows it.
pub async fn enrol(
    tx: &mut StoreTx,
    scenario: &LiveScenario,
    contact: ContactId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(start) = scenario.definition.graph.start.as_ref() else {
        return Ok(false);
    };
    let reentry = scenario.definition.entry_rule == EntryRule::Reentry;
    let id = tx
        .enrol(scenario.account, scenario.id, contact, start, reentry, now)
        .await?;
    if let Some(id) = id {
        tracing::debug!(
            scenario_id = scenario.id.0,
            contact_id = contact.0,
            journey_id = id,
            "contact enrolled"
        );
    }
    Ok(id.is_some())
}

/// Processes a batch of the oldest unprocessed events; returns how many contacts entered.
pub async fn process_events(engine: &Engine) -> Result<(usize, usize), StoreError> {
    let store = engine.store();
    let events = store
        .unprocessed_events(engine.config().batch_size as i64)
        .await?;
    let mut cache = ScenarioCache::default();
    let mut entered = 0;
    for event in &events {
        entered += process_one(engine, &mut cache, event).await?;
    }
    Ok((events.len(), entered))
}

async fn process_one(
    engine: &Engine,
    cache: &mut ScenarioCache,
    event: &StoredEvent,
) -> Result<usize, StoreError> {
    let store = engine.store();
    let now = engine.now();
    let scenarios = cache.active(store, event.account).await?;
    let segment_scenarios = scenarios
        .iter()
        .any(|s| matches!(s.definition.trigger, Trigger::SegmentMatched { .. }));
    // Read before the transaction: on SQLite a pool read must not wait on it.
    let facts = if segment_scenarios && changes_contact(&event.event) {
        store
            .contact_snapshot(event.account, event.contact)
            .await?
            .map(|s| s.facts())
    } else {
        None
    };
    let mut tx = store.begin().await?;
    if !tx.take_event(event.id, now).await? {
        tx.commit().await?;
        return Ok(0);
    }
    let mut entered = 0;
    for scenario in scenarios.iter() {
        let enter = match &scenario.definition.trigger {
            Trigger::SegmentMatched { criteria, .. } if changes_contact(&event.event) => {
                let matches = facts.as_ref().is_some_and(|f| criteria.matches(f, now));
                // Entry happens on the change from not matching to matching.
                tx.set_segment_member(scenario.id, event.contact, matches)
                    .await?
                    && matches
            }
            trigger => fires(trigger, &event.event),
        };
        if enter && enrol(&mut tx, scenario, event.contact, now).await? {
            entered += 1;
        }
    }
    tx.commit().await?;
    Ok(entered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_fire_on_their_own_events_only() {
        let form = Trigger::FormSubmitted { form_id: 3 };
        assert!(fires(&form, &ContactEvent::FormSubmitted { form_id: 3 }));
        assert!(!fires(&form, &ContactEvent::FormSubmitted { form_id: 4 }));
        assert!(!fires(&form, &ContactEvent::SurveyAnswered { form_id: 3 }));
        let any_click = Trigger::EmailActivity {
            activity: EmailActivity::Clicked,
            mailing_id: None,
        };
        assert!(fires(
            &any_click,
            &ContactEvent::LinkClicked {
                mailing_id: 9,
                url: "https://e.org".into()
            }
        ));
        assert!(!fires(
            &any_click,
            &ContactEvent::EmailOpened { mailing_id: 9 }
        ));
        let one_mailing = Trigger::EmailActivity {
            activity: EmailActivity::OpenedOrClicked,
            mailing_id: Some(2),
        };
        assert!(fires(
            &one_mailing,
            &ContactEvent::EmailOpened { mailing_id: 2 }
        ));
        assert!(!fires(
            &one_mailing,
            &ContactEvent::EmailOpened { mailing_id: 1 }
        ));
        let any_profile = Trigger::ProfileUpdated { form_id: None };
        assert!(fires(
            &any_profile,
            &ContactEvent::ProfileUpdated { form_id: 7 }
        ));
        assert!(fires(
            &Trigger::AddedToGroup { group_id: 5 },
            &ContactEvent::AddedToGroup { group_id: 5 }
        ));
        assert!(!fires(
            &Trigger::AddedToGroup { group_id: 5 },
            &ContactEvent::RemovedFromGroup { group_id: 5 }
        ));
    }
}
