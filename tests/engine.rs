//! The scenario engine end to end on the real store (SQLite file and PostgreSQL):
//! events enrol contacts, journeys advance with a clock the test moves, webhook
//! steps deliver to a real receiver on loopback.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hookflow::clock::{Clock, ManualClock};
use hookflow::delivery::{Dispatcher, DispatcherConfig};
use hookflow::engine::event::ContactEvent;
use hookflow::engine::{Engine, EngineConfig};
use hookflow::model::group::{GroupId, GroupName};
use hookflow::model::{AccountId, ContactId, Email, ScenarioId, StepId};
use hookflow::store::{NewAccount, StepStats, Store};
use hookflow::testkit::{Receiver, Recording, TestDb};
use hookflow::webhook::policy::DestinationPolicy;
use hookflow::webhook::sender::{Sender, SenderConfig};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

hookflow::on_both_engines!(multi_thread:
    a_submitted_form_sends_the_contact_to_the_receiver_then_waits_then_groups_them,
    a_contact_added_to_a_group_enters_once_or_again_by_the_entry_rule,
    email_activity_enrols_for_any_mailing_or_only_the_chosen_one,
    survey_and_profile_forms_enrol_their_contacts,
    a_segment_enrols_on_the_change_from_not_matching_to_matching,
    a_birthday_fires_once_per_year_whatever_the_sweeps,
    consent_expiring_within_n_days_fires_once,
    a_condition_sends_contacts_down_the_yes_or_the_no_branch,
    a_restarted_engine_carries_on_after_a_wait,
    a_journey_claimed_by_a_dead_engine_is_taken_over_and_delivers_once,
    a_paused_scenario_holds_its_contacts_and_an_archived_one_lets_them_go,
    contacts_waiting_at_a_step_removed_from_an_active_scenario_leave_it,
    including_existing_contacts_at_activation_enrols_those_who_already_match,
    a_birthday_fires_on_the_day_in_the_accounts_time_zone,
);

struct World {
    store: Store,
    clock: ManualClock,
    account: AccountId,
    receiver: Receiver,
    engine: Engine,
    dispatcher: Dispatcher,
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0).unwrap()
}

impl World {
    async fn new(db: &TestDb) -> World {
        let clock = ManualClock::new(start());
        let email = Email::parse("owner@example.org").unwrap();
        let (account, _) = db
            .store
            .create_account(
                NewAccount {
                    name: "Acme",
                    admin_email: &email,
                    admin_password_hash: "h",
                },
                start(),
            )
            .await
            .unwrap();
        let receiver = Receiver::start(Recording::Full).await;
        let sender = Sender::new(SenderConfig {
            policy: DestinationPolicy::parse_allow_list("127.0.0.0/8").unwrap(),
            ..SenderConfig::default()
        })
        .unwrap();
        let clock_arc: Arc<dyn Clock> = Arc::new(clock.clone());
        let dispatcher = Dispatcher::new(
            db.store.clone(),
            sender,
            clock_arc.clone(),
            DispatcherConfig::default(),
        );
        let engine = Engine::new(
            db.store.clone(),
            clock_arc,
            EngineConfig::default(),
            Some(dispatcher.clone()),
        );
        World {
            store: db.store.clone(),
            clock,
            account,
            receiver,
            engine,
            dispatcher,
        }
    }

    fn engine_again(&self) -> Engine {
        Engine::new(
            self.store.clone(),
            Arc::new(self.clock.clone()),
            EngineConfig::default(),
            Some(self.dispatcher.clone()),
        )
    }

    async fn contact(&self, email: &str, fields: Value) -> ContactId {
        let fields: BTreeMap<String, Value> = serde_json::from_value(fields).unwrap();
        let email = Email::parse(email).unwrap();
        self.store
            .create_contact(self.account, &email, &fields, self.clock.now())
            .await
            .unwrap()
            .id
    }

    async fn group(&self, name: &str) -> i64 {
        self.store
            .create_group(
                self.account,
                &GroupName::parse(name).unwrap(),
                self.clock.now(),
            )
            .await
            .unwrap()
            .id
            .0
    }

    async fn scenario(&self, definition: Value) -> ScenarioId {
        let name = definition["name"].as_str().unwrap().to_string();
        let row = self
            .store
            .create_scenario(
                self.account,
                &name,
                &definition.to_string(),
                self.clock.now(),
            )
            .await
            .unwrap();
        self.store
            .set_scenario_status(self.account, row.id, "active", self.clock.now())
            .await
            .unwrap();
        row.id
    }

    async fn event(&self, contact: ContactId, event: ContactEvent) {
        let mut tx = self.store.begin().await.unwrap();
        tx.append_event(self.account, contact, &event, self.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// Everything that is due now: engine, then dispatcher, until quiet.
    async fn settle(&self) {
        for _ in 0..10 {
            self.engine.run_until_idle().await.unwrap();
            self.dispatcher.run_until_idle().await.unwrap();
        }
    }

    async fn passes(&self, scenario: ScenarioId) -> BTreeMap<String, i64> {
        self.store
            .step_pass_counts(self.account, scenario)
            .await
            .unwrap()
            .into_iter()
            .collect()
    }

    async fn stats(&self, scenario: ScenarioId, step: &str) -> StepStats {
        self.store
            .step_stats(scenario, &StepId(step.into()))
            .await
            .unwrap()
    }

    fn webhook(&self, id: &str, next: Option<&str>) -> Value {
        json!({"id": id, "type": "send_webhook", "next": next, "config": {
            "url": self.receiver.url("/hook"), "fields": ["email", "firstname"], "additional": [
                {"key": "greeting", "value": "Hello {{firstname}}"}], "headers": []}})
    }

    async fn journeys(&self, scenario: ScenarioId, contact: ContactId) -> Vec<String> {
        self.store
            .journeys_of(scenario, contact)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, state)| state)
            .collect()
    }
}

fn scenario(name: &str, trigger: Value, entry: &str, start: &str, steps: Vec<Value>) -> Value {
    json!({"name": name, "trigger": trigger, "entry_rule": entry, "graph": {"start": start, "steps": steps}})
}

fn exit(id: &str) -> Value {
    json!({"id": id, "type": "exit"})
}

async fn a_submitted_form_sends_the_contact_to_the_receiver_then_waits_then_groups_them(
    db: &TestDb,
) {
    let w = World::new(db).await;
    let vip = w.group("VIP").await;
    let s = w
        .scenario(scenario("Welcome", json!({"type": "form_submitted", "form_id": 1}), "once", "hook", vec![
            w.webhook("hook", Some("wait")),
            json!({"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 86400}, "next": "vip"}),
            json!({"id": "vip", "type": "add_to_group", "group_id": vip, "next": null}),
        ]))
        .await;
    let jane = w
        .contact(
            "jane@example.org",
            json!({"firstname": "Jane \"}{{email}}"}),
        )
        .await;
    w.event(jane, ContactEvent::FormSubmitted { form_id: 2 })
        .await;
    w.settle().await;
    assert_eq!(w.receiver.count(), 0, "another form does not trigger it");

    w.event(jane, ContactEvent::FormSubmitted { form_id: 1 })
        .await;
    w.settle().await;
    let received = w.receiver.received();
    assert_eq!(received.len(), 1);
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["event"], "automation.webhook.send");
    assert_eq!(body["idClient"], w.account.0);
    assert_eq!(body["data"]["type"], "member");
    assert_eq!(body["data"]["id"], jane.0);
    assert_eq!(body["data"]["email"], "jane@example.org");
    assert_eq!(
        body["data"]["greeting"], "Hello Jane \"}{{email}}",
        "placeholders stay inside their string"
    );
    assert_eq!(
        w.stats(s, "hook").await,
        StepStats {
            reached: 1,
            accepted: 1,
            pending: 0,
            failed: 0
        }
    );
    assert_eq!(
        w.passes(s).await,
        BTreeMap::from([("hook".into(), 1), ("wait".into(), 1)])
    );

    w.clock.advance(Duration::hours(23));
    w.settle().await;
    assert!(
        w.store
            .contact_snapshot(w.account, jane)
            .await
            .unwrap()
            .unwrap()
            .groups
            .is_empty(),
        "still waiting"
    );
    w.clock.advance(Duration::hours(1));
    w.settle().await;
    assert!(
        w.store
            .contact_snapshot(w.account, jane)
            .await
            .unwrap()
            .unwrap()
            .groups
            .contains(&vip)
    );
    assert_eq!(w.journeys(s, jane).await, ["done"]);
    // Once per contact: a second submission does not send again.
    w.event(jane, ContactEvent::FormSubmitted { form_id: 1 })
        .await;
    w.settle().await;
    assert_eq!(w.receiver.count(), 1);
}

async fn a_contact_added_to_a_group_enters_once_or_again_by_the_entry_rule(db: &TestDb) {
    let w = World::new(db).await;
    let g = w.group("Customers").await;
    let once = w
        .scenario(scenario(
            "Once",
            json!({"type": "added_to_group", "group_id": g}),
            "once",
            "x",
            vec![exit("x")],
        ))
        .await;
    let again = w
        .scenario(scenario(
            "Again",
            json!({"type": "added_to_group", "group_id": g}),
            "reentry",
            "x",
            vec![exit("x")],
        ))
        .await;
    let c = w.contact("c@example.org", json!({})).await;
    for _ in 0..2 {
        w.store
            .add_to_group(w.account, GroupId(g), c, w.clock.now())
            .await
            .unwrap();
        w.settle().await;
        w.store
            .remove_from_group(w.account, GroupId(g), c, w.clock.now())
            .await
            .unwrap();
        w.settle().await;
    }
    assert_eq!(w.journeys(once, c).await.len(), 1);
    assert_eq!(w.journeys(again, c).await.len(), 2);
}

async fn email_activity_enrols_for_any_mailing_or_only_the_chosen_one(db: &TestDb) {
    let w = World::new(db).await;
    let any_open = w
        .scenario(scenario(
            "Any open",
            json!({"type": "email_activity", "activity": "opened"}),
            "reentry",
            "x",
            vec![exit("x")],
        ))
        .await;
    let one_click = w
        .scenario(scenario(
            "Click on 7",
            json!({"type": "email_activity", "activity": "clicked", "mailing_id": 7}),
            "reentry",
            "x",
            vec![exit("x")],
        ))
        .await;
    let c = w.contact("c@example.org", json!({})).await;
    w.event(c, ContactEvent::EmailOpened { mailing_id: 3 })
        .await;
    w.event(
        c,
        ContactEvent::LinkClicked {
            mailing_id: 3,
            url: "https://e.org".into(),
        },
    )
    .await;
    w.settle().await;
    assert_eq!(w.journeys(any_open, c).await.len(), 1);
    assert_eq!(w.journeys(one_click, c).await.len(), 0);
    w.event(
        c,
        ContactEvent::LinkClicked {
            mailing_id: 7,
            url: "https://e.org".into(),
        },
    )
    .await;
    w.settle().await;
    assert_eq!(w.journeys(one_click, c).await.len(), 1);
}

async fn survey_and_profile_forms_enrol_their_contacts(db: &TestDb) {
    let w = World::new(db).await;
    let survey = w
        .scenario(scenario(
            "Survey",
            json!({"type": "survey_answered", "form_id": 5}),
            "once",
            "x",
            vec![exit("x")],
        ))
        .await;
    let profile = w
        .scenario(scenario(
            "Profile",
            json!({"type": "profile_updated"}),
            "once",
            "x",
            vec![exit("x")],
        ))
        .await;
    let c = w.contact("c@example.org", json!({})).await;
    w.event(c, ContactEvent::SurveyAnswered { form_id: 5 })
        .await;
    w.event(c, ContactEvent::ProfileUpdated { form_id: 9 })
        .await;
    w.settle().await;
    assert_eq!(w.journeys(survey, c).await, ["exited"]);
    assert_eq!(w.journeys(profile, c).await, ["exited"]);
}

async fn a_segment_enrols_on_the_change_from_not_matching_to_matching(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario("Big feet", json!({"type": "segment_matched", "criteria": {"type": "field", "field": "country", "op": "eq", "value": "FR"}}), "reentry", "x", vec![exit("x")]))
        .await;
    let c = w.contact("c@example.org", json!({"country": "BE"})).await;
    w.settle().await;
    assert_eq!(w.journeys(s, c).await.len(), 0);
    let w = &w;
    let set = |country: &'static str| async move {
        let mut tx = w.store.begin().await.unwrap();
        tx.set_contact_value(w.account, c, "country", &json!(country), w.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        w.settle().await;
    };
    set("FR").await;
    assert_eq!(w.journeys(s, c).await.len(), 1);
    let mut tx = w.store.begin().await.unwrap();
    tx.set_contact_value(w.account, c, "firstname", &json!("Still FR"), w.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    w.settle().await;
    assert_eq!(
        w.journeys(s, c).await.len(),
        1,
        "still matching is not a new entry"
    );
    set("BE").await;
    set("FR").await;
    assert_eq!(w.journeys(s, c).await.len(), 2, "matching again re-enters");
}

async fn a_birthday_fires_once_per_year_whatever_the_sweeps(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario(
            "Birthday",
            json!({"type": "date_reached", "field": "birthdate", "offset_days": 0, "yearly": true}),
            "reentry",
            "hook",
            vec![w.webhook("hook", None)],
        ))
        .await;
    let born_today = w
        .contact("a@example.org", json!({"birthdate": "1990-03-14"}))
        .await;
    let other = w
        .contact("b@example.org", json!({"birthdate": "1990-07-01"}))
        .await;
    for _ in 0..3 {
        assert!(w.engine.sweep().await.unwrap() <= 1);
        w.settle().await;
    }
    assert_eq!(w.journeys(s, born_today).await.len(), 1);
    assert_eq!(w.journeys(s, other).await.len(), 0);
    assert_eq!(w.receiver.count(), 1);
    // A restarted engine sweeping again the same day fires nothing.
    w.engine_again().sweep().await.unwrap();
    w.settle().await;
    assert_eq!(w.receiver.count(), 1);
    w.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 14, 8, 0, 0).unwrap());
    w.engine.sweep().await.unwrap();
    w.settle().await;
    assert_eq!(w.journeys(s, born_today).await.len(), 2, "next year again");
}

async fn consent_expiring_within_n_days_fires_once(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario(
            "Renew",
            json!({"type": "consent_expiring", "within_days": 30}),
            "once",
            "x",
            vec![exit("x")],
        ))
        .await;
    let soon = w
        .contact(
            "soon@example.org",
            json!({"consent_type": "express", "consent_expiry": "2026-04-01"}),
        )
        .await;
    let later = w
        .contact(
            "later@example.org",
            json!({"consent_type": "express", "consent_expiry": "2026-09-01"}),
        )
        .await;
    w.engine.sweep().await.unwrap();
    w.clock.advance(Duration::days(1));
    w.engine.sweep().await.unwrap();
    w.settle().await;
    assert_eq!(w.journeys(s, soon).await.len(), 1);
    assert_eq!(w.journeys(s, later).await.len(), 0);
}

async fn a_condition_sends_contacts_down_the_yes_or_the_no_branch(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario("Split", json!({"type": "form_submitted", "form_id": 1}), "once", "check", vec![
            json!({"id": "check", "type": "condition", "criteria": {"type": "field", "field": "language", "op": "eq", "value": "fr"}, "yes": "fr", "no": "other"}),
            json!({"id": "fr", "type": "update_field", "field": "note", "value": "bonjour", "next": null}),
            json!({"id": "other", "type": "update_field", "field": "note", "value": "hello", "next": null}),
        ]))
        .await;
    let fr = w.contact("fr@example.org", json!({"language": "fr"})).await;
    let en = w.contact("en@example.org", json!({"language": "en"})).await;
    for c in [fr, en] {
        w.event(c, ContactEvent::FormSubmitted { form_id: 1 }).await;
    }
    w.settle().await;
    let w = &w;
    let note = |c| async move {
        w.store
            .contact_snapshot(w.account, c)
            .await
            .unwrap()
            .unwrap()
            .record
            .values
            .get("note")
            .cloned()
    };
    assert_eq!(note(fr).await, Some(json!("bonjour")));
    assert_eq!(note(en).await, Some(json!("hello")));
    assert_eq!(
        w.passes(s).await,
        BTreeMap::from([("check".into(), 2), ("fr".into(), 1), ("other".into(), 1)])
    );
}

async fn a_restarted_engine_carries_on_after_a_wait(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario("Later", json!({"type": "form_submitted", "form_id": 1}), "once", "wait", vec![
            json!({"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 3600}, "next": "hook"}),
            w.webhook("hook", None),
        ]))
        .await;
    let c = w.contact("c@example.org", json!({})).await;
    w.event(c, ContactEvent::FormSubmitted { form_id: 1 }).await;
    w.settle().await;
    assert_eq!(w.receiver.count(), 0);
    // The process stops; another starts later with nothing in memory.
    let restarted = w.engine_again();
    w.clock.advance(Duration::hours(1));
    restarted.run_until_idle().await.unwrap();
    w.dispatcher.run_until_idle().await.unwrap();
    assert_eq!(w.receiver.count(), 1);
    assert_eq!(
        w.stats(s, "hook").await,
        StepStats {
            reached: 1,
            accepted: 1,
            pending: 0,
            failed: 0
        }
    );
}

async fn a_journey_claimed_by_a_dead_engine_is_taken_over_and_delivers_once(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario(
            "Hook",
            json!({"type": "form_submitted", "form_id": 1}),
            "once",
            "hook",
            vec![w.webhook("hook", None)],
        ))
        .await;
    let c = w.contact("c@example.org", json!({})).await;
    w.event(c, ContactEvent::FormSubmitted { form_id: 1 }).await;
    w.engine.process_events().await.unwrap();
    // An engine claims the journey and dies before moving it.
    let now = w.clock.now();
    assert_eq!(
        w.store
            .claim_due_journeys("dead", now, now + Duration::seconds(60), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    w.settle().await;
    assert_eq!(w.receiver.count(), 0, "the lease holds");
    w.clock.advance(Duration::seconds(61));
    w.settle().await;
    w.settle().await;
    assert_eq!(w.receiver.count(), 1);
    assert_eq!(
        w.stats(s, "hook").await,
        StepStats {
            reached: 1,
            accepted: 1,
            pending: 0,
            failed: 0
        }
    );
}

async fn a_paused_scenario_holds_its_contacts_and_an_archived_one_lets_them_go(db: &TestDb) {
    let w = World::new(db).await;
    let s = w
        .scenario(scenario("Hold", json!({"type": "form_submitted", "form_id": 1}), "once", "wait", vec![
            json!({"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 60}, "next": "hook"}),
            w.webhook("hook", None),
        ]))
        .await;
    let c = w.contact("c@example.org", json!({})).await;
    w.event(c, ContactEvent::FormSubmitted { form_id: 1 }).await;
    w.settle().await;
    w.store
        .set_scenario_status(w.account, s, "paused", w.clock.now())
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(5));
    w.settle().await;
    assert_eq!(w.receiver.count(), 0, "paused: nobody moves");
    w.store
        .set_scenario_status(w.account, s, "active", w.clock.now())
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(2));
    w.settle().await;
    assert_eq!(w.receiver.count(), 1, "resumed: the contact goes on");
    let d = w.contact("d@example.org", json!({})).await;
    w.event(d, ContactEvent::FormSubmitted { form_id: 1 }).await;
    w.settle().await;
    w.store
        .set_scenario_status(w.account, s, "archived", w.clock.now())
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(5));
    w.settle().await;
    assert_eq!(w.journeys(s, d).await, ["exited"]);
    assert_eq!(
        w.stats(s, "hook").await.accepted,
        1,
        "an archived scenario keeps its statistics"
    );
}

async fn contacts_waiting_at_a_step_removed_from_an_active_scenario_leave_it(db: &TestDb) {
    let w = World::new(db).await;
    let def = |with_wait: bool| {
        let mut steps = vec![w.webhook("hook", None)];
        let start = if with_wait {
            steps.insert(0, json!({"id": "wait", "type": "wait", "wait": {"type": "duration", "seconds": 60}, "next": "hook"}));
            "wait"
        } else {
            "hook"
        };
        scenario(
            "Edited",
            json!({"type": "form_submitted", "form_id": 1}),
            "once",
            start,
            steps,
        )
    };
    let s = w.scenario(def(true)).await;
    let c = w.contact("c@example.org", json!({})).await;
    w.event(c, ContactEvent::FormSubmitted { form_id: 1 }).await;
    w.settle().await;
    let row = w.store.scenario(w.account, s).await.unwrap().unwrap();
    w.store
        .update_scenario(
            w.account,
            s,
            row.version,
            "Edited",
            &def(false).to_string(),
            w.clock.now(),
        )
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(2));
    w.settle().await;
    assert_eq!(w.journeys(s, c).await, ["exited"]);
    assert_eq!(w.receiver.count(), 0);
}

async fn including_existing_contacts_at_activation_enrols_those_who_already_match(db: &TestDb) {
    let w = World::new(db).await;
    let fr = w.contact("fr@example.org", json!({"country": "FR"})).await;
    let be = w.contact("be@example.org", json!({"country": "BE"})).await;
    w.settle().await;
    let def = json!({"name": "French", "trigger": {"type": "segment_matched", "include_existing": true,
        "criteria": {"type": "field", "field": "country", "op": "eq", "value": "FR"}}, "entry_rule": "once",
        "graph": {"start": "x", "steps": [exit("x")]}});
    let row = w
        .store
        .create_scenario(w.account, "French", &def.to_string(), w.clock.now())
        .await
        .unwrap();
    w.store
        .set_scenario_status(w.account, row.id, "active", w.clock.now())
        .await
        .unwrap();
    assert_eq!(w.engine.enrol_existing(w.account, row.id).await.unwrap(), 1);
    w.settle().await;
    assert_eq!(w.journeys(row.id, fr).await.len(), 1);
    assert_eq!(w.journeys(row.id, be).await.len(), 0);
}

async fn a_birthday_fires_on_the_day_in_the_accounts_time_zone(db: &TestDb) {
    let w = World::new(db).await;
    w.store
        .set_account_time_zone(w.account, "Pacific/Auckland".parse().unwrap())
        .await
        .unwrap();
    let s = w
        .scenario(scenario(
            "Birthday",
            json!({"type": "date_reached", "field": "birthdate", "offset_days": 0, "yearly": true}),
            "once",
            "x",
            vec![exit("x")],
        ))
        .await;
    let c = w
        .contact("kiwi@example.org", json!({"birthdate": "1990-03-15"}))
        .await;
    // 12:00 UTC on the 14th is already 01:00 on the 15th in Auckland.
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 14, 12, 0, 0).unwrap());
    w.engine.sweep().await.unwrap();
    w.settle().await;
    assert_eq!(w.journeys(s, c).await.len(), 1);
    w.store
        .set_account_time_zone(w.account, chrono_tz::UTC)
        .await
        .unwrap();
    let utc = w
        .contact("utc@example.org", json!({"birthdate": "1990-03-15"}))
        .await;
    w.engine.sweep().await.unwrap();
    w.settle().await;
    assert_eq!(
        w.journeys(s, utc).await.len(),
        0,
        "in UTC it is still the 14th"
    );
}
