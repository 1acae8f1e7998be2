//! One line about a trigger or a step, in the marketer's words.

use crate::server_fns::scenarios::Choices;
use hookflow::model::scenario::{Criteria, EmailActivity, StepKind, Trigger, WaitSpec};
use leptos::serde_json;

fn name_of(list: &[(i64, String)], id: i64, what: &str) -> String {
    list.iter()
        .find(|(i, _)| *i == id)
        .map_or_else(|| format!("no {what} chosen"), |(_, n)| format!("“{n}”"))
}

fn form_name(choices: &Choices, id: i64) -> String {
    choices
        .forms
        .iter()
        .find(|f| f.id == id)
        .map_or_else(|| "no form chosen".into(), |f| format!("“{}”", f.name))
}

pub fn trigger_summary(trigger: &Trigger, c: &Choices) -> String {
    match trigger {
        Trigger::FormSubmitted { form_id } | Trigger::SurveyAnswered { form_id } => {
            form_name(c, *form_id)
        }
        Trigger::AddedToGroup { group_id } => name_of(&c.groups, *group_id, "group"),
        Trigger::EmailActivity {
            activity,
            mailing_id,
        } => {
            let what = match activity {
                EmailActivity::Opened => "Opened",
                EmailActivity::Clicked => "Clicked",
                EmailActivity::OpenedOrClicked => "Opened or clicked",
            };
            let from =
                mailing_id.map_or("any mailing".into(), |m| name_of(&c.mailings, m, "mailing"));
            format!("{what}, from {from}")
        }
        Trigger::SegmentMatched { criteria, .. } => criteria_summary(criteria, c),
        Trigger::DateReached {
            field,
            offset_days,
            yearly,
        } => {
            let when = match offset_days {
                0 => "on the day".to_string(),
                d if *d < 0 => format!("{} days before", -d),
                d => format!("{d} days after"),
            };
            let every = if *yearly { ", every year" } else { "" };
            format!("{field}, {when}{every}")
        }
        Trigger::ProfileUpdated { form_id } => form_id
            .map_or("through any update-profile form".into(), |f| {
                form_name(c, f)
            }),
        Trigger::ConsentExpiring { within_days: 0 } => "when it expires".into(),
        Trigger::ConsentExpiring { within_days } => format!("{within_days} days before it expires"),
    }
}

pub fn criteria_summary(criteria: &Criteria, c: &Choices) -> String {
    match criteria {
        Criteria::InGroup { group_id } => {
            format!("in group {}", name_of(&c.groups, *group_id, "group"))
        }
        Criteria::NotInGroup { group_id } => {
            format!("not in group {}", name_of(&c.groups, *group_id, "group"))
        }
        Criteria::Field { field, op, value } => {
            let value = value.as_ref().map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            format!("{field} {} {}", op.label(), value.unwrap_or_default())
                .trim()
                .to_string()
        }
        Criteria::Consent { valid, .. } => {
            if *valid {
                "consent is valid".into()
            } else {
                "consent is not valid".into()
            }
        }
        Criteria::All { of } => format!("all of {} conditions", of.len()),
        Criteria::Any { of } => format!("any of {} conditions", of.len()),
    }
}

pub fn duration_words(seconds: u64) -> String {
    let (n, unit) = if seconds.is_multiple_of(86_400) {
        (seconds / 86_400, "day")
    } else if seconds.is_multiple_of(3600) {
        (seconds / 3600, "hour")
    } else if seconds.is_multiple_of(60) {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

pub fn step_summary(kind: &StepKind, c: &Choices) -> String {
    match kind {
        StepKind::SendWebhook { config, .. } => {
            if config.url.trim().is_empty() {
                "No URL yet".into()
            } else {
                config.url.clone()
            }
        }
        StepKind::Wait { wait, .. } => match wait {
            WaitSpec::Duration { seconds } => duration_words(*seconds),
            WaitSpec::Until { at: Some(at) } => {
                format!("until {}", at.format("%Y-%m-%d %H:%M UTC"))
            }
            WaitSpec::Until { at: None } => "until a date (none chosen)".into(),
        },
        StepKind::Condition { criteria, .. } => criteria_summary(criteria, c),
        StepKind::AddToGroup { group_id, .. } | StepKind::RemoveFromGroup { group_id, .. } => {
            name_of(&c.groups, *group_id, "group")
        }
        StepKind::UpdateField { field, value, .. } => {
            if field.is_empty() {
                "No field chosen".into()
            } else {
                let v = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("{field} = {v}")
            }
        }
        StepKind::Exit {} => "The journey ends".into(),
    }
}
