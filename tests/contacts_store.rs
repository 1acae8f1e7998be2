//! Contacts, groups and custom fields in the store, on a real SQLite file and the
//! real PostgreSQL server: every query is scoped to its account, and every change
//! to a contact leaves exactly the event the engine needs.

use chrono::Utc;
use hookflow::engine::event::ContactEvent;
use hookflow::model::contact::{ContactBatch, ContactInput, InputMode};
use hookflow::model::fields::Catalogue;
use hookflow::model::group::GroupName;
use hookflow::model::{AccountId, ContactId, Email};
use hookflow::store::{Conflict, NewAccount, Store, StoreError, UpsertOutcome};
use serde_json::{Value, json};

hookflow::on_both_engines!(
    a_new_contact_is_stored_found_by_email_and_announced,
    an_email_is_unique_within_an_account_only,
    an_update_merges_values_and_announces_only_real_changes,
    another_accounts_contacts_and_groups_are_out_of_reach,
    contacts_are_listed_page_by_page,
    a_bulk_upsert_creates_updates_and_skips_invalid_items,
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

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn input(v: Value) -> ContactInput {
    serde_json::from_value(v).unwrap()
}

async fn add(store: &Store, account: AccountId, v: Value) -> ContactId {
    let changes = input(v)
        .parse(&Catalogue::built_in(), InputMode::Create)
        .unwrap();
    let email = changes.email.clone().unwrap();
    let contact = store
        .create_contact(account, &email, &changes.initial_fields(), Utc::now())
        .await
        .unwrap();
    contact.id
}

/// Every event waiting for the engine: (contact, event).
async fn events(store: &Store) -> Vec<(ContactId, ContactEvent)> {
    let all = store.unprocessed_events(100_000).await.unwrap();
    all.into_iter().map(|e| (e.contact, e.event)).collect()
}

async fn a_new_contact_is_stored_found_by_email_and_announced(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let id = add(
        store,
        acme,
        json!({"email": "Ann@Example.org", "firstname": "Ann"}),
    )
    .await;
    let found = store.contact(acme, id).await.unwrap();
    assert_eq!(found.email.as_str(), "ann@example.org");
    assert_eq!(found.fields["firstname"], json!("Ann"));
    let by_email = store
        .contact_by_email(acme, &email("ann@example.org"))
        .await
        .unwrap();
    assert_eq!(by_email.unwrap(), found);
    assert_eq!(events(store).await, [(id, ContactEvent::ContactCreated)]);
    store.delete_contact(acme, id).await.unwrap();
    assert!(matches!(
        store.contact(acme, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_contact(acme, id).await,
        Err(StoreError::NotFound)
    ));
}

async fn an_email_is_unique_within_an_account_only(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let other = account(store, "admin@other.org").await;
    add(store, acme, json!({"email": "ann@example.org"})).await;
    let err = store
        .create_contact(
            acme,
            &email("ann@example.org"),
            &Default::default(),
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::ContactEmail)),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "a contact with this email already exists");
    add(store, other, json!({"email": "ann@example.org"})).await;
    // Changing an email to one already taken is the same conflict.
    let bob = add(store, acme, json!({"email": "bob@example.org"})).await;
    let changes = input(json!({"email": "ann@example.org"}))
        .parse(&Catalogue::built_in(), InputMode::Update)
        .unwrap();
    let err = store
        .update_contact(acme, bob, &changes, Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::ContactEmail)),
        "{err:?}"
    );
}

async fn an_update_merges_values_and_announces_only_real_changes(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let id = add(
        store,
        acme,
        json!({"email": "ann@example.org", "firstname": "Ann", "phone": "1"}),
    )
    .await;
    let update = |v| {
        input(v)
            .parse(&Catalogue::built_in(), InputMode::Update)
            .unwrap()
    };
    let (contact, changed) = store
        .update_contact(
            acme,
            id,
            &update(json!({"lastname": "Lee", "phone": null, "firstname": "Ann"})),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(changed, ["lastname", "phone"]);
    assert_eq!(
        contact.fields,
        store.contact(acme, id).await.unwrap().fields
    );
    assert_eq!(contact.fields.len(), 2);
    let (_, changed) = store
        .update_contact(acme, id, &update(json!({"lastname": "Lee"})), Utc::now())
        .await
        .unwrap();
    assert!(changed.is_empty());
    let updated = ContactEvent::ContactUpdated {
        changed: vec!["lastname".into(), "phone".into()],
    };
    assert_eq!(
        events(store).await,
        [(id, ContactEvent::ContactCreated), (id, updated)]
    );
}

async fn another_accounts_contacts_and_groups_are_out_of_reach(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let other = account(store, "admin@other.org").await;
    let theirs = add(
        store,
        other,
        json!({"email": "x@other.org", "firstname": "X"}),
    )
    .await;
    let their_group = store
        .create_group(other, &GroupName::parse("Theirs").unwrap(), Utc::now())
        .await
        .unwrap();
    let mine = add(store, acme, json!({"email": "me@acme.org"})).await;
    let changes = input(json!({"firstname": "Hacked"}))
        .parse(&Catalogue::built_in(), InputMode::Update)
        .unwrap();
    let now = Utc::now();
    let not_found = |r: Result<_, StoreError>| matches!(r, Err(StoreError::NotFound));
    assert!(not_found(store.contact(acme, theirs).await.map(drop)));
    assert!(not_found(
        store
            .update_contact(acme, theirs, &changes, now)
            .await
            .map(drop)
    ));
    assert!(not_found(store.delete_contact(acme, theirs).await));
    assert!(not_found(
        store.contact_record(acme, theirs).await.map(drop)
    ));
    assert!(not_found(
        store.contact_groups(acme, theirs).await.map(drop)
    ));
    assert!(not_found(store.group(acme, their_group.id).await.map(drop)));
    assert!(not_found(
        store
            .rename_group(acme, their_group.id, &GroupName::parse("Mine").unwrap())
            .await
            .map(drop)
    ));
    assert!(not_found(
        store
            .add_to_group(acme, their_group.id, mine, now)
            .await
            .map(drop)
    ));
    assert!(not_found(
        store
            .group_members(acme, their_group.id, None, 10)
            .await
            .map(drop)
    ));
    assert!(not_found(
        store.delete_group(acme, their_group.id, now).await
    ));
    assert!(
        store
            .contact_by_email(acme, &email("x@other.org"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .list_contacts(acme, None, 50)
            .await
            .unwrap()
            .contacts
            .len(),
        1
    );
    // Their contact and group are untouched.
    assert_eq!(
        store.contact(other, theirs).await.unwrap().fields["firstname"],
        json!("X")
    );
    assert_eq!(
        store.group(other, their_group.id).await.unwrap().name,
        "Theirs"
    );
}

async fn contacts_are_listed_page_by_page(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    for i in 0..5 {
        add(store, acme, json!({"email": format!("c{i}@example.org")})).await;
    }
    let first = store.list_contacts(acme, None, 2).await.unwrap();
    assert_eq!(first.contacts.len(), 2);
    let second = store
        .list_contacts(acme, first.next_after, 2)
        .await
        .unwrap();
    let third = store
        .list_contacts(acme, second.next_after, 2)
        .await
        .unwrap();
    assert_eq!(third.contacts.len(), 1);
    assert_eq!(third.next_after, None);
    let emails: Vec<String> = [first, second, third]
        .iter()
        .flat_map(|p| p.contacts.iter().map(|c| c.email.to_string()))
        .collect();
    assert_eq!(
        emails,
        (0..5)
            .map(|i| format!("c{i}@example.org"))
            .collect::<Vec<_>>()
    );
}

async fn a_bulk_upsert_creates_updates_and_skips_invalid_items(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let ann = add(
        store,
        acme,
        json!({"email": "ann@example.org", "firstname": "Ann"}),
    )
    .await;
    let batch = ContactBatch::new(vec![
        input(json!({"email": "ANN@example.org", "firstname": "Anna"})),
        input(json!({"email": "bob@example.org", "birthdate": "1990-01-02"})),
        input(json!({"email": "ann@example.org", "firstname": "Anna"})),
        input(json!({"email": "bad", "birthdate": "tomorrow"})),
        input(json!({"firstname": "No email"})),
    ])
    .unwrap();
    let outcomes = store
        .upsert_contacts(acme, &batch, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        outcomes[0],
        UpsertOutcome::Updated {
            id: ann,
            changed: vec!["firstname".into()]
        }
    );
    let UpsertOutcome::Created(bob) = outcomes[1] else {
        panic!("{outcomes:?}")
    };
    assert_eq!(outcomes[2], UpsertOutcome::Unchanged(ann));
    let UpsertOutcome::Invalid(problems) = &outcomes[3] else {
        panic!("{outcomes:?}")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["email", "birthdate"]);
    let UpsertOutcome::Invalid(problems) = &outcomes[4] else {
        panic!("{outcomes:?}")
    };
    assert_eq!(problems[0].field, "email");
    assert_eq!(
        store
            .list_contacts(acme, None, 50)
            .await
            .unwrap()
            .contacts
            .len(),
        2
    );
    let kinds: Vec<(ContactId, &str)> = events(store)
        .await
        .iter()
        .map(|(c, e)| (*c, e.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ann, "contact_created"),
            (ann, "contact_updated"),
            (bob, "contact_created")
        ]
    );
    assert!(ContactBatch::new(vec![ContactInput::default(); 1001]).is_err());
}

#[path = "contacts_store/groups.rs"]
mod groups;
