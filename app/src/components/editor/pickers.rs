//! Small inputs shared by the trigger and step settings: a select over
//! (id, name) pairs, and the criteria editor (one condition, or several joined
//! with AND or OR).

use crate::server_fns::scenarios::Choices;
use hookflow::model::fields::{Catalogue, CustomField};
use hookflow::model::scenario::{ConsentType, Criteria, FieldOp};
use leptos::prelude::*;
use leptos::serde_json;

/// A labelled select of named things; `none` adds an empty choice with that text.
#[component]
pub fn IdSelect(
    label: &'static str,
    options: Vec<(i64, String)>,
    value: Signal<Option<i64>>,
    on_pick: Callback<Option<i64>>,
    #[prop(optional)] none: Option<&'static str>,
) -> impl IntoView {
    let empty = options.is_empty() && none.is_none();
    view! {
        <label class="field">
            <span>{label}</span>
            <select
                aria-label=label
                prop:value=move || value.get().map(|v| v.to_string()).unwrap_or_default()
                on:change=move |ev| on_pick.run(event_target_value(&ev).parse().ok())
            >
                {none.map(|text| view! { <option value="">{text}</option> })}
                {empty.then(|| view! { <option value="">"None yet"</option> })}
                {options.into_iter().map(|(id, name)| view! {
                    <option value=id.to_string() selected=move || value.get() == Some(id)>{name}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

const OPS: [FieldOp; 9] = [
    FieldOp::Eq,
    FieldOp::Neq,
    FieldOp::Contains,
    FieldOp::Gt,
    FieldOp::Lt,
    FieldOp::Before,
    FieldOp::After,
    FieldOp::IsEmpty,
    FieldOp::IsNotEmpty,
];

fn kind_of(c: &Criteria) -> &'static str {
    match c {
        Criteria::InGroup { .. } => "in_group",
        Criteria::NotInGroup { .. } => "not_in_group",
        Criteria::Field { .. } => "field",
        Criteria::Consent { .. } => "consent",
        Criteria::All { .. } | Criteria::Any { .. } => "combined",
    }
}

/// The conditions on a contact: one condition, or several combined with AND
/// (all must hold) or OR (any may hold). A group nested deeper, made through the
/// API, is shown and kept as it is.
#[component]
pub fn CriteriaFields(
    criteria: RwSignal<Criteria>,
    choices: Choices,
    custom: Vec<CustomField>,
) -> impl IntoView {
    let mode = Memo::new(move |_| {
        criteria.with(|c| match c {
            Criteria::All { .. } => "all",
            Criteria::Any { .. } => "any",
            _ => "one",
        })
    });
    let first_group = choices.groups.first().map(|g| g.0).unwrap_or(0);
    // The list's conditions, each with a key for the view and a signal of its own;
    // the combined condition is rebuilt from them on every change.
    let next_key = StoredValue::new(0_u32);
    let make = move |c: Criteria| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        (key, RwSignal::new(c))
    };
    let initial = criteria.with_untracked(|c| match c {
        Criteria::All { of } | Criteria::Any { of } => of.clone(),
        _ => Vec::new(),
    });
    let items = RwSignal::new(initial.into_iter().map(make).collect::<Vec<_>>());
    Effect::new(move |_| {
        let of: Vec<Criteria> = items.with(|list| list.iter().map(|(_, c)| c.get()).collect());
        criteria.update(|c| match c {
            Criteria::All { of: old } | Criteria::Any { of: old } if *old != of => *old = of,
            _ => {}
        });
    });
    let set_mode = move |ev| {
        let picked = event_target_value(&ev);
        let current = criteria.get_untracked();
        let list: Vec<Criteria> = match &current {
            Criteria::All { of } | Criteria::Any { of } => of.clone(),
            single => vec![single.clone()],
        };
        let new = match picked.as_str() {
            "all" => Criteria::All { of: list.clone() },
            "any" => Criteria::Any { of: list.clone() },
            _ => list
                .into_iter()
                .find(|c| !matches!(c, Criteria::All { .. } | Criteria::Any { .. }))
                .unwrap_or(Criteria::InGroup {
                    group_id: first_group,
                }),
        };
        if let Criteria::All { of } | Criteria::Any { of } = &new {
            items.set(of.iter().cloned().map(make).collect());
        }
        criteria.set(new);
    };
    let add = move |_| {
        items.update(|list| {
            list.push(make(Criteria::InGroup {
                group_id: first_group,
            }))
        })
    };
    let (choices_one, custom_one) = (choices.clone(), custom.clone());
    view! {
        <label class="field">
            <span>"Match"</span>
            <select data-testid="criteria-mode" prop:value=move || mode.get() on:change=set_mode>
                <option value="one">"One condition"</option>
                <option value="all">"All of these conditions (AND)"</option>
                <option value="any">"Any of these conditions (OR)"</option>
            </select>
        </label>
        {move || match mode.get() {
            "one" => view! { <SingleCondition criteria choices=choices_one.clone() custom=custom_one.clone() /> }.into_any(),
            joined => {
                let word = if joined == "all" { "and" } else { "or" };
                let (choices, custom) = (choices.clone(), custom.clone());
                view! {
                    <ol class="criteria-list" aria-label="Conditions">
                        <For each=move || items.get() key=|(k, _)| *k let:item>
                            {
                                let (key, c) = item;
                                let position = move || items.with(|l| l.iter().position(|(k, _)| *k == key).unwrap_or(0));
                                view! {
                                    <li class="criteria-item">
                                        <Show when=move || { position() > 0 }>
                                            <span class="criteria-join">{word}</span>
                                        </Show>
                                        <fieldset class="criteria-box">
                                            <legend>{move || format!("Condition {}", position() + 1)}</legend>
                                            <SingleCondition criteria=c choices=choices.clone() custom=custom.clone() />
                                            <button type="button" class="link-button danger"
                                                aria-label=move || format!("Remove condition {}", position() + 1)
                                                on:click=move |_| items.update(|l| l.retain(|(k, _)| *k != key))>"Remove"</button>
                                        </fieldset>
                                    </li>
                                }
                            }
                        </For>
                    </ol>
                    <Show when=move || items.with(Vec::is_empty)>
                        <p class="hint">{if joined == "all" { "No condition yet: every contact matches." } else { "No condition yet: no contact matches." }}</p>
                    </Show>
                    <button type="button" class="button secondary" on:click=add>"+ Add a condition"</button>
                }.into_any()
            }
        }}
    }
}

/// One condition on a contact: a group, a field, or consent.
#[component]
fn SingleCondition(
    criteria: RwSignal<Criteria>,
    choices: Choices,
    custom: Vec<CustomField>,
) -> impl IntoView {
    let kind = Memo::new(move |_| criteria.with(kind_of));
    let first_group = choices.groups.first().map(|g| g.0).unwrap_or(0);
    let groups = choices.groups.clone();
    let fields: Vec<(String, String)> = Catalogue::new(&custom)
        .fields()
        .map(|f| (f.key.to_string(), f.label.to_string()))
        .collect();
    let set_kind = move |ev| {
        let new = match event_target_value(&ev).as_str() {
            "in_group" => Criteria::InGroup {
                group_id: first_group,
            },
            "not_in_group" => Criteria::NotInGroup {
                group_id: first_group,
            },
            "field" => Criteria::Field {
                field: "email".into(),
                op: FieldOp::Contains,
                value: Some("".into()),
            },
            "consent" => Criteria::Consent {
                consent_type: ConsentType::Any,
                valid: true,
            },
            _ => return,
        };
        criteria.set(new);
    };
    let group_id = Signal::derive(move || match criteria.get() {
        Criteria::InGroup { group_id } | Criteria::NotInGroup { group_id } => Some(group_id),
        _ => None,
    });
    let pick_group = Callback::new(move |id: Option<i64>| {
        criteria.update(|c| {
            if let Criteria::InGroup { group_id } | Criteria::NotInGroup { group_id } = c {
                *group_id = id.unwrap_or(0);
            }
        })
    });
    view! {
        <label class="field">
            <span>"Condition"</span>
            <select prop:value=move || kind.get() on:change=set_kind>
                <option value="in_group">"Is in a group"</option>
                <option value="not_in_group">"Is not in a group"</option>
                <option value="field">"A field…"</option>
                <option value="consent">"Consent"</option>
                {move || (kind.get() == "combined").then(|| view! { <option value="combined">"A nested group of conditions (set through the API)"</option> })}
            </select>
        </label>
        {move || match kind.get() {
            "in_group" | "not_in_group" => view! {
                <IdSelect label="Group" options=groups.clone() value=group_id on_pick=pick_group />
            }.into_any(),
            "field" => view! { <FieldCondition criteria fields=fields.clone() /> }.into_any(),
            "consent" => view! {
                <label class="check">
                    <input type="checkbox"
                        prop:checked=move || matches!(criteria.get(), Criteria::Consent { valid: true, .. })
                        on:change=move |ev| { let on = event_target_checked(&ev); criteria.update(|c| if let Criteria::Consent { valid, .. } = c { *valid = on }) } />
                    " Consent is given and not expired"
                </label>
            }.into_any(),
            _ => ().into_any(),
        }}
    }
}

#[component]
fn FieldCondition(criteria: RwSignal<Criteria>, fields: Vec<(String, String)>) -> impl IntoView {
    let get = move || match criteria.get() {
        Criteria::Field { field, op, value } => (field, op, value),
        _ => (String::new(), FieldOp::Eq, None),
    };
    let set = move |change: &dyn Fn(&mut String, &mut FieldOp, &mut Option<serde_json::Value>)| {
        criteria.update(|c| {
            if let Criteria::Field { field, op, value } = c {
                change(field, op, value);
            }
        })
    };
    view! {
        <label class="field">
            <span>"Field"</span>
            <select prop:value=move || get().0 on:change=move |ev| { let v = event_target_value(&ev); set(&|f, _, _| *f = v.clone()) }>
                {fields.into_iter().map(|(k, l)| view! { <option value=k.clone()>{l}</option> }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span>"Comparison"</span>
            <select prop:value=move || format!("{:?}", get().1)
                on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    if let Some(op) = OPS.into_iter().find(|o| format!("{o:?}") == picked) {
                        set(&|_, o, v| { *o = op; if !op.needs_value() { *v = None } else if v.is_none() { *v = Some("".into()) } });
                    }
                }>
                {OPS.into_iter().map(|o| view! { <option value=format!("{o:?}")>{o.label()}</option> }).collect_view()}
            </select>
        </label>
        <Show when=move || get().1.needs_value()>
            <label class="field">
                <span>"Value"</span>
                <input type="text"
                    prop:value=move || match get().2 { Some(serde_json::Value::String(s)) => s, Some(v) => v.to_string(), None => String::new() }
                    on:input=move |ev| {
                        let raw = event_target_value(&ev);
                        let v = raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(serde_json::Value::Number).unwrap_or(serde_json::Value::String(raw));
                        set(&|_, _, value| *value = Some(v.clone()))
                    } />
            </label>
        </Show>
    }
}
