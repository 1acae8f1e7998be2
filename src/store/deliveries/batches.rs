//! Multi-row writes: a whole batch in a few statements instead of one or two
//! per row, which is what lets a dispatcher record thousands of attempts a
//! second. SQLite reads the rows from one JSON parameter (`json_each`), except
//! the bodies, bound as parameters in fixed-size chunks; PostgreSQL reads them
//! from arrays (`UNNEST`). Either way the statement texts are fixed, so each is
//! prepared once.

use super::turns::{Writer, write_turn};
use super::{AttemptRecord, NewDelivery, Resolution};
use crate::clock::to_millis;
use crate::model::DeliveryId;
use crate::store::StoreError;
use sqlx::{PgPool, Row, SqlitePool};
use std::collections::{HashMap, HashSet};

/// A contact's pass through a step: the key of `step_passes` (and of deliveries).
type PassKey = (i64, String, i64, i64);

const SQLITE_INSERT_PASSES: &str = "INSERT INTO step_passes
        (account_id, scenario_id, step_id, contact_id, pass, reached_at)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5
    FROM json_each($1) WHERE true
    ON CONFLICT DO NOTHING
    RETURNING scenario_id, step_id, contact_id, pass";
const SQLITE_INSERT_DELIVERIES: &str = "INSERT INTO deliveries
        (account_id, scenario_id, step_id, contact_id, pass, target_id, event_id, state,
         created_at, deadline_at, next_attempt_at)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
           'pending', value ->> 7, value ->> 8, value ->> 7
    FROM json_each($1) WHERE true
    RETURNING id, event_id";
const POSTGRES_INSERT_PASSES: &str = "INSERT INTO step_passes
        (account_id, scenario_id, step_id, contact_id, pass, reached_at)
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[])
    ON CONFLICT DO NOTHING
    RETURNING scenario_id, step_id, contact_id, pass";
const POSTGRES_INSERT_DELIVERIES: &str = "INSERT INTO deliveries
        (account_id, scenario_id, step_id, contact_id, pass, target_id, event_id, state,
         created_at, deadline_at, next_attempt_at)
    SELECT a, s, st, c, p, t, e, 'pending', n, d, n
    FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::text[],
                $8::int8[], $9::int8[]) AS v(a, s, st, c, p, t, e, n, d)
    RETURNING id, event_id";
const POSTGRES_INSERT_BODIES: &str = "INSERT INTO delivery_bodies (delivery_id, body)
    SELECT * FROM UNNEST($1::int8[], $2::text[])";
/// Bodies are bound as parameters, not carried in JSON: a kilobyte of JSON
/// escaped into a JSON string, then parsed back, cost more than the rows'
/// other columns together. Statements of this many rows are prepared once.
const SQLITE_BODY_CHUNK: usize = 128;

/// Writes the passes and, for those that are new, their deliveries, in the
/// caller's order: `None` for a pass already recorded (or repeated in the batch).
pub(super) async fn record_passes_sqlite(
    pool: &SqlitePool,
    batch: &[NewDelivery<'_>],
) -> Result<Vec<Option<DeliveryId>>, StoreError> {
    // Built before taking the write turn; only a replay (some passes already
    // recorded) needs the deliveries built again, for the new ones only.
    let passes: Vec<_> = batch
        .iter()
        .map(|n| {
            (
                n.account.0,
                n.scenario.0,
                &n.step.0,
                n.contact.0,
                n.pass,
                to_millis(n.now),
            )
        })
        .collect();
    let passes = json(&passes);
    let all: Vec<usize> = (0..batch.len()).collect();
    let mut deliveries = Some(delivery_rows(batch, &all));
    let turn = write_turn(pool, Writer::Enqueue).await;
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(SQLITE_INSERT_PASSES)
        .bind(passes)
        .fetch_all(&mut *tx)
        .await?;
    let new = new_passes(batch, rows.iter().map(pass_key).collect::<Result<_, _>>()?);
    let rows = if new.is_empty() {
        Vec::new()
    } else {
        let rows = match deliveries.take() {
            Some(all) if new.len() == batch.len() => all,
            _ => delivery_rows(batch, &new),
        };
        sqlx::query(SQLITE_INSERT_DELIVERIES)
            .bind(rows)
            .fetch_all(&mut *tx)
            .await?
    };
    let ids = ids_in_order(batch, &new, &rows)?;
    for chunk in bodies(batch, &ids).chunks(SQLITE_BODY_CHUNK) {
        let full = chunk.len() == SQLITE_BODY_CHUNK;
        let sql = if full {
            SQLITE_INSERT_BODY_CHUNK.clone()
        } else {
            sqlite_insert_bodies(chunk.len())
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(full);
        for &(id, body) in chunk {
            query = query.bind(id).bind(body);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    drop(turn);
    Ok(ids)
}

static SQLITE_INSERT_BODY_CHUNK: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| sqlite_insert_bodies(SQLITE_BODY_CHUNK));

fn sqlite_insert_bodies(rows: usize) -> String {
    let values = vec!["(?, ?)"; rows].join(", ");
    format!("INSERT INTO delivery_bodies (delivery_id, body) VALUES {values}")
}

/// The new deliveries' ids with their bodies.
fn bodies<'a>(batch: &[NewDelivery<'a>], ids: &[Option<DeliveryId>]) -> Vec<(i64, &'a str)> {
    batch
        .iter()
        .zip(ids)
        .filter_map(|(n, id)| id.map(|id| (id.0, n.body)))
        .collect()
}

/// The deliveries of `batch` at positions `which`, as JSON rows.
fn delivery_rows(batch: &[NewDelivery<'_>], which: &[usize]) -> String {
    let rows: Vec<_> = which
        .iter()
        .map(|&i| {
            let n = &batch[i];
            let (now, deadline) = (to_millis(n.now), to_millis(n.deadline));
            (
                n.account.0,
                n.scenario.0,
                &n.step.0,
                n.contact.0,
                n.pass,
                n.target.0,
                n.event_id,
                now,
                deadline,
            )
        })
        .collect();
    json(&rows)
}

pub(super) async fn record_passes_postgres(
    pool: &PgPool,
    batch: &[NewDelivery<'_>],
) -> Result<Vec<Option<DeliveryId>>, StoreError> {
    let mut tx = pool.begin().await?;
    let all: Vec<&NewDelivery> = batch.iter().collect();
    let rows = sqlx::query(POSTGRES_INSERT_PASSES)
        .bind(column(&all, |n| n.account.0))
        .bind(column(&all, |n| n.scenario.0))
        .bind(all.iter().map(|n| n.step.0.as_str()).collect::<Vec<_>>())
        .bind(column(&all, |n| n.contact.0))
        .bind(column(&all, |n| n.pass))
        .bind(column(&all, |n| to_millis(n.now)))
        .fetch_all(&mut *tx)
        .await?;
    let new = new_passes(batch, rows.iter().map(pass_key).collect::<Result<_, _>>()?);
    let rows = if new.is_empty() {
        Vec::new()
    } else {
        let fresh: Vec<&NewDelivery> = new.iter().map(|&i| &batch[i]).collect();
        sqlx::query(POSTGRES_INSERT_DELIVERIES)
            .bind(column(&fresh, |n| n.account.0))
            .bind(column(&fresh, |n| n.scenario.0))
            .bind(fresh.iter().map(|n| n.step.0.as_str()).collect::<Vec<_>>())
            .bind(column(&fresh, |n| n.contact.0))
            .bind(column(&fresh, |n| n.pass))
            .bind(column(&fresh, |n| n.target.0))
            .bind(fresh.iter().map(|n| n.event_id).collect::<Vec<_>>())
            .bind(column(&fresh, |n| to_millis(n.now)))
            .bind(column(&fresh, |n| to_millis(n.deadline)))
            .fetch_all(&mut *tx)
            .await?
    };
    let ids = ids_in_order(batch, &new, &rows)?;
    let (delivery_ids, bodies): (Vec<i64>, Vec<&str>) = bodies(batch, &ids).into_iter().unzip();
    if !delivery_ids.is_empty() {
        sqlx::query(POSTGRES_INSERT_BODIES)
            .bind(delivery_ids)
            .bind(bodies)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// One integer column of a batch, as a PostgreSQL array.
fn column(rows: &[&NewDelivery<'_>], value: fn(&NewDelivery<'_>) -> i64) -> Vec<i64> {
    rows.iter().map(|n| value(n)).collect()
}

fn pass_key<R: Row>(row: &R) -> Result<PassKey, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    Ok((
        row.try_get("scenario_id")?,
        row.try_get("step_id")?,
        row.try_get("contact_id")?,
        row.try_get("pass")?,
    ))
}

/// Positions of the entries whose pass was just inserted: the first entry of
/// each inserted key.
fn new_passes(batch: &[NewDelivery<'_>], mut inserted: HashSet<PassKey>) -> Vec<usize> {
    (0..batch.len())
        .filter(|&i| {
            let n = &batch[i];
            inserted.remove(&(n.scenario.0, n.step.0.clone(), n.contact.0, n.pass))
        })
        .collect()
}

/// The delivery id of each entry of `batch`, matched through its (unique) event id.
fn ids_in_order<R: Row>(
    batch: &[NewDelivery<'_>],
    new: &[usize],
    rows: &[R],
) -> Result<Vec<Option<DeliveryId>>, StoreError>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    let mut by_event = HashMap::with_capacity(rows.len());
    for row in rows {
        by_event.insert(
            row.try_get::<String, _>("event_id")?,
            row.try_get::<i64, _>("id")?,
        );
    }
    let mut ids = vec![None; batch.len()];
    for &i in new {
        ids[i] = by_event.get(batch[i].event_id).copied().map(DeliveryId);
    }
    Ok(ids)
}

const SQLITE_INSERT_ATTEMPTS: &str = "INSERT INTO attempts
        (delivery_id, attempt_no, started_at, duration_ms, status, error_class, excerpt)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
    FROM json_each($1) WHERE true
    ON CONFLICT DO NOTHING";
const SQLITE_RESOLVE: &str = "UPDATE deliveries SET state = r.state, next_attempt_at = r.next,
        finished_at = r.finished, attempts = max(deliveries.attempts, r.attempt_no),
        last_status = r.status, last_error = r.error, lease_until = NULL, lease_owner = NULL
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS attempt_no, value ->> 4 AS status,
                 value ->> 5 AS error, value ->> 7 AS state, value ->> 8 AS next, value ->> 9 AS finished
          FROM json_each($1)) AS r
    WHERE deliveries.id = r.id AND deliveries.state = 'pending'";
const POSTGRES_INSERT_ATTEMPTS: &str = "INSERT INTO attempts
        (delivery_id, attempt_no, started_at, duration_ms, status, error_class, excerpt)
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::text[], $7::text[])
    ON CONFLICT DO NOTHING";
const POSTGRES_RESOLVE: &str = "UPDATE deliveries d SET state = r.state, next_attempt_at = r.next,
        finished_at = r.finished, attempts = GREATEST(d.attempts, r.attempt_no),
        last_status = r.status, last_error = r.error, lease_until = NULL, lease_owner = NULL
    FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::int8[], $7::int8[])
        AS r(id, attempt_no, status, error, state, next, finished)
    WHERE d.id = r.id AND d.state = 'pending'";

/// What an attempt leaves in its delivery's row: state, next due time, finish time.
fn resolution_columns(a: &AttemptRecord) -> (&'static str, Option<i64>, Option<i64>) {
    match a.resolution {
        Resolution::Accepted => ("accepted", None, Some(to_millis(a.finished_at))),
        Resolution::Failed => ("failed", None, Some(to_millis(a.finished_at))),
        Resolution::RetryAt(t) => ("pending", Some(to_millis(t)), None),
    }
}

/// Attempts whose deliveries differ, so one statement can resolve them all;
/// a delivery attempted twice in a batch starts a new part, in order.
pub(super) fn parts(batch: &[AttemptRecord]) -> Vec<&[AttemptRecord]> {
    let mut parts = Vec::new();
    let (mut start, mut seen) = (0, HashSet::new());
    for (i, a) in batch.iter().enumerate() {
        if !seen.insert(a.delivery) {
            parts.push(&batch[start..i]);
            start = i;
            seen.clear();
            seen.insert(a.delivery);
        }
    }
    if start < batch.len() {
        parts.push(&batch[start..]);
    }
    parts
}

pub(super) async fn record_attempts_sqlite(
    pool: &SqlitePool,
    batch: &[AttemptRecord],
) -> Result<(), StoreError> {
    let parts: Vec<String> = parts(batch)
        .into_iter()
        .map(|part| {
            let rows: Vec<_> = part
                .iter()
                .map(|a| {
                    let (state, next, finished) = resolution_columns(a);
                    let started = to_millis(a.started_at);
                    let error = a.error_class.as_deref();
                    (
                        a.delivery.0,
                        a.attempt_no,
                        started,
                        a.duration_ms,
                        a.status,
                        error,
                        &a.excerpt,
                        state,
                        next,
                        finished,
                    )
                })
                .collect();
            json(&rows)
        })
        .collect();
    let turn = write_turn(pool, Writer::Dispatcher).await;
    let mut tx = pool.begin().await?;
    for rows in &parts {
        sqlx::query(SQLITE_INSERT_ATTEMPTS)
            .bind(rows)
            .execute(&mut *tx)
            .await?;
        sqlx::query(SQLITE_RESOLVE)
            .bind(rows)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    drop(turn);
    Ok(())
}

pub(super) async fn record_attempts_postgres(
    pool: &PgPool,
    batch: &[AttemptRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for part in parts(batch) {
        let ids: Vec<i64> = part.iter().map(|a| a.delivery.0).collect();
        let numbers: Vec<i64> = part.iter().map(|a| a.attempt_no).collect();
        let statuses: Vec<Option<i64>> = part.iter().map(|a| a.status.map(i64::from)).collect();
        let errors: Vec<Option<&str>> = part.iter().map(|a| a.error_class.as_deref()).collect();
        sqlx::query(POSTGRES_INSERT_ATTEMPTS)
            .bind(&ids)
            .bind(&numbers)
            .bind(
                part.iter()
                    .map(|a| to_millis(a.started_at))
                    .collect::<Vec<_>>(),
            )
            .bind(part.iter().map(|a| a.duration_ms).collect::<Vec<_>>())
            .bind(&statuses)
            .bind(&errors)
            .bind(part.iter().map(|a| a.excerpt.as_str()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        let resolved: Vec<_> = part.iter().map(resolution_columns).collect();
        sqlx::query(POSTGRES_RESOLVE)
            .bind(&ids)
            .bind(&numbers)
            .bind(&statuses)
            .bind(&errors)
            .bind(resolved.iter().map(|r| r.0).collect::<Vec<_>>())
            .bind(resolved.iter().map(|r| r.1).collect::<Vec<_>>())
            .bind(resolved.iter().map(|r| r.2).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A batch as one JSON array of row tuples, for `json_each`.
fn json(rows: &impl serde::Serialize) -> String {
    serde_json::to_string(rows).expect("numbers and strings serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn attempt(delivery: i64) -> AttemptRecord {
        AttemptRecord {
            delivery: DeliveryId(delivery),
            attempt_no: 1,
            started_at: Utc::now(),
            duration_ms: 1,
            status: Some(200),
            error_class: None,
            excerpt: String::new(),
            resolution: Resolution::Accepted,
            finished_at: Utc::now(),
        }
    }

    #[test]
    fn a_delivery_attempted_twice_in_a_batch_is_resolved_in_a_later_part() {
        let batch: Vec<_> = [1, 2, 3, 2, 4, 1].into_iter().map(attempt).collect();
        let parts: Vec<Vec<i64>> = parts(&batch)
            .iter()
            .map(|p| p.iter().map(|a| a.delivery.0).collect())
            .collect();
        assert_eq!(parts, [vec![1, 2, 3], vec![2, 4, 1]]);
        assert!(super::parts(&[]).is_empty());
    }
}
