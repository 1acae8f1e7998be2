//! When a pending delivery is tried again, as data.
//!
//! A delivery is sent at once; after each failed attempt it waits the next delay of
//! the schedule (the last delay repeats) until the destination accepts it or the
//! window closes (12 hours by default), and then it is Failed. Everything here is
//! pure: the caller passes the clock readings and the random jitter sample, so the
//! dispatcher, the tests and the browser app get the same answer from the same inputs.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use std::fmt;
use std::time::Duration;

/// The longest window, delay or `Retry-After` we accept. A webhook that has waited a
/// week is stale, and the bound keeps every date computation far from overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Each delay is spread by ±20% so that deliveries which failed together (one
/// destination outage) do not all come back in the same second.
pub const DEFAULT_JITTER: f64 = 0.2;

/// How long a pending delivery waits between attempts, and for how long it is tried.
///
/// Fields are public so tests and callers can build tiny schedules; [`RetrySchedule::new`]
/// and the parsers check them, and [`RetrySchedule::next`] never panics whatever they hold.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySchedule {
    /// The wait after attempt `n` is `delays[n - 1]`; the last delay repeats.
    pub delays: Vec<Duration>,
    /// Measured from the delivery's creation; no attempt starts after it ends.
    pub window: Duration,
    /// Fraction (`0 <= jitter < 1`) by which a delay may be shortened or lengthened.
    pub jitter: f64,
}

/// What to do with a delivery whose attempt was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Stay pending; attempt again at this time.
    RetryAt(DateTime<Utc>),
    /// The window is over: the delivery is Failed and never tried again.
    GiveUp,
}

/// A retry setting an operator wrote that cannot be used, worded for that operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`{0}` is not a duration: use a whole number followed by ms, s, m, h or d")]
    NotADuration(String),
    #[error("`{0}` is negative: a duration must be more than zero")]
    Negative(String),
    #[error("`{0}` is zero: a duration must be more than zero")]
    Zero(String),
    #[error("`{0}` is too long: a duration can be at most 7d")]
    TooLong(String),
    #[error("the retry schedule is empty: list at least one delay, like 5s,30s,2m,1h")]
    NoDelays,
    #[error(
        "the retry schedule has an empty item: separate delays with single commas, like 5s,30s,2m"
    )]
    EmptyDelay,
    #[error("the jitter must be a fraction from 0 up to (not including) 1, like 0.2, not {0}")]
    Jitter(String),
}

impl Default for RetrySchedule {
    /// Starts within seconds (a blip), backs off to every 3 hours (an outage), 12 hours in all.
    fn default() -> Self {
        const MIN: u64 = 60;
        const HOUR: u64 = 60 * MIN;
        let secs = [
            5,
            30,
            2 * MIN,
            5 * MIN,
            15 * MIN,
            30 * MIN,
            HOUR,
            2 * HOUR,
            3 * HOUR,
        ];
        RetrySchedule {
            delays: secs.into_iter().map(Duration::from_secs).collect(),
            window: Duration::from_secs(12 * HOUR),
            jitter: DEFAULT_JITTER,
        }
    }
}

impl RetrySchedule {
    /// A schedule whose every delay and window is in `(0, 7d]`, with `0 <= jitter < 1`.
    pub fn new(
        delays: Vec<Duration>,
        window: Duration,
        jitter: f64,
    ) -> Result<Self, ScheduleError> {
        if delays.is_empty() {
            return Err(ScheduleError::NoDelays);
        }
        for &d in delays.iter().chain([&window]) {
            check_range(d, || format_duration(d))?;
        }
        // A jitter of 1 could make a delay zero: a retry with no back-off at all.
        // NaN fails `contains` too.
        if !(0.0..1.0).contains(&jitter) {
            return Err(ScheduleError::Jitter(jitter.to_string()));
        }
        Ok(RetrySchedule {
            delays,
            window,
            jitter,
        })
    }

    /// The operator's `HOOKFLOW_RETRY_SCHEDULE` (`5s,30s,2m`) and `HOOKFLOW_RETRY_WINDOW`
    /// (`12h`), with the default jitter.
    pub fn parse(delays: &str, window: &str) -> Result<Self, ScheduleError> {
        Self::new(
            parse_delays(delays)?,
            parse_duration(window)?,
            DEFAULT_JITTER,
        )
    }

    /// Like [`RetrySchedule::parse`], where an unset variable keeps its default. A set
    /// but blank variable is an error, not a default: it is more likely a mistake.
    pub fn from_config(delays: Option<&str>, window: Option<&str>) -> Result<Self, ScheduleError> {
        let default = Self::default();
        let delays = delays
            .map(parse_delays)
            .transpose()?
            .unwrap_or(default.delays);
        let window = window
            .map(parse_duration)
            .transpose()?
            .unwrap_or(default.window);
        Self::new(delays, window, default.jitter)
    }

    /// The moment a delivery created at `first_attempt_at` is Failed if still not accepted.
    pub fn deadline(&self, first_attempt_at: DateTime<Utc>) -> DateTime<Utc> {
        add(first_attempt_at, self.window)
    }

    /// The wait after `attempts_made` failed attempts, spread by the jitter.
    ///
    /// `jitter_sample` in `[0, 1)` maps linearly onto `[1 - jitter, 1 + jitter)` times
    /// the base delay, so the same sample always gives the same delay. `attempts_made`
    /// is at least 1 after a failed attempt; 0 is read as 1.
    pub fn delay_after(&self, attempts_made: u32, jitter_sample: f64) -> Duration {
        // No delays at all (a hand-built schedule): wait for the one attempt at the deadline.
        let Some(last) = self.delays.len().checked_sub(1) else {
            return self.window;
        };
        let index = (attempts_made.saturating_sub(1) as usize).min(last);
        let base = self.delays[index];
        let jitter = if self.jitter.is_finite() {
            self.jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let sample = if jitter_sample.is_finite() {
            jitter_sample.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let factor = 1.0 + jitter * (2.0 * sample - 1.0);
        // Nanoseconds up to 7 days are exact in an f64; `as u64` saturates rather than panics.
        Duration::from_nanos((base.as_nanos() as f64 * factor).round() as u64)
    }

    /// When to try a delivery again after its attempt number `attempts_made` failed.
    ///
    /// - `first_attempt_at`: when the delivery was created; the window starts there.
    /// - `now`: when the failed attempt ended.
    /// - `retry_after`: the destination's `Retry-After`, already made absolute
    ///   (see [`parse_retry_after`]).
    /// - `jitter_sample`: a random number in `[0, 1)` drawn by the caller.
    ///
    /// `Retry-After` is honoured when it is later than the scheduled time and not after
    /// the deadline. One that asks for a time after the deadline is ignored: the
    /// destination may recover sooner than it thinks, and the marketer was promised
    /// attempts for the whole window, so the schedule carries on. A time past the
    /// deadline becomes one last attempt exactly at the deadline, so the whole window
    /// is used; once an attempt ends at or after the deadline the answer is `GiveUp`.
    pub fn next(
        &self,
        attempts_made: u32,
        first_attempt_at: DateTime<Utc>,
        now: DateTime<Utc>,
        retry_after: Option<DateTime<Utc>>,
        jitter_sample: f64,
    ) -> Next {
        let deadline = self.deadline(first_attempt_at);
        if now >= deadline {
            return Next::GiveUp;
        }
        let scheduled = add(now, self.delay_after(attempts_made, jitter_sample));
        let at = match retry_after {
            Some(asked) if asked > scheduled && asked <= deadline => asked,
            _ => scheduled,
        };
        Next::RetryAt(at.min(deadline))
    }
}

impl fmt::Display for RetrySchedule {
    /// For the startup log: `5s,30s,2m within 12h (±20% jitter)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let window = format_duration(self.window);
        let jitter = (self.jitter * 100.0).round();
        write!(
            f,
            "{} within {window} (±{jitter}% jitter)",
            format_delays(&self.delays)
        )
    }
}

/// One duration as operators write it: a whole number and a unit (`ms`, `s`, `m`,
/// `h`, `d`), like `90s` or `12h`; more than zero and at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, ScheduleError> {
    let text = text.trim();
    let bad = || ScheduleError::NotADuration(text.to_string());
    if let Some(rest) = text.strip_prefix('-') {
        let looks_like_a_duration = rest.starts_with(|c: char| c.is_ascii_digit());
        return Err(if looks_like_a_duration {
            ScheduleError::Negative(text.to_string())
        } else {
            bad()
        });
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    if number.is_empty() {
        return Err(bad());
    }
    let too_long = || ScheduleError::TooLong(text.to_string());
    // The string is all digits, so a parse failure can only be an overflow.
    let count: u64 = number.parse().map_err(|_| too_long())?;
    let millis = count.checked_mul(millis_per_unit).ok_or_else(too_long)?;
    check_range(Duration::from_millis(millis), || text.to_string())
}

/// A comma-separated list of durations, like `5s,30s,2m,1h`. Order is free: a schedule
/// may well go back to short delays.
pub fn parse_delays(text: &str) -> Result<Vec<Duration>, ScheduleError> {
    if text.trim().is_empty() {
        return Err(ScheduleError::NoDelays);
    }
    text.split(',')
        .map(|item| match item.trim() {
            "" => Err(ScheduleError::EmptyDelay),
            item => parse_duration(item),
        })
        .collect()
}

/// The inverse of [`parse_duration`], in the largest unit that is exact (`90s`, `12h`).
/// Sub-millisecond parts, which the syntax cannot express, are rounded away.
pub fn format_duration(d: Duration) -> String {
    let millis = d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 >= 500_000);
    let units = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ];
    match units
        .into_iter()
        .find(|&(size, _)| millis > 0 && millis.is_multiple_of(size))
    {
        Some((size, unit)) => format!("{}{unit}", millis / size),
        None => format!("{millis}ms"),
    }
}

/// The inverse of [`parse_delays`]: `5s,30s,2m`.
pub fn format_delays(delays: &[Duration]) -> String {
    delays
        .iter()
        .map(|&d| format_duration(d))
        .collect::<Vec<_>>()
        .join(",")
}

/// The HTTP-date formats of RFC 9110 §5.6.7: IMF-fixdate, which senders must use,
/// then the two obsolete ones that recipients must still accept.
const HTTP_DATE_FORMATS: [&str; 3] = [
    "%a, %d %b %Y %H:%M:%S GMT",
    "%A, %d-%b-%y %H:%M:%S GMT",
    "%a %b %e %H:%M:%S %Y",
];

/// A `Retry-After` header value, delta-seconds (`120`) or an HTTP-date, as a moment
/// relative to `now` (when the response arrived). Anything else is `None`.
///
/// Times in the past (a date behind us, a negative delta) mean "now". Times more than
/// [`MAX_DURATION`] ahead are clamped to it: they are past any window anyway.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let asked = if all_digits(value) {
        // More digits than a u64 holds is still just "very long".
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        add(now, Duration::from_secs(secs.min(MAX_DURATION.as_secs())))
    } else if value.strip_prefix('-').is_some_and(all_digits) {
        now
    } else {
        let date = HTTP_DATE_FORMATS
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())?;
        date.and_utc()
    };
    Some(asked.clamp(now, add(now, MAX_DURATION)))
}

/// `at + d`, saturating instead of panicking on durations no valid schedule holds.
fn add(at: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    let delta = TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX);
    at.checked_add_signed(delta)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn check_range(d: Duration, text: impl FnOnce() -> String) -> Result<Duration, ScheduleError> {
    if d.is_zero() {
        Err(ScheduleError::Zero(text()))
    } else if d > MAX_DURATION {
        Err(ScheduleError::TooLong(text()))
    } else {
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn created() -> DateTime<Utc> {
        "2024-05-28T12:56:40Z".parse().unwrap()
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// One delivery to a destination that never accepts, on a fake clock: each attempt
    /// takes `takes`, then the schedule decides. Returns when every attempt started and
    /// every decision taken, in order.
    fn fail_forever(
        schedule: &RetrySchedule,
        takes: TimeDelta,
        mut sample: impl FnMut() -> f64,
    ) -> (Vec<DateTime<Utc>>, Vec<Next>) {
        let (mut attempts, mut decisions) = (vec![created()], vec![]);
        while decisions.last() != Some(&Next::GiveUp) {
            assert!(attempts.len() < 10_000, "the schedule never gives up");
            let ended = *attempts.last().unwrap() + takes;
            let next = schedule.next(attempts.len() as u32, created(), ended, None, sample());
            if let Next::RetryAt(at) = next {
                attempts.push(at);
            }
            decisions.push(next);
        }
        (attempts, decisions)
    }

    /// What every delivery that is never accepted must see, whatever the jitter.
    fn assert_used_the_window_then_failed_once(
        schedule: &RetrySchedule,
        takes: TimeDelta,
        attempts: &[DateTime<Utc>],
        decisions: &[Next],
    ) {
        let deadline = schedule.deadline(created());
        assert!(
            attempts.windows(2).all(|w| w[0] < w[1]),
            "attempts go forward in time"
        );
        assert!(
            attempts.iter().all(|&at| at <= deadline),
            "no attempt after the deadline"
        );
        let last = *attempts.last().unwrap();
        assert!(
            last + takes >= deadline,
            "the last attempt ended at or after the deadline"
        );
        assert!(last >= deadline - takes, "the whole window was used");
        assert_eq!(decisions.iter().filter(|&&d| d == Next::GiveUp).count(), 1);
        assert_eq!(decisions.len(), attempts.len(), "one decision per attempt");
        // A second look (say, after a restart) does not revive a failed delivery.
        let later = last + TimeDelta::hours(1);
        assert_eq!(schedule.next(99, created(), later, None, 0.5), Next::GiveUp);
    }

    #[test]
    fn a_destination_that_is_down_for_the_whole_window_gets_its_last_attempt_at_the_deadline_and_fails_exactly_once()
     {
        let schedule = RetrySchedule::default();
        let mut samples = [0.0, 0.99, 0.5, 0.25, 0.75].into_iter().cycle();
        let (attempts, decisions) =
            fail_forever(&schedule, TimeDelta::zero(), || samples.next().unwrap());

        let first_retry = attempts[1] - attempts[0];
        assert!(first_retry >= TimeDelta::seconds(4) && first_retry <= TimeDelta::seconds(6));
        assert_eq!(*attempts.last().unwrap(), created() + TimeDelta::hours(12));
        assert_used_the_window_then_failed_once(
            &schedule,
            TimeDelta::zero(),
            &attempts,
            &decisions,
        );
    }

    #[test]
    fn without_jitter_the_default_schedule_makes_twelve_attempts_in_twelve_hours() {
        let schedule = RetrySchedule {
            jitter: 0.0,
            ..RetrySchedule::default()
        };
        let (attempts, _) = fail_forever(&schedule, TimeDelta::zero(), || 0.5);
        let offsets: Vec<i64> = attempts
            .iter()
            .map(|&at| (at - created()).num_seconds())
            .collect();
        // At once, then after each listed delay, then +3h once more, then the deadline.
        let expected = [
            (0, 0, 0),
            (0, 0, 5),
            (0, 0, 35),
            (0, 2, 35),
            (0, 7, 35),
            (0, 22, 35),
            (0, 52, 35),
            (1, 52, 35),
            (3, 52, 35),
            (6, 52, 35),
            (9, 52, 35),
            (12, 0, 0),
        ];
        let expected: Vec<i64> = expected
            .iter()
            .map(|(h, m, s)| h * 3600 + m * 60 + s)
            .collect();
        assert_eq!(offsets, expected);
    }

    #[test]
    fn a_shrunken_schedule_of_1s_2s_in_a_10s_window_retries_every_2s_then_at_10s() {
        let schedule = RetrySchedule {
            jitter: 0.0,
            ..RetrySchedule::parse("1s,2s", "10s").unwrap()
        };
        let (attempts, decisions) = fail_forever(&schedule, TimeDelta::zero(), || 0.5);
        let offsets: Vec<i64> = attempts
            .iter()
            .map(|&at| (at - created()).num_seconds())
            .collect();
        assert_eq!(offsets, [0, 1, 3, 5, 7, 9, 10]);
        assert_used_the_window_then_failed_once(
            &schedule,
            TimeDelta::zero(),
            &attempts,
            &decisions,
        );
    }

    #[test]
    fn an_attempt_that_ends_after_the_deadline_fails_the_delivery_without_a_last_try() {
        let schedule = RetrySchedule::parse("1s,2s", "10s").unwrap();
        let ended = created() + TimeDelta::seconds(10);
        assert_eq!(schedule.next(6, created(), ended, None, 0.5), Next::GiveUp);
        let just_before = ended - TimeDelta::milliseconds(1);
        assert_eq!(
            schedule.next(6, created(), just_before, None, 0.5),
            Next::RetryAt(ended)
        );
    }

    #[test]
    fn the_same_jitter_sample_gives_the_same_retry_time() {
        let schedule = RetrySchedule::default();
        let at = |sample| schedule.next(3, created(), created(), None, sample);
        assert_eq!(at(0.37), at(0.37));
        assert_ne!(at(0.37), at(0.38));
        assert_eq!(at(0.5), Next::RetryAt(created() + TimeDelta::minutes(2)));
    }

    #[test]
    fn retry_after_inside_the_window_is_honoured_when_later_than_the_schedule() {
        let schedule = RetrySchedule {
            jitter: 0.0,
            ..RetrySchedule::default()
        };
        let now = created() + TimeDelta::seconds(1);
        let asked = now + TimeDelta::minutes(10);
        assert_eq!(
            schedule.next(1, created(), now, Some(asked), 0.5),
            Next::RetryAt(asked)
        );
        // Earlier than the schedule: the schedule's own back-off wins.
        let soon = now + TimeDelta::seconds(1);
        let scheduled = Next::RetryAt(now + TimeDelta::seconds(5));
        assert_eq!(schedule.next(1, created(), now, Some(soon), 0.5), scheduled);
        // Exactly the deadline is still inside the window.
        let deadline = schedule.deadline(created());
        assert_eq!(
            schedule.next(1, created(), now, Some(deadline), 0.5),
            Next::RetryAt(deadline)
        );
    }

    #[test]
    fn retry_after_past_the_deadline_is_ignored_and_the_schedule_carries_on() {
        let schedule = RetrySchedule {
            jitter: 0.0,
            ..RetrySchedule::default()
        };
        let deadline = schedule.deadline(created());
        let tomorrow = Some(deadline + TimeDelta::seconds(1));
        let now = created() + TimeDelta::minutes(1);
        let scheduled = Next::RetryAt(now + TimeDelta::seconds(5));
        assert_eq!(schedule.next(1, created(), now, tomorrow, 0.5), scheduled);
        let near_the_end = deadline - TimeDelta::minutes(1);
        let last_try = Next::RetryAt(deadline);
        assert_eq!(
            schedule.next(9, created(), near_the_end, tomorrow, 0.5),
            last_try
        );
    }

    proptest! {
        #[test]
        fn jitter_spreads_each_delay_by_at_most_the_jitter_fraction(
            sample in 0.0..1.0f64,
            jitter in 0.0..1.0f64,
            attempts_made in 0u32..20,
        ) {
            let schedule = RetrySchedule { jitter, ..RetrySchedule::default() };
            let index = (attempts_made.max(1) as usize - 1).min(schedule.delays.len() - 1);
            let base = schedule.delays[index].as_secs_f64();
            let delay = schedule.delay_after(attempts_made, sample).as_secs_f64();
            let nano = 1e-9;
            prop_assert!(delay >= base * (1.0 - jitter) - nano, "{delay} < {base} - {jitter}");
            prop_assert!(delay <= base * (1.0 + jitter) + nano, "{delay} > {base} + {jitter}");
            prop_assert!(delay > 0.0);
        }

        #[test]
        fn whatever_the_jitter_and_attempt_length_a_failing_delivery_uses_the_window_then_fails_once(
            samples in prop::collection::vec(0.0..1.0f64, 1..50),
            takes_ms in 0i64..120_000,
        ) {
            let schedule = RetrySchedule::default();
            let takes = TimeDelta::milliseconds(takes_ms);
            let mut samples = samples.into_iter().cycle();
            let (attempts, decisions) = fail_forever(&schedule, takes, || samples.next().unwrap());
            assert_used_the_window_then_failed_once(&schedule, takes, &attempts, &decisions);
            // Even at its shortest, the default schedule cannot squeeze in more than this.
            prop_assert!(attempts.len() <= 16, "{} attempts", attempts.len());
        }
    }

    #[test]
    fn operators_write_durations_with_a_unit() {
        let cases = [
            ("1500ms", 1_500),
            ("90s", 90_000),
            ("2m", 120_000),
            ("12h", 43_200_000),
        ];
        for (text, millis) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(millis)),
                "{text}"
            );
        }
        assert_eq!(parse_duration(" 7d "), Ok(MAX_DURATION));
        let delays = parse_delays("5s, 30s,2m,1h,10s").unwrap();
        assert_eq!(delays, [secs(5), secs(30), secs(120), secs(3600), secs(10)]);
    }

    #[test]
    fn a_bad_duration_is_refused_with_a_message_that_names_it() {
        let message = |text| parse_duration(text).unwrap_err().to_string();
        let not_a_duration =
            "`5x` is not a duration: use a whole number followed by ms, s, m, h or d";
        assert_eq!(message("5x"), not_a_duration);
        for text in ["", "s", "5", "1.5h", "5 s", "5S", "five minutes", "-s"] {
            assert!(
                matches!(parse_duration(text), Err(ScheduleError::NotADuration(_))),
                "{text}"
            );
        }
        assert_eq!(
            message("0s"),
            "`0s` is zero: a duration must be more than zero"
        );
        assert_eq!(
            message("-5s"),
            "`-5s` is negative: a duration must be more than zero"
        );
        assert_eq!(
            message("8d"),
            "`8d` is too long: a duration can be at most 7d"
        );
        assert_eq!(
            message("99999999999999999999h"),
            "`99999999999999999999h` is too long: a duration can be at most 7d"
        );
        assert_eq!(
            message("9999999999999999d"),
            "`9999999999999999d` is too long: a duration can be at most 7d"
        );
    }

    #[test]
    fn a_bad_schedule_or_window_is_refused() {
        let error = |delays, window| {
            RetrySchedule::parse(delays, window)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("", "12h"),
            "the retry schedule is empty: list at least one delay, like 5s,30s,2m,1h"
        );
        assert_eq!(
            error("5s,,2m", "12h"),
            ScheduleError::EmptyDelay.to_string()
        );
        assert_eq!(error("5s,", "12h"), ScheduleError::EmptyDelay.to_string());
        assert_eq!(
            error("5s,30x", "12h"),
            ScheduleError::NotADuration("30x".into()).to_string()
        );
        assert_eq!(
            error("5s", "0h"),
            "`0h` is zero: a duration must be more than zero"
        );
        assert_eq!(
            error("5s", "8d"),
            "`8d` is too long: a duration can be at most 7d"
        );
        assert!(RetrySchedule::new(vec![secs(1)], secs(10), 1.0).is_err());
        assert!(RetrySchedule::new(vec![secs(1)], secs(10), f64::NAN).is_err());
        assert!(RetrySchedule::new(vec![], secs(10), 0.2).is_err());
        assert!(RetrySchedule::new(vec![Duration::ZERO], secs(10), 0.2).is_err());
    }

    #[test]
    fn unset_settings_keep_the_default_and_set_ones_replace_it() {
        assert_eq!(
            RetrySchedule::from_config(None, None),
            Ok(RetrySchedule::default())
        );
        let shorter = RetrySchedule::from_config(None, Some("1h")).unwrap();
        assert_eq!(
            (shorter.delays, shorter.window),
            (RetrySchedule::default().delays, secs(3600))
        );
        assert_eq!(
            RetrySchedule::from_config(Some(""), None),
            Err(ScheduleError::NoDelays)
        );
    }

    #[test]
    fn a_schedule_is_shown_back_in_the_syntax_operators_write() {
        let schedule = RetrySchedule::default();
        assert_eq!(
            format_delays(&schedule.delays),
            "5s,30s,2m,5m,15m,30m,1h,2h,3h"
        );
        assert_eq!(
            schedule.to_string(),
            "5s,30s,2m,5m,15m,30m,1h,2h,3h within 12h (±20% jitter)"
        );
        let odd = [
            Duration::from_millis(1_500),
            secs(90),
            secs(86_400),
            secs(5_400),
        ];
        assert_eq!(format_delays(&odd), "1500ms,90s,1d,90m");
        assert_eq!(parse_delays(&format_delays(&odd)).unwrap(), odd);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date() {
        let now = created();
        let parse = |value| parse_retry_after(value, now);
        assert_eq!(parse("120"), Some(now + TimeDelta::seconds(120)));
        assert_eq!(parse(" 0 "), Some(now));
        let imf = "Tue, 28 May 2024 13:00:00 GMT";
        let one_o_clock = "2024-05-28T13:00:00Z".parse().ok();
        assert_eq!(parse(imf), one_o_clock);
        assert_eq!(parse("Tuesday, 28-May-24 13:00:00 GMT"), one_o_clock);
        assert_eq!(parse("Tue May 28 13:00:00 2024"), one_o_clock);
        let before_it: DateTime<Utc> = "1994-11-06T08:00:00Z".parse().unwrap();
        let single_digit_day = parse_retry_after("Sun Nov  6 08:49:37 1994", before_it);
        assert_eq!(
            single_digit_day,
            Some(before_it + TimeDelta::seconds(49 * 60 + 37))
        );
        for garbage in [
            "",
            "soon",
            "1.5",
            "12s",
            "Tue, 28 May 2024 13:00:00",
            "-",
            "0x10",
        ] {
            assert_eq!(parse(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn retry_after_in_the_past_means_now_and_far_in_the_future_is_clamped() {
        let now = created();
        let parse = |value| parse_retry_after(value, now);
        assert_eq!(parse("-30"), Some(now));
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(now));
        let a_week = Some(now + TimeDelta::days(7));
        assert_eq!(parse("99999999999999999999999999"), a_week);
        assert_eq!(parse("Fri, 31 Dec 9999 23:59:59 GMT"), a_week);
    }

    #[test]
    fn a_hand_built_schedule_with_odd_values_never_panics() {
        let empty = RetrySchedule {
            delays: vec![],
            window: secs(10),
            jitter: f64::NAN,
        };
        let deadline = Next::RetryAt(created() + TimeDelta::seconds(10));
        assert_eq!(
            empty.next(1, created(), created(), None, f64::NAN),
            deadline
        );
        let huge = RetrySchedule {
            delays: vec![Duration::MAX],
            window: Duration::MAX,
            jitter: 5.0,
        };
        assert!(matches!(
            huge.next(u32::MAX, created(), created(), None, 0.99),
            Next::RetryAt(_)
        ));
    }
}
