//! Choosing a trigger (one of the eight) and its settings. Used when creating a
//! scenario and in the editor's trigger panel.

use super::pickers::{CriteriaFields, IdSelect};
use crate::server_fns::scenarios::Choices;
use hookflow::model::fields::{Catalogue, CustomField, FieldKind};
use hookflow::model::scenario::{Criteria, EmailActivity, Trigger};
use leptos::prelude::*;

pub const KINDS: [(&str, &str); 8] = [
    ("form_submitted", "A subscription form is submitted"),
    ("added_to_group", "A contact is added to a group"),
    ("email_activity", "An email is opened or a link is clicked"),
    ("segment_matched", "A contact meets criteria"),
    ("survey_answered", "A survey is answered"),
    ("date_reached", "A contact's date is reached"),
    ("profile_updated", "A contact updates their profile"),
    ("consent_expiring", "A contact's consent expires"),
];

pub fn kind_of(t: &Trigger) -> &'static str {
    match t {
        Trigger::FormSubmitted { .. } => "form_submitted",
        Trigger::AddedToGroup { .. } => "added_to_group",
        Trigger::EmailActivity { .. } => "email_activity",
        Trigger::SegmentMatched { .. } => "segment_matched",
        Trigger::SurveyAnswered { .. } => "survey_answered",
        Trigger::DateReached { .. } => "date_reached",
        Trigger::ProfileUpdated { .. } => "profile_updated",
        Trigger::ConsentExpiring { .. } => "consent_expiring",
    }
}

/// The trigger of `kind` with the first choice of each setting.
pub fn default_trigger(kind: &str, c: &Choices) -> Trigger {
    let first = |list: Vec<(i64, String)>| list.first().map(|f| f.0).unwrap_or(0);
    match kind {
        "added_to_group" => Trigger::AddedToGroup {
            group_id: first(c.groups.clone()),
        },
        "email_activity" => Trigger::EmailActivity {
            activity: EmailActivity::OpenedOrClicked,
            mailing_id: None,
        },
        "segment_matched" => Trigger::SegmentMatched {
            criteria: Criteria::InGroup {
                group_id: first(c.groups.clone()),
            },
            include_existing: false,
        },
        "survey_answered" => Trigger::SurveyAnswered {
            form_id: first(c.forms_of("survey")),
        },
        "date_reached" => Trigger::DateReached {
            field: "birthdate".into(),
            offset_days: 0,
            yearly: true,
        },
        "profile_updated" => Trigger::ProfileUpdated { form_id: None },
        "consent_expiring" => Trigger::ConsentExpiring { within_days: 30 },
        _ => Trigger::FormSubmitted {
            form_id: first(c.forms_of("subscription")),
        },
    }
}

#[component]
pub fn TriggerFields(
    trigger: RwSignal<Trigger>,
    choices: Signal<Choices>,
    custom: Vec<CustomField>,
) -> impl IntoView {
    let kind = Memo::new(move |_| trigger.with(kind_of));
    let date_fields: Vec<(String, String)> = Catalogue::new(&custom)
        .fields()
        .filter(|f| matches!(f.kind, FieldKind::Date | FieldKind::DateTime))
        .map(|f| (f.key.to_string(), f.label.to_string()))
        .collect();
    let form_id = Signal::derive(move || match trigger.get() {
        Trigger::FormSubmitted { form_id } | Trigger::SurveyAnswered { form_id } => Some(form_id),
        Trigger::ProfileUpdated { form_id } => form_id,
        _ => None,
    });
    let pick_form = Callback::new(move |id: Option<i64>| {
        trigger.update(|t| match t {
            Trigger::FormSubmitted { form_id } | Trigger::SurveyAnswered { form_id } => {
                *form_id = id.unwrap_or(0)
            }
            Trigger::ProfileUpdated { form_id } => *form_id = id,
            _ => {}
        })
    });
    let group_id = Signal::derive(move || match trigger.get() {
        Trigger::AddedToGroup { group_id } => Some(group_id),
        _ => None,
    });
    let pick_group = Callback::new(move |id: Option<i64>| {
        trigger.update(|t| {
            if let Trigger::AddedToGroup { group_id } = t {
                *group_id = id.unwrap_or(0)
            }
        })
    });
    let mailing_id = Signal::derive(move || match trigger.get() {
        Trigger::EmailActivity { mailing_id, .. } => mailing_id,
        _ => None,
    });
    let pick_mailing = Callback::new(move |id: Option<i64>| {
        trigger.update(|t| {
            if let Trigger::EmailActivity { mailing_id, .. } = t {
                *mailing_id = id
            }
        })
    });
    let custom = StoredValue::new(custom);
    view! {
        <label class="field">
            <span>"Trigger"</span>
            <select aria-label="Trigger" prop:value=move || kind.get()
                on:change=move |ev| trigger.set(default_trigger(&event_target_value(&ev), &choices.get_untracked()))>
                {KINDS.iter().map(|(k, label)| view! { <option value=*k>{*label}</option> }).collect_view()}
            </select>
        </label>
        {move || match kind.get() {
            "form_submitted" => view! {
                <IdSelect label="Subscription form" options=choices.get().forms_of("subscription") value=form_id on_pick=pick_form />
            }.into_any(),
            "survey_answered" => view! {
                <IdSelect label="Survey" options=choices.get().forms_of("survey") value=form_id on_pick=pick_form />
            }.into_any(),
            "profile_updated" => view! {
                <IdSelect label="Update-profile form" options=choices.get().forms_of("update_profile") value=form_id on_pick=pick_form none="Any update-profile form" />
            }.into_any(),
            "added_to_group" => view! {
                <IdSelect label="Group" options=choices.get().groups value=group_id on_pick=pick_group />
            }.into_any(),
            "email_activity" => view! {
                <label class="field">
                    <span>"Activity"</span>
                    <select
                        prop:value=move || match trigger.get() { Trigger::EmailActivity { activity, .. } => format!("{activity:?}"), _ => String::new() }
                        on:change=move |ev| {
                            let a = match event_target_value(&ev).as_str() { "Opened" => EmailActivity::Opened, "Clicked" => EmailActivity::Clicked, _ => EmailActivity::OpenedOrClicked };
                            trigger.update(|t| if let Trigger::EmailActivity { activity, .. } = t { *activity = a });
                        }>
                        <option value="OpenedOrClicked">"Opened or clicked"</option>
                        <option value="Opened">"Opened"</option>
                        <option value="Clicked">"A link is clicked"</option>
                    </select>
                </label>
                <IdSelect label="Mailing" options=choices.get().mailings value=mailing_id on_pick=pick_mailing none="Any mailing" />
            }.into_any(),
            "segment_matched" => view! { <SegmentFields trigger choices=choices.get() custom=custom.get_value() /> }.into_any(),
            "date_reached" => view! { <DateFields trigger date_fields=date_fields.clone() /> }.into_any(),
            _ => view! {
                <label class="field">
                    <span>"Days before the consent expires (0: on the day)"</span>
                    <input type="number" min="0" max="365"
                        prop:value=move || match trigger.get() { Trigger::ConsentExpiring { within_days } => within_days.to_string(), _ => String::new() }
                        on:input=move |ev| { let d = event_target_value(&ev).parse().unwrap_or(0); trigger.update(|t| if let Trigger::ConsentExpiring { within_days } = t { *within_days = d }) } />
                </label>
            }.into_any(),
        }}
    }
}

#[component]
fn SegmentFields(
    trigger: RwSignal<Trigger>,
    choices: Choices,
    custom: Vec<CustomField>,
) -> impl IntoView {
    let initial = match trigger.get_untracked() {
        Trigger::SegmentMatched { criteria, .. } => criteria,
        _ => Criteria::All { of: vec![] },
    };
    let criteria = RwSignal::new(initial);
    Effect::new(move |_| {
        let c = criteria.get();
        trigger.update(|t| {
            if let Trigger::SegmentMatched { criteria, .. } = t {
                *criteria = c
            }
        });
    });
    view! {
        <CriteriaFields criteria choices custom />
        <label class="check">
            <input type="checkbox"
                prop:checked=move || matches!(trigger.get(), Trigger::SegmentMatched { include_existing: true, .. })
                on:change=move |ev| { let on = event_target_checked(&ev); trigger.update(|t| if let Trigger::SegmentMatched { include_existing, .. } = t { *include_existing = on }) } />
            " Also enrol the contacts who meet it already"
        </label>
    }
}

#[component]
fn DateFields(trigger: RwSignal<Trigger>, date_fields: Vec<(String, String)>) -> impl IntoView {
    let read = move || match trigger.get() {
        Trigger::DateReached {
            field,
            offset_days,
            yearly,
        } => (field, offset_days, yearly),
        _ => (String::new(), 0, false),
    };
    view! {
        <label class="field">
            <span>"Date field"</span>
            <select prop:value=move || read().0
                on:change=move |ev| { let v = event_target_value(&ev); trigger.update(|t| if let Trigger::DateReached { field, .. } = t { *field = v }) }>
                {date_fields.into_iter().map(|(k, l)| view! { <option value=k.clone()>{l}</option> }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span>"Days after the date (negative: before)"</span>
            <input type="number" prop:value=move || read().1.to_string()
                on:input=move |ev| { let d = event_target_value(&ev).parse().unwrap_or(0); trigger.update(|t| if let Trigger::DateReached { offset_days, .. } = t { *offset_days = d }) } />
        </label>
        <label class="check">
            <input type="checkbox" prop:checked=move || read().2
                on:change=move |ev| { let on = event_target_checked(&ev); trigger.update(|t| if let Trigger::DateReached { yearly, .. } = t { *yearly = on }) } />
            " Every year"
        </label>
    }
}
