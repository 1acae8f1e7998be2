//! Groups, their members and custom fields in the store, on both engines.

use super::{account, add, events, input};
use chrono::Utc;
use hookflow::engine::event::ContactEvent;
use hookflow::model::contact::ContactBatch;
use hookflow::model::fields::{CustomField, CustomFieldKind};
use hookflow::model::group::{GroupId, GroupName};
use hookflow::store::{Conflict, Store, StoreError, UpsertOutcome};
use serde_json::json;

hookflow::on_both_engines!(
    group_events_follow_real_membership_changes,
    groups_have_unique_names_counts_and_paged_members,
    custom_fields_are_unique_and_deleting_one_clears_its_values,
);

async fn group_events_follow_real_membership_changes(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let ann = add(store, acme, json!({"email": "ann@example.org"})).await;
    let vip = store
        .create_group(acme, &GroupName::parse("VIP").unwrap(), Utc::now())
        .await
        .unwrap();
    let now = Utc::now();
    assert!(store.add_to_group(acme, vip.id, ann, now).await.unwrap());
    assert!(!store.add_to_group(acme, vip.id, ann, now).await.unwrap());
    assert!(
        store
            .remove_from_group(acme, vip.id, ann, now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_from_group(acme, vip.id, ann, now)
            .await
            .unwrap()
    );
    assert!(store.add_to_group(acme, vip.id, ann, now).await.unwrap());
    assert!(matches!(
        store.add_to_group(acme, GroupId(999_999), ann, now).await,
        Err(StoreError::NotFound)
    ));
    store.delete_group(acme, vip.id, now).await.unwrap();
    let g = vip.id.0;
    assert_eq!(
        events(store).await,
        [
            (ann, ContactEvent::ContactCreated),
            (ann, ContactEvent::AddedToGroup { group_id: g }),
            (ann, ContactEvent::RemovedFromGroup { group_id: g }),
            (ann, ContactEvent::AddedToGroup { group_id: g }),
            (ann, ContactEvent::RemovedFromGroup { group_id: g }),
        ]
    );
    assert!(store.contact_groups(acme, ann).await.unwrap().is_empty());
}

async fn groups_have_unique_names_counts_and_paged_members(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let name = |s: &str| GroupName::parse(s).unwrap();
    let vip = store
        .create_group(acme, &name("VIP"), Utc::now())
        .await
        .unwrap();
    let news = store
        .create_group(acme, &name("Newsletter"), Utc::now())
        .await
        .unwrap();
    let err = store
        .create_group(acme, &name("VIP"), Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::GroupName)),
        "{err:?}"
    );
    let err = store
        .rename_group(acme, news.id, &name("VIP"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::GroupName)),
        "{err:?}"
    );
    let mut members = Vec::new();
    for i in 0..3 {
        let id = add(store, acme, json!({"email": format!("m{i}@example.org")})).await;
        store
            .add_to_group(acme, vip.id, id, Utc::now())
            .await
            .unwrap();
        members.push(id);
    }
    store
        .add_to_group(acme, news.id, members[0], Utc::now())
        .await
        .unwrap();
    let renamed = store
        .rename_group(acme, vip.id, &name("Very important"))
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.members),
        ("Very important", 3)
    );
    let listed: Vec<(String, i64)> = store
        .groups(acme)
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.name, g.members))
        .collect();
    assert_eq!(
        listed,
        [
            ("Newsletter".to_string(), 1),
            ("Very important".to_string(), 3)
        ]
    );
    let page = store.group_members(acme, vip.id, None, 2).await.unwrap();
    assert_eq!(
        page.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
        members[..2]
    );
    let rest = store
        .group_members(acme, vip.id, page.next_after, 2)
        .await
        .unwrap();
    assert_eq!(
        rest.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
        members[2..]
    );
    let record = store.contact_record(acme, members[0]).await.unwrap();
    assert_eq!(
        record.values["groups"],
        json!(["Newsletter", "Very important"])
    );
    // Deleting a contact takes its memberships with it.
    store.delete_contact(acme, members[0]).await.unwrap();
    assert_eq!(store.group(acme, news.id).await.unwrap().members, 0);
}

async fn custom_fields_are_unique_and_deleting_one_clears_its_values(store: &Store) {
    let acme = account(store, "admin@acme.org").await;
    let other = account(store, "admin@other.org").await;
    let points = CustomField::new("points", "Points", CustomFieldKind::Number).unwrap();
    store
        .create_custom_field(acme, &points, Utc::now())
        .await
        .unwrap();
    store
        .create_custom_field(other, &points, Utc::now())
        .await
        .unwrap();
    let err = store
        .create_custom_field(acme, &points, Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::CustomFieldKey)),
        "{err:?}"
    );
    assert_eq!(
        store.account_custom_fields(acme).await.unwrap(),
        std::slice::from_ref(&points)
    );
    // The bulk upsert reads the account's own catalogue.
    let batch = ContactBatch::new(vec![input(
        json!({"email": "a@x.org", "points": "12", "firstname": "A"}),
    )])
    .unwrap();
    let UpsertOutcome::Created(a) = store
        .upsert_contacts(acme, &batch, Utc::now())
        .await
        .unwrap()[0]
    else {
        panic!()
    };
    let UpsertOutcome::Created(b) = store
        .upsert_contacts(other, &batch, Utc::now())
        .await
        .unwrap()[0]
    else {
        panic!()
    };
    assert_eq!(
        store.contact(acme, a).await.unwrap().fields["points"],
        json!(12)
    );
    store.delete_custom_field(acme, "points").await.unwrap();
    assert!(matches!(
        store.delete_custom_field(acme, "points").await,
        Err(StoreError::NotFound)
    ));
    let fields = store.contact(acme, a).await.unwrap().fields;
    assert_eq!(fields.get("points"), None);
    assert_eq!(fields["firstname"], json!("A"));
    // The other account keeps its field and values.
    assert_eq!(
        store.contact(other, b).await.unwrap().fields["points"],
        json!(12)
    );
    let outcomes = store
        .upsert_contacts(acme, &batch, Utc::now())
        .await
        .unwrap();
    assert!(
        matches!(&outcomes[0], UpsertOutcome::Invalid(p) if p[0].field == "points"),
        "{outcomes:?}"
    );
}
