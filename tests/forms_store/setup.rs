//! What the API sets up: a form's definition is checked against the catalogue,
//! and forms and mailings belong to one account.

use super::{account, form};
use chrono::Utc;
use hookflow::model::fields::Catalogue;
use hookflow::store::{FormContent, FormDefinition, FormKind, MailingName, Store, StoreError};
use serde_json::{Value, json};

pub async fn a_definition_that_asks_impossible_things_is_refused(store: &Store) {
    let custom = store
        .account_custom_fields(account(store, "admin@acme.org").await)
        .await
        .unwrap();
    let catalogue = Catalogue::new(&custom);
    let check = |kind, v: Value| {
        let definition: FormDefinition = serde_json::from_value(v).unwrap();
        let problems = FormContent::parse_new(kind, " ", definition, &catalogue).unwrap_err();
        problems.into_iter().map(|p| p.field).collect::<Vec<_>>()
    };
    let fields =
        json!({"fields": [{"key": "nickname"}, {"key": "mailings_opened"}, {"key": "groups"}]});
    assert_eq!(
        check(FormKind::Subscription, fields),
        [
            "name",
            "definition.fields[0].key",
            "definition.fields[1].key",
            "definition.fields[2].key"
        ]
    );
    assert_eq!(
        check(FormKind::Survey, json!({})),
        ["name", "definition.questions"]
    );
    let bad = json!({"questions": [{"id": "Q 1", "label": "", "kind": "choice"}]});
    assert_eq!(
        check(FormKind::Survey, bad),
        [
            "name",
            "definition.questions[0].id",
            "definition.questions[0].label",
            "definition.questions[0].options"
        ]
    );
}

pub async fn forms_and_mailings_of_another_account_are_out_of_reach(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let b = account(store, "admin@other.org").await;
    let f = form(store, a, FormKind::Subscription, json!({})).await;
    let m = store
        .create_mailing(a, &MailingName::parse("May news").unwrap(), Utc::now())
        .await
        .unwrap();
    assert!(matches!(
        store.form(b, f.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.forms(b).await.unwrap().is_empty());
    let rename = FormContent::parse(f.kind, Some("Mine"), None, &Catalogue::built_in()).unwrap();
    assert!(matches!(
        store.update_form(b, f.id, &rename).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_form(b, f.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.mailing(b, m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.mailings(b).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_mailing(b, m.id).await,
        Err(StoreError::NotFound)
    ));
    // Still there for their owner, who can rename and delete them.
    assert_eq!(
        store.update_form(a, f.id, &rename).await.unwrap().name,
        "Mine"
    );
    let id = m.id;
    assert_eq!(store.mailings(a).await.unwrap(), [m]);
    store.delete_form(a, f.id).await.unwrap();
    assert_eq!(store.form_by_public_id(&f.public_id).await.unwrap(), None);
    store.delete_mailing(a, id).await.unwrap();
}
