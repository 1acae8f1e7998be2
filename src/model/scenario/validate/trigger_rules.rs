//! What a trigger refers to must exist and be of the right kind.

use super::limits::{MAX_CONSENT_NOTICE_DAYS, MAX_OFFSET_DAYS, MAX_YEARLY_OFFSET_DAYS};
use super::values::kind_name;
use super::{Context, criteria_rules};
use crate::model::fields::FieldKind;
use crate::model::scenario::problem::{FormKind, ProblemCode, Problems};
use crate::model::scenario::trigger::Trigger;

pub(crate) fn check(trigger: &Trigger, cx: &Context<'_>, problems: &mut Problems) {
    let refs = cx.refs;
    match trigger {
        Trigger::FormSubmitted { form_id } => form(*form_id, FormKind::Subscription, cx, problems),
        Trigger::SurveyAnswered { form_id } => form(*form_id, FormKind::Survey, cx, problems),
        Trigger::ProfileUpdated { form_id } => {
            if let Some(id) = form_id {
                form(*id, FormKind::Profile, cx, problems);
            }
        }
        Trigger::AddedToGroup { group_id } => {
            if !refs.group_ids.contains(group_id) {
                let message = "this group does not exist any more; choose another group";
                problems.add(None, "trigger.group_id", ProblemCode::UnknownGroup, message);
            }
        }
        Trigger::EmailActivity { mailing_id, .. } => {
            if mailing_id.is_some_and(|id| !refs.mailing_ids.contains(&id)) {
                let message =
                    "this mailing does not exist any more; choose another mailing or any mailing";
                problems.add(
                    None,
                    "trigger.mailing_id",
                    ProblemCode::UnknownMailing,
                    message,
                );
            }
        }
        Trigger::SegmentMatched { criteria, .. } => {
            criteria_rules::check(criteria, "trigger.criteria", None, cx, problems);
        }
        Trigger::DateReached {
            field,
            offset_days,
            yearly,
        } => date_reached(field, *offset_days, *yearly, cx, problems),
        Trigger::ConsentExpiring { within_days } => {
            if *within_days > MAX_CONSENT_NOTICE_DAYS {
                let message =
                    format!("choose at most {MAX_CONSENT_NOTICE_DAYS} days before consent expires");
                problems.add(
                    None,
                    "trigger.within_days",
                    ProblemCode::InvalidValue,
                    message,
                );
            }
        }
    }
}

fn form(id: i64, wanted: FormKind, cx: &Context<'_>, problems: &mut Problems) {
    match cx.refs.form_kind(id) {
        _ if cx.refs.forms(wanted).contains(&id) => {}
        Some(other) => {
            let message = format!(
                "this form is {}, not {}; choose {}",
                other.with_article(),
                wanted.with_article(),
                wanted.with_article()
            );
            problems.add(None, "trigger.form_id", ProblemCode::WrongFormKind, message);
        }
        None => {
            let message = "this form does not exist any more; choose another form";
            problems.add(None, "trigger.form_id", ProblemCode::UnknownForm, message);
        }
    }
}

fn date_reached(
    key: &str,
    offset_days: i32,
    yearly: bool,
    cx: &Context<'_>,
    problems: &mut Problems,
) {
    match cx.catalogue.get(key) {
        None => {
            let message = format!("\"{key}\" is not one of your contact fields");
            problems.add(None, "trigger.field", ProblemCode::UnknownField, message);
        }
        Some(field) if field.kind != FieldKind::Date => {
            let message = format!(
                "{} is a {} field; choose a date field such as Birth date",
                field.label,
                kind_name(field.kind)
            );
            problems.add(None, "trigger.field", ProblemCode::WrongFieldKind, message);
        }
        Some(_) => {}
    }
    let max = if yearly {
        MAX_YEARLY_OFFSET_DAYS
    } else {
        MAX_OFFSET_DAYS
    };
    if offset_days.unsigned_abs() > max.unsigned_abs() {
        let every_year = if yearly {
            " when it repeats every year"
        } else {
            ""
        };
        let message = format!("choose at most {max} days before or after the date{every_year}");
        problems.add(
            None,
            "trigger.offset_days",
            ProblemCode::InvalidValue,
            message,
        );
    }
}
