use super::{on_scenario, problems};
use crate::model::scenario::fixtures::{exit, scenario};
use crate::model::scenario::{ConsentType, Criteria, EmailActivity, ScenarioDefinition, Trigger};

fn with_trigger(trigger: Trigger) -> ScenarioDefinition {
    ScenarioDefinition {
        trigger,
        ..scenario(vec![exit("end")])
    }
}

fn problems_of(trigger: Trigger) -> Vec<super::Seen> {
    problems(&with_trigger(trigger))
}

#[test]
fn each_trigger_accepts_what_exists_in_the_account() {
    let fine = [
        Trigger::FormSubmitted { form_id: 12 },
        Trigger::AddedToGroup { group_id: 3 },
        Trigger::EmailActivity {
            activity: EmailActivity::Clicked,
            mailing_id: Some(88),
        },
        Trigger::EmailActivity {
            activity: EmailActivity::Opened,
            mailing_id: None,
        },
        Trigger::SegmentMatched {
            criteria: Criteria::Consent {
                consent_type: ConsentType::Any,
                valid: true,
            },
            include_existing: true,
        },
        Trigger::SurveyAnswered { form_id: 14 },
        Trigger::DateReached {
            field: "birthdate".into(),
            offset_days: -7,
            yearly: true,
        },
        Trigger::DateReached {
            field: "vip_since".into(),
            offset_days: 3650,
            yearly: false,
        },
        Trigger::ProfileUpdated { form_id: Some(16) },
        Trigger::ProfileUpdated { form_id: None },
        Trigger::ConsentExpiring { within_days: 0 },
        Trigger::ConsentExpiring { within_days: 365 },
    ];
    for trigger in fine {
        assert_eq!(problems_of(trigger.clone()), [], "{trigger:?}");
    }
}

#[test]
fn a_form_that_no_longer_exists_is_reported_on_the_trigger() {
    assert_eq!(
        problems_of(Trigger::FormSubmitted { form_id: 99 }),
        [on_scenario(
            "trigger.form_id",
            "unknown_form",
            "this form does not exist any more; choose another form"
        )]
    );
}

#[test]
fn each_form_trigger_needs_its_kind_of_form() {
    assert_eq!(
        problems_of(Trigger::FormSubmitted { form_id: 14 }),
        [on_scenario(
            "trigger.form_id",
            "wrong_form_kind",
            "this form is a survey, not a subscription form; choose a subscription form"
        )]
    );
    assert_eq!(
        problems_of(Trigger::SurveyAnswered { form_id: 16 }),
        [on_scenario(
            "trigger.form_id",
            "wrong_form_kind",
            "this form is an update-profile form, not a survey; choose a survey"
        )]
    );
    assert_eq!(
        problems_of(Trigger::ProfileUpdated { form_id: Some(12) }),
        [on_scenario(
            "trigger.form_id",
            "wrong_form_kind",
            "this form is a subscription form, not an update-profile form; choose an update-profile form"
        )]
    );
}

#[test]
fn a_group_or_mailing_that_no_longer_exists_is_reported_on_the_trigger() {
    assert_eq!(
        problems_of(Trigger::AddedToGroup { group_id: 4 }),
        [on_scenario(
            "trigger.group_id",
            "unknown_group",
            "this group does not exist any more; choose another group"
        )]
    );
    assert_eq!(
        problems_of(Trigger::EmailActivity {
            activity: EmailActivity::OpenedOrClicked,
            mailing_id: Some(1)
        }),
        [on_scenario(
            "trigger.mailing_id",
            "unknown_mailing",
            "this mailing does not exist any more; choose another mailing or any mailing"
        )]
    );
}

fn date_reached(field: &str, offset_days: i32, yearly: bool) -> Trigger {
    Trigger::DateReached {
        field: field.into(),
        offset_days,
        yearly,
    }
}

#[test]
fn a_date_trigger_needs_a_date_field() {
    assert_eq!(
        problems_of(date_reached("country", 0, false)),
        [on_scenario(
            "trigger.field",
            "wrong_field_kind",
            "Country is a text field; choose a date field such as Birth date"
        )]
    );
    assert_eq!(
        problems_of(date_reached("last_open_date", 0, false))[0].3,
        "Last open date is a date and time field; choose a date field such as Birth date"
    );
    assert_eq!(
        problems_of(date_reached("wedding_day", 0, false)),
        [on_scenario(
            "trigger.field",
            "unknown_field",
            "\"wedding_day\" is not one of your contact fields"
        )]
    );
    assert_eq!(problems_of(date_reached("consent_expiry", -30, false)), []);
}

#[test]
fn a_date_trigger_fires_at_most_a_year_away_when_it_repeats() {
    assert_eq!(
        problems_of(date_reached("birthdate", 366, true)),
        [on_scenario(
            "trigger.offset_days",
            "invalid_value",
            "choose at most 365 days before or after the date when it repeats every year"
        )]
    );
    assert_eq!(problems_of(date_reached("birthdate", -365, true)), []);
    assert_eq!(
        problems_of(date_reached("vip_since", -3651, false)),
        [on_scenario(
            "trigger.offset_days",
            "invalid_value",
            "choose at most 3650 days before or after the date"
        )]
    );
    assert_eq!(
        problems_of(date_reached("birthdate", i32::MIN, false)).len(),
        1
    );
}

#[test]
fn a_consent_notice_comes_at_most_a_year_ahead() {
    assert_eq!(
        problems_of(Trigger::ConsentExpiring { within_days: 366 }),
        [on_scenario(
            "trigger.within_days",
            "invalid_value",
            "choose at most 365 days before consent expires"
        )]
    );
}

#[test]
fn segment_criteria_problems_point_into_the_trigger() {
    let trigger = Trigger::SegmentMatched {
        criteria: Criteria::Any {
            of: vec![
                Criteria::InGroup { group_id: 3 },
                Criteria::NotInGroup { group_id: 5 },
            ],
        },
        include_existing: false,
    };
    assert_eq!(
        problems_of(trigger),
        [on_scenario(
            "trigger.criteria.of[1].group_id",
            "unknown_group",
            "this group does not exist any more; choose another group"
        )]
    );
}
