//! What can happen to a contact: the events the engine enrols contacts on.

use serde::{Deserialize, Serialize};

/// Stored in the `events` table (the engine's durable inbox): `kind` is the
/// serde tag, the rest is `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ContactEvent {
    ContactCreated,
    /// Field values changed (catalogue keys, custom fields included).
    ContactUpdated {
        changed: Vec<String>,
    },
    AddedToGroup {
        group_id: i64,
    },
    RemovedFromGroup {
        group_id: i64,
    },
    /// A subscription form was submitted.
    FormSubmitted {
        form_id: i64,
    },
    /// The update-profile form was submitted.
    ProfileUpdated {
        form_id: i64,
    },
    SurveyAnswered {
        form_id: i64,
    },
    EmailOpened {
        mailing_id: i64,
    },
    LinkClicked {
        mailing_id: i64,
        url: String,
    },
}

impl ContactEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            ContactEvent::ContactCreated => "contact_created",
            ContactEvent::ContactUpdated { .. } => "contact_updated",
            ContactEvent::AddedToGroup { .. } => "added_to_group",
            ContactEvent::RemovedFromGroup { .. } => "removed_from_group",
            ContactEvent::FormSubmitted { .. } => "form_submitted",
            ContactEvent::ProfileUpdated { .. } => "profile_updated",
            ContactEvent::SurveyAnswered { .. } => "survey_answered",
            ContactEvent::EmailOpened { .. } => "email_opened",
            ContactEvent::LinkClicked { .. } => "link_clicked",
        }
    }

    /// The stored form: the tag goes to its own column.
    pub fn data(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("events serialise");
        if let Some(map) = v.as_object_mut() {
            map.remove("kind");
        }
        v
    }

    pub fn from_stored(kind: &str, data: &str) -> Result<ContactEvent, serde_json::Error> {
        let mut v: serde_json::Value = serde_json::from_str(data)?;
        if let Some(map) = v.as_object_mut() {
            map.insert("kind".into(), kind.into());
        }
        serde_json::from_value(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_their_stored_form() {
        let events = [
            ContactEvent::ContactCreated,
            ContactEvent::ContactUpdated {
                changed: vec!["firstname".into()],
            },
            ContactEvent::LinkClicked {
                mailing_id: 3,
                url: "https://example.org/x".into(),
            },
        ];
        for e in events {
            let back = ContactEvent::from_stored(e.kind(), &e.data().to_string()).unwrap();
            assert_eq!(back, e);
        }
        assert!(ContactEvent::from_stored("nonsense", "{}").is_err());
    }
}
