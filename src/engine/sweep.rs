//! Time-based triggers (a contact's date reached, consent expiring), run by a
//! periodic sweep. Each firing is recorded with its occasion, so a sweep that runs
//! again (or on another instance, or after a restart) never fires twice.
//! Days are the account's days, in its time zone.

use super::enrol::enrol;
use super::runner::Engine;
use super::scenarios::LiveScenario;
use crate::model::scenario::Trigger;
use crate::store::StoreError;
use chrono::{Datelike, Days, NaiveDate};
use serde_json::Value;
use std::collections::BTreeMap;

const PAGE: i64 = 1000;

/// Fires the time-based triggers due today; returns how many contacts entered.
pub async fn sweep(engine: &Engine) -> Result<usize, StoreError> {
    let store = engine.store();
    let now = engine.now();
    let mut entered = 0;
    for row in store.all_active_scenarios().await? {
        let Some(scenario) = LiveScenario::from_row(&row) else {
            continue;
        };
        if !matches!(
            scenario.definition.trigger,
            Trigger::DateReached { .. } | Trigger::ConsentExpiring { .. }
        ) {
            continue;
        }
        let today = now
            .with_timezone(&store.account_time_zone(scenario.account).await?)
            .date_naive();
        let mut after = 0;
        loop {
            let page = store.contact_values(scenario.account, after, PAGE).await?;
            let Some((last, _)) = page.last() else { break };
            after = last.0;
            for (contact, values) in &page {
                let Some(occasion) = occasion(&scenario.definition.trigger, values, today) else {
                    continue;
                };
                let mut tx = store.begin().await?;
                if tx
                    .record_trigger_fire(scenario.id, *contact, &occasion, now)
                    .await?
                    && enrol(&mut tx, &scenario, *contact, now).await?
                {
                    entered += 1;
                }
                tx.commit().await?;
            }
        }
    }
    Ok(entered)
}

fn date_of(value: Option<&Value>) -> Option<NaiveDate> {
    let text = value?.as_str()?;
    let day = text.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

fn shift(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days as u64))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// The date in `year` (29 February falls on the 28th in other years).
fn in_year(date: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
}

/// What the trigger fires for today, if anything: a key naming the occasion. A
/// day missed (the service was down) is caught up the next day.
pub fn occasion(
    trigger: &Trigger,
    values: &BTreeMap<String, Value>,
    today: NaiveDate,
) -> Option<String> {
    let due = |target: NaiveDate| {
        target <= today && shift(today, -1).is_some_and(|yesterday| target >= yesterday)
    };
    match trigger {
        Trigger::DateReached {
            field,
            offset_days,
            yearly,
        } => {
            let date = date_of(values.get(field))?;
            let offset = i64::from(*offset_days);
            let target = if *yearly {
                (today.year() - 1..=today.year() + 1)
                    .filter_map(|y| in_year(date, y).and_then(|d| shift(d, offset)))
                    .find(|t| due(*t))?
            } else {
                shift(date, offset).filter(|t| due(*t))?
            };
            Some(format!("{field}:{target}"))
        }
        Trigger::ConsentExpiring { within_days } => {
            let expiry = date_of(values.get("consent_expiry"))?;
            let start = shift(expiry, -i64::from(*within_days))?;
            let end = if *within_days == 0 {
                shift(expiry, 1)?
            } else {
                expiry
            };
            (start <= today && today <= end).then(|| format!("consent_expiry:{expiry}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn values(key: &str, v: &str) -> BTreeMap<String, Value> {
        BTreeMap::from([(key.to_string(), json!(v))])
    }

    #[test]
    fn a_birthday_fires_every_year_on_the_day_or_n_days_before() {
        let t = Trigger::DateReached {
            field: "birthdate".into(),
            offset_days: 0,
            yearly: true,
        };
        let v = values("birthdate", "1990-03-14");
        assert_eq!(
            occasion(&t, &v, day("2026-03-14")).as_deref(),
            Some("birthdate:2026-03-14")
        );
        assert_eq!(
            occasion(&t, &v, day("2026-03-15")).as_deref(),
            Some("birthdate:2026-03-14"),
            "caught up a day late"
        );
        assert_eq!(occasion(&t, &v, day("2026-03-16")), None);
        assert_eq!(
            occasion(&t, &v, day("2027-03-14")).as_deref(),
            Some("birthdate:2027-03-14")
        );
        let before = Trigger::DateReached {
            field: "birthdate".into(),
            offset_days: -7,
            yearly: true,
        };
        assert_eq!(
            occasion(&before, &v, day("2026-03-07")).as_deref(),
            Some("birthdate:2026-03-07")
        );
        let early_january = values("birthdate", "1990-01-03");
        assert_eq!(
            occasion(&before, &early_january, day("2026-12-27")).as_deref(),
            Some("birthdate:2026-12-27"),
            "across the new year"
        );
    }

    #[test]
    fn a_one_off_date_fires_once_and_leap_days_fall_on_the_28th() {
        let t = Trigger::DateReached {
            field: "renewal".into(),
            offset_days: 2,
            yearly: false,
        };
        let v = values("renewal", "2026-06-01");
        assert_eq!(
            occasion(&t, &v, day("2026-06-03")).as_deref(),
            Some("renewal:2026-06-03")
        );
        assert_eq!(occasion(&t, &v, day("2027-06-03")), None);
        let leap = Trigger::DateReached {
            field: "birthdate".into(),
            offset_days: 0,
            yearly: true,
        };
        assert!(occasion(&leap, &values("birthdate", "2000-02-29"), day("2027-02-28")).is_some());
        assert_eq!(
            occasion(&leap, &values("birthdate", "not a date"), day("2027-02-28")),
            None
        );
        assert_eq!(occasion(&leap, &BTreeMap::new(), day("2027-02-28")), None);
    }

    #[test]
    fn consent_fires_within_n_days_of_expiry_once_per_expiry_date() {
        let soon = Trigger::ConsentExpiring { within_days: 30 };
        let v = values("consent_expiry", "2026-12-31");
        assert_eq!(
            occasion(&soon, &v, day("2026-12-01")).as_deref(),
            Some("consent_expiry:2026-12-31")
        );
        assert_eq!(occasion(&soon, &v, day("2026-11-30")), None);
        assert_eq!(occasion(&soon, &v, day("2027-01-01")), None);
        let at_expiry = Trigger::ConsentExpiring { within_days: 0 };
        assert!(occasion(&at_expiry, &v, day("2026-12-31")).is_some());
        assert!(occasion(&at_expiry, &v, day("2026-12-30")).is_none());
    }
}
