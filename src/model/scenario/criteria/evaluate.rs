//! Whether a contact meets criteria. Pure: the engine passes what it knows about
//! the contact and the current time.

use super::values::{Moment, as_number, as_text, is_blank};
use super::{ConsentType, ContactFacts, Criteria, FieldOp};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::cmp::Ordering;

#[cfg(test)]
mod tests;

impl Criteria {
    /// Whether the contact meets these criteria at `now`.
    ///
    /// A contact without a value for a field meets `is empty` and `is not`, and
    /// nothing else. A condition missing its value (an unfinished draft) holds for
    /// nobody.
    pub fn matches(&self, contact: &ContactFacts, now: DateTime<Utc>) -> bool {
        match self {
            Criteria::All { of } => of.iter().all(|c| c.matches(contact, now)),
            Criteria::Any { of } => of.iter().any(|c| c.matches(contact, now)),
            Criteria::Field { field, op, value } => {
                field_matches(contact.value(field), *op, value.as_ref())
            }
            Criteria::InGroup { group_id } => contact.groups.contains(group_id),
            Criteria::NotInGroup { group_id } => !contact.groups.contains(group_id),
            Criteria::Consent {
                consent_type,
                valid,
            } => has_valid_consent(contact, *consent_type, now) == *valid,
        }
    }
}

fn field_matches(actual: Option<&Value>, op: FieldOp, expected: Option<&Value>) -> bool {
    match op {
        FieldOp::IsEmpty => return is_blank(actual),
        FieldOp::IsNotEmpty => return !is_blank(actual),
        _ => {}
    }
    let Some(expected) = expected.filter(|v| !v.is_null()) else {
        return false;
    };
    if op == FieldOp::Neq {
        return !actual.is_some_and(|a| equals(a, expected));
    }
    let Some(actual) = actual else {
        return false;
    };
    match op {
        FieldOp::Eq => equals(actual, expected),
        FieldOp::Contains => contains(actual, expected),
        FieldOp::Gt => compare_numbers(actual, expected) == Some(Ordering::Greater),
        FieldOp::Lt => compare_numbers(actual, expected) == Some(Ordering::Less),
        FieldOp::Before => compare_moments(actual, expected) == Some(Ordering::Less),
        FieldOp::After => compare_moments(actual, expected) == Some(Ordering::Greater),
        FieldOp::Neq | FieldOp::IsEmpty | FieldOp::IsNotEmpty => unreachable!("handled above"),
    }
}

/// Numbers numerically when either side is a JSON number, dates as dates when both
/// sides read as dates, otherwise text without regard to case. A list equals a
/// value when one of its items does.
fn equals(actual: &Value, expected: &Value) -> bool {
    if let Value::Array(items) = actual {
        return items.iter().any(|item| equals(item, expected));
    }
    if (actual.is_number() || expected.is_number())
        && let Some(order) = compare_numbers(actual, expected)
    {
        return order == Ordering::Equal;
    }
    if let Some(order) = compare_moments(actual, expected) {
        return order == Ordering::Equal;
    }
    match (as_text(actual), as_text(expected)) {
        (Some(a), Some(b)) => a.to_lowercase() == b.to_lowercase(),
        _ => false,
    }
}

fn contains(actual: &Value, expected: &Value) -> bool {
    if let Value::Array(items) = actual {
        return items.iter().any(|item| equals(item, expected));
    }
    match (as_text(actual), as_text(expected)) {
        (Some(a), Some(b)) => a.to_lowercase().contains(&b.to_lowercase()),
        _ => false,
    }
}

fn compare_numbers(actual: &Value, expected: &Value) -> Option<Ordering> {
    as_number(actual)?.partial_cmp(&as_number(expected)?)
}

fn compare_moments(actual: &Value, expected: &Value) -> Option<Ordering> {
    Some(Moment::of(actual)?.compare(Moment::of(expected)?))
}

/// Consent is valid when its type is given and its expiry date (if any) has not
/// come. Consent expires at the start of its expiry day (UTC), the day the
/// "consent expires" trigger fires. An expiry that cannot be read counts as
/// expired: doubtful consent is no consent.
fn has_valid_consent(contact: &ContactFacts, wanted: ConsentType, now: DateTime<Utc>) -> bool {
    let given = contact
        .value("consent_type")
        .and_then(as_text)
        .map(|t| t.to_lowercase());
    let type_matches = matches!(
        (wanted, given.as_deref()),
        (ConsentType::Express, Some("express"))
            | (ConsentType::Implied, Some("implied"))
            | (ConsentType::Any, Some("express" | "implied"))
    );
    let expiry = contact.value("consent_expiry");
    let expired = !is_blank(expiry) && expiry.and_then(Moment::of).is_none_or(|m| m.has_come(now));
    type_matches && !expired
}
