//! The Send a Webhook form's state: one signal per input, rows with stable keys
//! so typing never re-renders them, and the conversion to and from the step's
//! `WebhookStepInput`.

use hookflow::webhook::config::{AdditionalInput, WebhookStepInput};
use hookflow::webhook::headers::HeaderInput;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct PairRow {
    pub uid: u32,
    pub key: RwSignal<String>,
    pub value: RwSignal<String>,
    pub secret: RwSignal<bool>,
    /// A secret value is saved for this header: an empty value keeps it.
    pub saved_secret: bool,
}

impl PairRow {
    fn new(uid: u32, key: String, value: String, secret: bool, saved_secret: bool) -> Self {
        PairRow {
            uid,
            key: RwSignal::new(key),
            value: RwSignal::new(value),
            secret: RwSignal::new(secret),
            saved_secret,
        }
    }
}

#[derive(Clone, Copy)]
pub struct WebhookForm {
    pub url: RwSignal<String>,
    pub fields: RwSignal<Vec<String>>,
    pub additional: RwSignal<Vec<PairRow>>,
    pub headers: RwSignal<Vec<PairRow>>,
    next_uid: StoredValue<u32>,
}

impl WebhookForm {
    pub fn new(input: &WebhookStepInput) -> Self {
        let mut uid = 0;
        let mut next = || {
            uid += 1;
            uid
        };
        let additional = input
            .additional
            .iter()
            .map(|a| PairRow::new(next(), a.key.clone(), a.value.clone(), false, false))
            .collect();
        let headers = input
            .headers
            .iter()
            .map(|h| {
                let saved = h.secret && h.value.is_none();
                PairRow::new(
                    next(),
                    h.name.clone(),
                    h.value.clone().unwrap_or_default(),
                    h.secret,
                    saved,
                )
            })
            .collect();
        WebhookForm {
            url: RwSignal::new(input.url.clone()),
            fields: RwSignal::new(input.fields.clone()),
            additional: RwSignal::new(additional),
            headers: RwSignal::new(headers),
            next_uid: StoredValue::new(uid),
        }
    }

    pub fn add_row(&self, list: RwSignal<Vec<PairRow>>, value: String) -> u32 {
        self.next_uid.update_value(|u| *u += 1);
        let uid = self.next_uid.get_value();
        list.update(|rows| rows.push(PairRow::new(uid, String::new(), value, false, false)));
        uid
    }

    /// The input as it would be saved: an untouched saved secret is `None` (kept).
    pub fn input(&self) -> WebhookStepInput {
        WebhookStepInput {
            url: self.url.get(),
            fields: self.fields.get(),
            additional: self
                .additional
                .get()
                .iter()
                .map(|r| AdditionalInput {
                    key: r.key.get(),
                    value: r.value.get(),
                })
                .collect(),
            headers: self
                .headers
                .get()
                .iter()
                .map(|r| {
                    let value = r.value.get();
                    let keep = r.saved_secret && r.secret.get() && value.is_empty();
                    HeaderInput {
                        name: r.key.get(),
                        value: if keep { None } else { Some(value) },
                        secret: r.secret.get(),
                    }
                })
                .collect(),
        }
    }

    /// The input as the browser checks it: a kept secret counts as a value (the
    /// server has it).
    pub fn input_to_check(&self) -> WebhookStepInput {
        let mut input = self.input();
        for h in &mut input.headers {
            if h.value.is_none() {
                h.value = Some("kept-secret".into());
            }
        }
        input
    }
}
