//! Journeys advance: each step's effects and the move to the next step commit
//! together, so every effect happens exactly once whatever crashes.

use super::runner::Engine;
use super::scenarios::{LiveScenario, ScenarioCache};
use super::webhook_step::{self, PreparedDelivery};
use crate::model::StepId;
use crate::model::scenario::{ScenarioStatus, StepKind, WaitSpec};
use crate::store::{JourneyRow, JourneyState, NewDelivery, StoreError};
use chrono::{DateTime, Duration, Utc};

/// A journey never takes more steps in one turn than a scenario may have.
const MAX_STEPS_PER_TURN: usize = 256;

enum Move {
    To(Option<StepId>),
    WaitUntil(DateTime<Utc>),
    Exit(&'static str),
}

/// Claims due journeys and moves each as far as it can go now. Returns how many
/// journeys were advanced and whether deliveries were written.
pub async fn advance_due_journeys(engine: &Engine) -> Result<(usize, bool), StoreError> {
    let now = engine.now();
    let lease = Duration::from_std(engine.config().lease).unwrap_or_default();
    let claimed = engine
        .store()
        .claim_due_journeys(
            &engine.config().owner,
            now,
            now + lease,
            engine.config().batch_size as i64,
        )
        .await?;
    let mut cache = ScenarioCache::default();
    let mut delivered = false;
    for journey in &claimed {
        delivered |= advance(engine, &mut cache, journey.clone()).await?;
    }
    Ok((claimed.len(), delivered))
}

async fn advance(
    engine: &Engine,
    cache: &mut ScenarioCache,
    mut journey: JourneyRow,
) -> Result<bool, StoreError> {
    let store = engine.store();
    let now = engine.now();
    let scenario = cache.get(store, journey.account, journey.scenario).await?;
    let Some(scenario) = scenario else {
        return end(
            engine,
            &journey,
            None,
            JourneyState::Exited,
            "the scenario was deleted",
        )
        .await;
    };
    match scenario.status {
        ScenarioStatus::Active => {}
        ScenarioStatus::Paused => {
            // Paused: contacts stay where they are and go on after resuming.
            let later =
                now + Duration::from_std(engine.config().paused_recheck).unwrap_or_default();
            let mut tx = store.begin().await?;
            tx.move_journey(
                journey.id,
                journey.current_step.as_ref(),
                Some(later),
                JourneyState::Active,
                now,
            )
            .await?;
            tx.commit().await?;
            return Ok(false);
        }
        ScenarioStatus::Draft | ScenarioStatus::Archived => {
            return end(
                engine,
                &journey,
                journey.current_step.clone(),
                JourneyState::Exited,
                "the scenario was stopped",
            )
            .await;
        }
    }
    let mut delivered = false;
    for _ in 0..MAX_STEPS_PER_TURN {
        let Some(step_id) = journey.current_step.clone() else {
            return end(
                engine,
                &journey,
                None,
                JourneyState::Done,
                "end of the scenario",
            )
            .await
            .map(|_| delivered);
        };
        let Some(step) = scenario.definition.graph.step(&step_id) else {
            // Editing an active scenario removed the step this contact was at.
            return end(
                engine,
                &journey,
                Some(step_id),
                JourneyState::Exited,
                "its step was removed",
            )
            .await
            .map(|_| delivered);
        };
        let prepared = prepare(engine, &scenario, &journey, &step.kind, now).await?;
        let mut tx = store.begin().await?;
        let first_arrival = tx.record_step_pass(&journey, &step_id, now).await?;
        let next = match (&step.kind, prepared) {
            (_, Prepared::ContactGone) => Move::Exit("the contact was deleted"),
            (StepKind::Wait { wait, next }, _) => {
                let until = match wait {
                    WaitSpec::Duration { seconds } => now + Duration::seconds(*seconds as i64),
                    WaitSpec::Until { at } => at.unwrap_or(now),
                };
                if first_arrival && until > now {
                    Move::WaitUntil(until)
                } else {
                    Move::To(next.clone())
                }
            }
            (StepKind::SendWebhook { next, .. }, Prepared::Delivery(delivery)) => {
                if first_arrival {
                    let new = new_delivery(engine, &journey, &step_id, &delivery, now);
                    delivered |= tx.insert_delivery(&new).await?.is_some();
                }
                Move::To(next.clone())
            }
            (StepKind::SendWebhook { .. }, _) => {
                Move::Exit("its webhook step is not configured correctly")
            }
            (StepKind::Condition { yes, no, .. }, Prepared::Branch(met)) => {
                Move::To(if met { yes.clone() } else { no.clone() })
            }
            (StepKind::Condition { .. }, _) => Move::Exit("its condition could not be evaluated"),
            (StepKind::AddToGroup { group_id, next }, _) => {
                if first_arrival {
                    tx.add_group_member(journey.account, *group_id, journey.contact, now)
                        .await?;
                }
                Move::To(next.clone())
            }
            (StepKind::RemoveFromGroup { group_id, next }, _) => {
                if first_arrival {
                    tx.remove_group_member(journey.account, *group_id, journey.contact, now)
                        .await?;
                }
                Move::To(next.clone())
            }
            (StepKind::UpdateField { field, value, next }, _) => {
                if first_arrival {
                    tx.set_contact_value(journey.account, journey.contact, field, value, now)
                        .await?;
                }
                Move::To(next.clone())
            }
            (StepKind::Exit {}, _) => Move::Exit("it reached an Exit step"),
        };
        match next {
            Move::To(Some(next)) => {
                tx.move_journey(
                    journey.id,
                    Some(&next),
                    Some(now),
                    JourneyState::Active,
                    now,
                )
                .await?;
                tx.commit().await?;
                journey.current_step = Some(next);
            }
            Move::To(None) => {
                tx.move_journey(journey.id, Some(&step_id), None, JourneyState::Done, now)
                    .await?;
                tx.commit().await?;
                return Ok(delivered);
            }
            Move::WaitUntil(until) => {
                tx.move_journey(
                    journey.id,
                    Some(&step_id),
                    Some(until),
                    JourneyState::Active,
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(delivered);
            }
            Move::Exit(why) => {
                tx.move_journey(journey.id, Some(&step_id), None, JourneyState::Exited, now)
                    .await?;
                tx.commit().await?;
                tracing::debug!(journey_id = journey.id, why, "contact left the scenario");
                return Ok(delivered);
            }
        }
    }
    // A graph is acyclic with at most 200 steps, so this is never reached; if it
    // were, the journey simply goes on at the next turn.
    Ok(delivered)
}

enum Prepared {
    Nothing,
    ContactGone,
    Delivery(PreparedDelivery),
    InvalidWebhook,
    Branch(bool),
}

/// Reads (and, for a webhook, writes the target) before the step's transaction.
async fn prepare(
    engine: &Engine,
    scenario: &LiveScenario,
    journey: &JourneyRow,
    kind: &StepKind,
    now: DateTime<Utc>,
) -> Result<Prepared, StoreError> {
    let needs_contact = matches!(
        kind,
        StepKind::SendWebhook { .. } | StepKind::Condition { .. }
    );
    if !needs_contact {
        return Ok(Prepared::Nothing);
    }
    let Some(contact) = engine
        .store()
        .contact_snapshot(journey.account, journey.contact)
        .await?
    else {
        return Ok(Prepared::ContactGone);
    };
    Ok(match kind {
        StepKind::SendWebhook { config, .. } => {
            match webhook_step::prepare(engine, scenario.account, &contact, config, now).await? {
                Some(d) => Prepared::Delivery(d),
                None => Prepared::InvalidWebhook,
            }
        }
        StepKind::Condition { criteria, .. } => {
            Prepared::Branch(criteria.matches(&contact.facts(), now))
        }
        _ => Prepared::Nothing,
    })
}

fn new_delivery<'a>(
    engine: &Engine,
    journey: &JourneyRow,
    step: &'a StepId,
    d: &'a PreparedDelivery,
    now: DateTime<Utc>,
) -> NewDelivery<'a> {
    NewDelivery {
        account: journey.account,
        scenario: journey.scenario,
        step,
        contact: journey.contact,
        pass: journey.pass,
        target: d.target,
        event_id: &d.event_id,
        body: &d.body,
        now,
        deadline: now + Duration::from_std(engine.config().delivery_window).unwrap_or_default(),
    }
}

async fn end(
    engine: &Engine,
    journey: &JourneyRow,
    at: Option<StepId>,
    state: JourneyState,
    why: &'static str,
) -> Result<bool, StoreError> {
    let now = engine.now();
    let mut tx = engine.store().begin().await?;
    tx.move_journey(journey.id, at.as_ref(), None, state, now)
        .await?;
    tx.commit().await?;
    tracing::debug!(journey_id = journey.id, why, "journey ended");
    Ok(false)
}
