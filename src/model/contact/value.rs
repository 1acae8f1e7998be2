//! One field value, checked against its kind and normalised: text trimmed, dates
//! `YYYY-MM-DD`, instants RFC 3339 in UTC, numbers as JSON numbers.

use crate::model::Email;
use crate::model::fields::{Field, FieldKind};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Number, Value};

/// The longest text value, in characters.
pub const MAX_TEXT_LEN: usize = 500;
/// The longest note, in characters.
pub const MAX_NOTE_LEN: usize = 5000;

/// Statistics that count things: whole numbers, never negative.
const COUNTS: [&str; 4] = [
    "mailings_received",
    "mailings_opened",
    "links_clicked",
    "bounce_count",
];

pub(super) fn email(raw: &Value) -> Result<Email, String> {
    match raw {
        Value::String(s) => Email::parse(s).map_err(|e| e.to_string()),
        Value::Null => Err("email is required and cannot be cleared".into()),
        _ => Err("email must be text, like name@example.org".into()),
    }
}

/// The normalised value, `Value::Null` to clear, or what is wrong in plain words.
pub(super) fn parse(field: &Field<'_>, raw: &Value) -> Result<Value, String> {
    if raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(Value::Null);
    }
    match field.kind {
        FieldKind::Text => text(field.key, raw),
        FieldKind::Email => email(raw).map(|e| Value::String(e.as_str().to_string())),
        FieldKind::Number if COUNTS.contains(&field.key) => count(raw),
        FieldKind::Number => number(raw),
        FieldKind::Date => date(raw).map(Value::String),
        FieldKind::DateTime => date_or_instant(raw).map(Value::String),
        FieldKind::Choice => choice(field.choices, raw),
        FieldKind::List => {
            Err("group memberships are not set here; add the contact to a group instead".into())
        }
    }
}

fn text(key: &str, raw: &Value) -> Result<Value, String> {
    let Value::String(s) = raw else {
        return Err("must be text (a JSON string)".into());
    };
    let max = if key == "note" {
        MAX_NOTE_LEN
    } else {
        MAX_TEXT_LEN
    };
    let s = s.trim();
    if s.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(Value::String(s.to_string()))
}

/// A JSON number, or text that reads as one (CSV cells are text).
fn as_f64(raw: &Value) -> Option<f64> {
    match raw {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

fn count(raw: &Value) -> Result<Value, String> {
    const WHOLE: &str = "must be a whole number, 0 or more";
    if let Some(n) = raw.as_u64() {
        return Ok(Value::from(n));
    }
    let n = as_f64(raw).ok_or(WHOLE)?;
    if n < 0.0 || n.fract() != 0.0 || n > i64::MAX as f64 {
        return Err(WHOLE.into());
    }
    Ok(Value::from(n as i64))
}

fn number(raw: &Value) -> Result<Value, String> {
    if let Some(n) = raw.as_i64() {
        return Ok(Value::from(n));
    }
    let n = as_f64(raw).ok_or("must be a number, like 42 or 3.5")?;
    // Whole numbers are stored as integers, so 5 and "5.0" compare equal.
    if n.fract() == 0.0 && n.abs() < i64::MAX as f64 {
        return Ok(Value::from(n as i64));
    }
    Ok(Value::Number(
        Number::from_f64(n).ok_or("must be a finite number")?,
    ))
}

const DATE_HELP: &str = "must be a date written YYYY-MM-DD, like 2024-05-28";

fn date(raw: &Value) -> Result<String, String> {
    let s = raw.as_str().ok_or(DATE_HELP)?.trim();
    parse_day(s)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or_else(|| DATE_HELP.into())
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// A day (`2024-05-28`) stays a day; an instant is kept in UTC to the second.
fn date_or_instant(raw: &Value) -> Result<String, String> {
    const HELP: &str =
        "must be a date (2024-05-28) or a date and time in RFC 3339 (2024-05-28T12:56:40Z)";
    let s = raw.as_str().ok_or(HELP)?.trim();
    if let Some(day) = parse_day(s) {
        return Ok(day.format("%Y-%m-%d").to_string());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| {
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        })
        .map_err(|_| HELP.into())
}

fn choice(choices: &[&str], raw: &Value) -> Result<Value, String> {
    let wanted = raw.as_str().map(|s| s.trim().to_lowercase());
    match wanted {
        Some(s) if choices.contains(&s.as_str()) => Ok(Value::String(s)),
        _ => Err(format!("must be one of: {}", choices.join(", "))),
    }
}
