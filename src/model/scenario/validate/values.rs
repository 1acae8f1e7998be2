//! Whether a value fits a field's kind, for criteria and Update a field steps.

use super::limits::MAX_TEXT_VALUE_LEN;
use crate::model::fields::{Field, FieldKind};
use crate::model::scenario::criteria::values::{Moment, as_number};
use serde_json::Value;

/// How a kind is named in messages ("Shoe size is a number field").
pub(crate) fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Email => "email",
        FieldKind::Number => "number",
        FieldKind::Date => "date",
        FieldKind::DateTime => "date and time",
        FieldKind::Choice => "choice",
        FieldKind::List => "list",
    }
}

/// Whether criteria may compare `field` with `value`. Loose like evaluation:
/// numbers may be written as text, any date field takes a date or a date and time.
pub(crate) fn comparable(field: &Field<'_>, value: &Value) -> Result<(), String> {
    match field.kind {
        FieldKind::Number if as_number(value).is_none() => Err("enter a number".into()),
        FieldKind::Date | FieldKind::DateTime if Moment::of(value).is_none() => {
            Err("enter a date as YYYY-MM-DD (for example 2024-05-28)".into())
        }
        FieldKind::Text | FieldKind::Email if value.is_string() || value.is_number() => {
            short_text(value)
        }
        FieldKind::Text | FieldKind::Email => Err("enter text".into()),
        FieldKind::Choice => one_of(field, value),
        _ => Ok(()),
    }
}

/// Whether an Update a field step may write `value` into `field`: exactly the
/// kind the field stores. `null` empties any field.
pub(crate) fn writable(field: &Field<'_>, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    match field.kind {
        FieldKind::Number if !value.is_number() => Err("enter a number".into()),
        FieldKind::Date if !matches!(Moment::of(value), Some(Moment::Day(_))) => {
            Err("enter a date as YYYY-MM-DD (for example 2024-05-28)".into())
        }
        FieldKind::DateTime if Moment::of(value).is_none() => {
            Err("enter a date and time such as 2024-05-28T12:00:00Z".into())
        }
        FieldKind::Text | FieldKind::Email if value.is_string() => short_text(value),
        FieldKind::Text | FieldKind::Email => Err("enter text".into()),
        FieldKind::Choice => one_of(field, value),
        _ => Ok(()),
    }
}

fn short_text(value: &Value) -> Result<(), String> {
    let len = value.as_str().map_or(0, |s| s.chars().count());
    if len > MAX_TEXT_VALUE_LEN {
        return Err(format!(
            "a value is at most {MAX_TEXT_VALUE_LEN} characters (this one has {len})"
        ));
    }
    Ok(())
}

fn one_of(field: &Field<'_>, value: &Value) -> Result<(), String> {
    let chosen = value.as_str().map(|s| s.trim().to_lowercase());
    if chosen.is_some_and(|c| field.choices.contains(&c.as_str())) {
        Ok(())
    } else {
        Err(format!("choose one of: {}", field.choices.join(", ")))
    }
}
