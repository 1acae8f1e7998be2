//! Opens and clicks: counted in the contact's statistics with their trigger
//! event, only for a mailing and contact that still exist in the same account.

use super::{account, entry, form, saved, submit, take_events};
use chrono::Utc;
use hookflow::engine::event::ContactEvent;
use hookflow::model::{AccountId, ContactId};
use hookflow::store::{FormKind, MailingId, MailingName, MailingRecipient, Store};
use serde_json::json;

async fn recipient(store: &Store, a: AccountId) -> MailingRecipient {
    let f = form(store, a, FormKind::Subscription, json!({})).await;
    let contact = saved(
        submit(
            store,
            &f,
            &entry(json!({"email": "dee@example.org"}), json!({})),
        )
        .await,
    )
    .contact;
    let mailing = store
        .create_mailing(a, &MailingName::parse("June").unwrap(), Utc::now())
        .await
        .unwrap()
        .id;
    take_events(store).await;
    MailingRecipient {
        account: a,
        mailing,
        contact,
    }
}

pub async fn opens_and_clicks_count_in_the_contacts_statistics(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let r = recipient(store, a).await;
    assert!(store.record_open(&r, Utc::now()).await.unwrap());
    assert!(store.record_open(&r, Utc::now()).await.unwrap());
    assert!(
        store
            .record_click(&r, "https://example.org/offer", Utc::now())
            .await
            .unwrap()
    );
    let fields = store.contact(a, r.contact).await.unwrap().fields;
    assert_eq!(
        (
            fields["mailings_opened"].as_u64(),
            fields["links_clicked"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert!(fields["last_open_date"].is_string() && fields["last_click_date"].is_string());
    let events: Vec<ContactEvent> = take_events(store)
        .await
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let opened = ContactEvent::EmailOpened {
        mailing_id: r.mailing.0,
    };
    assert_eq!(events.iter().filter(|e| **e == opened).count(), 2);
    let clicked = ContactEvent::LinkClicked {
        mailing_id: r.mailing.0,
        url: "https://example.org/offer".into(),
    };
    assert_eq!(events.last(), Some(&clicked));
    assert!(
        matches!(events[0], ContactEvent::ContactUpdated { .. }),
        "statistics changes are announced too"
    );
}

pub async fn tracking_counts_nothing_for_a_mailing_or_contact_that_is_gone(store: &Store) {
    let a = account(store, "admin@acme.org").await;
    let b = account(store, "admin@other.org").await;
    let r = recipient(store, a).await;
    let foreign = MailingRecipient { account: b, ..r };
    assert!(!store.record_open(&foreign, Utc::now()).await.unwrap());
    store.delete_contact(a, r.contact).await.unwrap();
    assert!(
        !store
            .record_click(&r, "https://example.org", Utc::now())
            .await
            .unwrap()
    );
    assert!(take_events(store).await.is_empty());
}

pub async fn every_instance_signs_with_the_same_key(store: &Store) {
    let r = MailingRecipient {
        account: AccountId(1),
        mailing: MailingId(2),
        contact: ContactId(3),
    };
    let first = store.tracking_key().await.unwrap().open_token(&r);
    let again = store.tracking_key().await.unwrap();
    assert_eq!(again.open_token(&r), first);
    assert_eq!(again.verify_open(&first), Some(r));
}
