//! What enrols a contact into a scenario: the eight triggers of the product.

use super::criteria::Criteria;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A subscription form is submitted.
    FormSubmitted { form_id: i64 },
    /// A contact is added to a group.
    AddedToGroup { group_id: i64 },
    /// An email is opened or a link is clicked.
    EmailActivity {
        activity: EmailActivity,
        /// `None`: from any mailing.
        #[serde(default)]
        mailing_id: Option<i64>,
    },
    /// A contact meets advanced-search criteria, evaluated when contacts change.
    SegmentMatched {
        criteria: Criteria,
        /// Also enrol the contacts who already meet the criteria at activation.
        #[serde(default)]
        include_existing: bool,
    },
    /// A survey is answered.
    SurveyAnswered { form_id: i64 },
    /// A contact's date is reached.
    DateReached {
        /// The key of a date field (birth date, consent dates, a custom date field).
        field: String,
        /// Negative: that many days before the date; positive: after; 0: on the day.
        #[serde(default)]
        offset_days: i32,
        /// Every year on the anniversary of the date, not only once.
        #[serde(default)]
        yearly: bool,
    },
    /// A contact is updated through an update-profile form.
    ProfileUpdated {
        /// `None`: through any update-profile form.
        #[serde(default)]
        form_id: Option<i64>,
    },
    /// A contact's consent will expire in this many days (0: when it expires).
    ConsentExpiring {
        #[serde(default)]
        within_days: u32,
    },
}

impl Trigger {
    /// The words the editor shows.
    pub fn label(&self) -> &'static str {
        match self {
            Trigger::FormSubmitted { .. } => "A subscription form is submitted",
            Trigger::AddedToGroup { .. } => "A contact is added to a group",
            Trigger::EmailActivity { .. } => "An email is opened or a link is clicked",
            Trigger::SegmentMatched { .. } => "A contact meets criteria",
            Trigger::SurveyAnswered { .. } => "A survey is answered",
            Trigger::DateReached { .. } => "A contact's date is reached",
            Trigger::ProfileUpdated { .. } => "A contact updates their profile",
            Trigger::ConsentExpiring { .. } => "A contact's consent expires",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailActivity {
    Opened,
    Clicked,
    OpenedOrClicked,
}

impl EmailActivity {
    /// Whether an event that happened (`Opened` or `Clicked`) fires this trigger.
    pub fn includes(self, happened: EmailActivity) -> bool {
        self == happened || self == EmailActivity::OpenedOrClicked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_trigger_reads_from_the_editors_json() {
        let cases = [
            json!({"type": "form_submitted", "form_id": 12}),
            json!({"type": "added_to_group", "group_id": 3}),
            json!({"type": "email_activity", "activity": "opened_or_clicked", "mailing_id": null}),
            json!({"type": "email_activity", "activity": "clicked", "mailing_id": 88}),
            json!({"type": "segment_matched", "criteria": {"type": "in_group", "group_id": 3},
                   "include_existing": true}),
            json!({"type": "survey_answered", "form_id": 14}),
            json!({"type": "date_reached", "field": "birthdate", "offset_days": -7, "yearly": true}),
            json!({"type": "profile_updated", "form_id": null}),
            json!({"type": "consent_expiring", "within_days": 30}),
        ];
        for case in cases {
            let trigger: Trigger = serde_json::from_value(case.clone()).unwrap();
            assert_eq!(serde_json::to_value(&trigger).unwrap(), case);
        }
    }

    #[test]
    fn optional_trigger_settings_may_be_left_out() {
        let any_mailing: Trigger =
            serde_json::from_value(json!({"type": "email_activity", "activity": "opened"}))
                .unwrap();
        assert_eq!(
            any_mailing,
            Trigger::EmailActivity {
                activity: EmailActivity::Opened,
                mailing_id: None
            }
        );
        let on_the_day: Trigger =
            serde_json::from_value(json!({"type": "date_reached", "field": "consent_date"}))
                .unwrap();
        assert_eq!(
            on_the_day,
            Trigger::DateReached {
                field: "consent_date".into(),
                offset_days: 0,
                yearly: false
            }
        );
    }

    #[test]
    fn a_misspelled_trigger_is_refused_with_the_list_of_triggers() {
        let err = serde_json::from_value::<Trigger>(json!({"type": "form_sent", "form_id": 1}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown variant `form_sent`"), "{err}");
        assert!(err.contains("form_submitted"), "{err}");
        let err = serde_json::from_value::<Trigger>(json!({"type": "form_submitted", "form": 1}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `form`"), "{err}");
    }

    #[test]
    fn opened_or_clicked_fires_on_either() {
        use EmailActivity::*;
        assert!(OpenedOrClicked.includes(Opened) && OpenedOrClicked.includes(Clicked));
        assert!(Opened.includes(Opened) && !Opened.includes(Clicked));
        assert!(Clicked.includes(Clicked) && !Clicked.includes(Opened));
    }
}
