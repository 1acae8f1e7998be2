//! Reading contact field values loosely, the way marketers write them: numbers may
//! arrive as JSON numbers or numeric text, dates as `YYYY-MM-DD` or RFC 3339.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::cmp::Ordering;

/// A point in time as a field holds it: a calendar day, or an exact instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

impl Moment {
    pub(crate) fn parse(text: &str) -> Option<Moment> {
        let text = text.trim();
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(Moment::Day(day));
        }
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Moment::Instant(t.with_timezone(&Utc)))
    }

    pub(crate) fn of(value: &Value) -> Option<Moment> {
        value.as_str().and_then(Moment::parse)
    }

    /// A day against an instant compares by the instant's UTC day, so
    /// "after 2024-05-28" does not hold at noon on the 28th.
    pub(crate) fn compare(self, other: Moment) -> Ordering {
        match (self, other) {
            (Moment::Day(a), Moment::Day(b)) => a.cmp(&b),
            (Moment::Instant(a), Moment::Instant(b)) => a.cmp(&b),
            (Moment::Day(a), Moment::Instant(b)) => a.cmp(&b.date_naive()),
            (Moment::Instant(a), Moment::Day(b)) => a.date_naive().cmp(&b),
        }
    }

    /// Whether this moment has come at `now` (a day comes at its first instant, UTC).
    pub(crate) fn has_come(self, now: DateTime<Utc>) -> bool {
        match self {
            Moment::Day(day) => now.date_naive() >= day,
            Moment::Instant(t) => now >= t,
        }
    }
}

/// A JSON number, or text that reads as a finite number.
pub(crate) fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// The text of a scalar value; `None` for arrays and objects.
pub(crate) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// No value, `null`, blank text, or an empty list.
pub(crate) fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(map)) => map.is_empty(),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_are_read_as_days_or_instants() {
        let day = NaiveDate::from_ymd_opt(2024, 5, 28).unwrap();
        assert_eq!(Moment::parse(" 2024-05-28 "), Some(Moment::Day(day)));
        let noon = Moment::parse("2024-05-28T14:00:00+02:00").unwrap();
        assert_eq!(
            noon,
            Moment::Instant("2024-05-28T12:00:00Z".parse().unwrap())
        );
        assert_eq!(Moment::parse("28/05/2024"), None);
        assert_eq!(Moment::parse("2024-02-30"), None);
        assert_eq!(noon.compare(Moment::Day(day)), Ordering::Equal);
    }

    #[test]
    fn numbers_may_be_written_as_text() {
        assert_eq!(as_number(&json!(3)), Some(3.0));
        assert_eq!(as_number(&json!(" 2.5 ")), Some(2.5));
        assert_eq!(as_number(&json!("three")), None);
        assert_eq!(as_number(&json!("NaN")), None);
        assert_eq!(as_number(&json!(true)), None);
    }

    #[test]
    fn blank_means_nothing_to_show() {
        assert!(is_blank(None));
        assert!(is_blank(Some(&json!(null))));
        assert!(is_blank(Some(&json!("  "))));
        assert!(is_blank(Some(&json!([]))));
        assert!(!is_blank(Some(&json!(0))));
        assert!(!is_blank(Some(&json!(false))));
    }
}
