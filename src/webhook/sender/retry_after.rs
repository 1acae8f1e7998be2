//! The `Retry-After` header of a 429 or 503: a destination asking to be left
//! alone for a while. The retry schedule decides what to do with it.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// Both forms RFC 9110 allows. The date form is kept as a date, not turned into
/// a delay at receipt, so the scheduler can compare it with its own (injected)
/// clock; [`RetryAfter::delay_from`] does that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: 120`
    Seconds(u64),
    /// `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`
    Date(DateTime<Utc>),
}

impl RetryAfter {
    /// `None` for anything else: a malformed header is ignored, not an error,
    /// because the normal schedule is a safe fallback.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if let Ok(secs) = raw.parse::<u64>() {
            return Some(RetryAfter::Seconds(secs));
        }
        // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is RFC 2822 syntax; the
        // obsolete RFC 850 and asctime forms are not accepted.
        DateTime::parse_from_rfc2822(raw)
            .ok()
            .map(|d| RetryAfter::Date(d.with_timezone(&Utc)))
    }

    /// How long to wait from `now`; zero for a date already past.
    pub fn delay_from(&self, now: DateTime<Utc>) -> Duration {
        match *self {
            RetryAfter::Seconds(secs) => Duration::from_secs(secs),
            RetryAfter::Date(at) => (at - now).to_std().unwrap_or(Duration::ZERO),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn seconds_and_http_dates_are_understood() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();
        assert_eq!(RetryAfter::parse(" 120 "), Some(RetryAfter::Seconds(120)));
        assert_eq!(
            RetryAfter::parse("120").unwrap().delay_from(now),
            Duration::from_secs(120)
        );
        let date = RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            date,
            RetryAfter::Date(Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0).unwrap())
        );
        assert_eq!(date.delay_from(now), Duration::from_secs(60));
    }

    #[test]
    fn past_dates_mean_now_and_garbage_is_ignored() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT")
                .unwrap()
                .delay_from(now),
            Duration::ZERO
        );
        for raw in ["", "soon", "-5", "1.5"] {
            assert_eq!(RetryAfter::parse(raw), None, "{raw}");
        }
    }
}
