//! Forms, mailings and tracking in the store, on a real SQLite file and the real
//! PostgreSQL server: a submission creates or updates its contact and fires the
//! form's trigger in one transaction; opens and clicks count only for the
//! recipient a valid token names.

use chrono::Utc;
use hookflow::engine::event::ContactEvent;
use hookflow::model::fields::Catalogue;
use hookflow::model::{AccountId, ContactId, Email};
use hookflow::store::{
    Form, FormContent, FormDefinition, FormEntry, FormKind, FormReply, NewAccount, Store,
    StoreError,
};
use serde_json::{Value, json};

#[path = "forms_store/setup.rs"]
mod setup;
#[path = "forms_store/tracking.rs"]
mod tracking;

use setup::{
    a_definition_that_asks_impossible_things_is_refused,
    forms_and_mailings_of_another_account_are_out_of_reach,
};
use tracking::{
    every_instance_signs_with_the_same_key, opens_and_clicks_count_in_the_contacts_statistics,
    tracking_counts_nothing_for_a_mailing_or_contact_that_is_gone,
};

hookflow::on_both_engines!(
    a_subscription_form_creates_then_updates_its_contact_and_fires_its_trigger,
    a_survey_keeps_the_answers_of_each_submission,
    an_invalid_submission_writes_nothing_and_names_each_field,
    an_update_profile_link_updates_the_contact_it_names,
    a_definition_that_asks_impossible_things_is_refused,
    forms_and_mailings_of_another_account_are_out_of_reach,
    opens_and_clicks_count_in_the_contacts_statistics,
    tracking_counts_nothing_for_a_mailing_or_contact_that_is_gone,
    every_instance_signs_with_the_same_key,
);

async fn account(store: &Store, admin: &str) -> AccountId {
    let email = Email::parse(admin).unwrap();
    let new = NewAccount {
        name: "Acme",
        admin_email: &email,
        admin_password_hash: "h",
    };
    store.create_account(new, Utc::now()).await.unwrap().0
}

async fn form(store: &Store, account: AccountId, kind: FormKind, definition: Value) -> Form {
    let definition: FormDefinition = serde_json::from_value(definition).unwrap();
    let content =
        FormContent::parse_new(kind, "Newsletter", definition, &Catalogue::built_in()).unwrap();
    store
        .create_form(account, kind, &content, Utc::now())
        .await
        .unwrap()
}

fn entry(values: Value, answers: Value) -> FormEntry {
    let map = |v: Value| v.as_object().cloned().unwrap_or_default();
    FormEntry {
        values: map(values),
        answers: map(answers),
        token: None,
    }
}

async fn submit(store: &Store, form: &Form, entry: &FormEntry) -> FormReply {
    store
        .submit_form(&form.public_id, entry, Utc::now())
        .await
        .unwrap()
}

/// Every event waiting for the engine, then marked as taken: (contact, event).
async fn take_events(store: &Store) -> Vec<(ContactId, ContactEvent)> {
    let all = store.unprocessed_events(1000).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for e in &all {
        tx.take_event(e.id, Utc::now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    all.into_iter().map(|e| (e.contact, e.event)).collect()
}

fn saved(reply: FormReply) -> hookflow::store::FormReceipt {
    match reply {
        FormReply::Saved(receipt) => receipt,
        FormReply::Invalid(problems) => panic!("refused: {problems:?}"),
    }
}

async fn a_subscription_form_creates_then_updates_its_contact_and_fires_its_trigger(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let f = form(
        store,
        a,
        FormKind::Subscription,
        json!({"fields": [{"key": "firstname"}]}),
    )
    .await;
    assert_eq!(f.public_id.len(), 24);
    assert_eq!(
        f.definition.fields[0].key, "email",
        "the email is always asked, first"
    );
    let first = saved(
        submit(
            store,
            &f,
            &entry(
                json!({"email": "Ann@Example.org", "firstname": "Ann"}),
                json!({}),
            ),
        )
        .await,
    );
    assert!(first.created);
    let contact = store.contact(a, first.contact).await.unwrap();
    assert_eq!(contact.email.as_str(), "ann@example.org");
    assert_eq!(contact.fields["firstname"], "Ann");
    assert!(contact.fields["subscription_date"].is_string());
    let submitted = ContactEvent::FormSubmitted { form_id: f.id.0 };
    assert_eq!(
        take_events(store).await,
        [
            (first.contact, ContactEvent::ContactCreated),
            (first.contact, submitted.clone())
        ]
    );

    let again = saved(
        submit(
            store,
            &f,
            &entry(
                json!({"email": "ann@example.org", "firstname": "Annie"}),
                json!({}),
            ),
        )
        .await,
    );
    assert_eq!(
        (again.contact, again.created, again.changed.clone()),
        (first.contact, false, vec!["firstname".to_string()])
    );
    let updated = ContactEvent::ContactUpdated {
        changed: vec!["firstname".into()],
    };
    assert_eq!(
        take_events(store).await,
        [(first.contact, updated), (first.contact, submitted.clone())]
    );

    // The same values again: nothing changed, but the form was still submitted.
    // An empty optional field keeps what is known.
    saved(
        submit(
            store,
            &f,
            &entry(
                json!({"email": "ann@example.org", "firstname": ""}),
                json!({}),
            ),
        )
        .await,
    );
    assert_eq!(take_events(store).await, [(first.contact, submitted)]);
    assert_eq!(
        store.contact(a, first.contact).await.unwrap().fields["firstname"],
        "Annie"
    );
}

async fn a_survey_keeps_the_answers_of_each_submission(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let questions = json!({"questions": [
        {"id": "colour", "label": "Favourite colour", "kind": "choice", "options": ["red", "blue"], "required": true},
        {"id": "why", "label": "Why?", "kind": "text"}
    ]});
    let f = form(store, a, FormKind::Survey, questions).await;
    let receipt = saved(
        submit(
            store,
            &f,
            &entry(
                json!({"email": "bob@example.org"}),
                json!({"colour": "blue", "why": " calm "}),
            ),
        )
        .await,
    );
    let events = take_events(store).await;
    assert_eq!(
        events.last().unwrap(),
        &(
            receipt.contact,
            ContactEvent::SurveyAnswered { form_id: f.id.0 }
        )
    );
    let kept = store.form_submissions(a, f.id, 0, 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].contact, receipt.contact);
    assert_eq!(
        Value::Object(kept[0].answers.clone()),
        json!({"colour": "blue", "why": "calm"})
    );
}

async fn an_invalid_submission_writes_nothing_and_names_each_field(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let f = form(
        store,
        a,
        FormKind::Subscription,
        json!({"fields": [{"key": "lastname", "required": true}]}),
    )
    .await;
    let FormReply::Invalid(problems) = submit(
        store,
        &f,
        &entry(json!({"email": "not-an-email"}), json!({})),
    )
    .await
    else {
        panic!("an invalid email was accepted");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["lastname", "email"]);
    assert_eq!(problems[0].message, "this field is required");
    assert!(take_events(store).await.is_empty());
    assert!(
        store
            .list_contacts(a, None, 10)
            .await
            .unwrap()
            .contacts
            .is_empty()
    );
    let missing = store
        .submit_form(
            "000000000000000000000000",
            &entry(json!({}), json!({})),
            Utc::now(),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn an_update_profile_link_updates_the_contact_it_names(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let b = account(store, "admin@other.org").await;
    let f = form(
        store,
        a,
        FormKind::UpdateProfile,
        json!({"fields": [{"key": "firstname"}, {"key": "phone"}]}),
    )
    .await;
    let old = saved(
        submit(
            store,
            &f,
            &entry(
                json!({"email": "old@example.org", "phone": "123"}),
                json!({}),
            ),
        )
        .await,
    );
    take_events(store).await;
    let key = store.tracking_key().await.unwrap();
    let mut change = entry(
        json!({"email": "new@example.org", "firstname": "Cy", "phone": ""}),
        json!({}),
    );
    change.token = Some(key.profile_token(a, old.contact));
    let receipt = saved(submit(store, &f, &change).await);
    assert_eq!(
        receipt.contact, old.contact,
        "the signed contact, not a new one for the new email"
    );
    let contact = store.contact(a, old.contact).await.unwrap();
    assert_eq!(contact.email.as_str(), "new@example.org");
    assert!(
        !contact.fields.contains_key("phone"),
        "emptied on the update-profile form: cleared"
    );
    let events = take_events(store).await;
    assert_eq!(
        events.last().unwrap().1,
        ContactEvent::ProfileUpdated { form_id: f.id.0 }
    );

    // Another account's token names nobody here: the email decides.
    change.token = Some(key.profile_token(b, old.contact));
    change
        .values
        .insert("email".into(), json!("third@example.org"));
    let other = saved(submit(store, &f, &change).await);
    assert!(other.created);
}
