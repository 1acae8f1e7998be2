//! Multi-row writes: a whole batch in a few statements instead of one or two
//! per row, which is what lets a dispatcher record thousands of attempts a
//! second. SQLite takes the rows as bound parameters, `VALUES (?, …), …` in
//! chunks of a fixed size; PostgreSQL reads them from arrays (`UNNEST`). Either
//! way the statement texts are fixed, so each is prepared once.

use super::turns::{Writer, write_turn};
use super::{AttemptRecord, NewDelivery, Offering, Resolution};
use crate::clock::to_millis;
use crate::model::DeliveryId;
use crate::store::StoreError;
use sqlx::{Connection, PgPool, Row, SqlitePool};
use std::collections::{HashMap, HashSet};

/// A contact's pass through a step: the key of `step_passes` (and of deliveries).
type PassKey = (i64, String, i64, i64);

/// A chunk of contacts reaching a step, in one round trip to SQLite: the
/// deliveries of passes not recorded before (a replay after a crash finds its
/// pass there, and adds nothing; of a pass repeated in the chunk, the first
/// counts); the passes; and the new deliveries' bodies, matched by event id.
static SQLITE_RECORD_PASSES: Values = Values::new(&[
    Part {
        head:
            "INSERT INTO deliveries (account_id, scenario_id, step_id, contact_id, pass, target_id,
                 event_id, state, created_at, deadline_at, next_attempt_at)
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7,
                    'pending', v.column8, v.column9, v.column8
             FROM (VALUES ",
        row: "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tail: ") AS v
             WHERE NOT EXISTS (SELECT 1 FROM step_passes AS p
                               WHERE p.scenario_id = v.column2 AND p.step_id = v.column3
                                 AND p.contact_id = v.column4 AND p.pass = v.column5)
             ON CONFLICT (scenario_id, step_id, contact_id, pass) DO NOTHING
             RETURNING id, event_id",
    },
    Part {
        head: "INSERT INTO step_passes (account_id, scenario_id, step_id, contact_id, pass, reached_at) VALUES ",
        row: "(?, ?, ?, ?, ?, ?)",
        tail: " ON CONFLICT DO NOTHING",
    },
    Part {
        head: "INSERT INTO delivery_bodies (delivery_id, body)
             SELECT d.id, v.column2 FROM (VALUES ",
        row: "(?, ?)",
        tail: ") AS v JOIN deliveries AS d ON d.event_id = v.column1 WHERE true ON CONFLICT DO NOTHING",
    },
]);
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

/// Writes the passes and, for those that are new, their deliveries, in the
/// caller's order: `None` for a pass already recorded (or repeated in the batch).
pub(super) async fn record_passes_sqlite(
    pool: &SqlitePool,
    batch: &[NewDelivery<'_>],
) -> Result<Vec<Option<DeliveryId>>, StoreError> {
    // Everything is bound before the write turn is taken.
    // A pass's key, the first columns of both the pass and the delivery.
    let key = |q: SqliteQuery, n: &NewDelivery| {
        q.bind(n.account.0)
            .bind(n.scenario.0)
            .bind(n.step.0.as_str())
            .bind(n.contact.0)
            .bind(n.pass)
    };
    let pass = |q: SqliteQuery, n: &NewDelivery| key(q, n).bind(to_millis(n.now));
    let delivery = |q: SqliteQuery, n: &NewDelivery| {
        key(q, n)
            .bind(n.target.0)
            .bind(n.event_id)
            .bind(to_millis(n.now))
            .bind(to_millis(n.deadline))
    };
    let body = |q: SqliteQuery, n: &NewDelivery| q.bind(n.event_id).bind(n.body);
    let statements = SQLITE_RECORD_PASSES.statements(batch, &[&delivery, &pass, &body]);
    let mut offering = Offering::of(pool);
    let mut turn = write_turn(pool, Writer::Enqueue).await?;
    let mut tx = turn.conn().begin().await?;
    let mut rows = Vec::with_capacity(batch.len());
    for statement in statements {
        rows.extend(statement.fetch_all(&mut *tx).await?);
    }
    let mut by_event = HashMap::with_capacity(rows.len());
    for row in &rows {
        by_event.insert(
            row.try_get::<&str, _>("event_id")?,
            DeliveryId(row.try_get("id")?),
        );
    }
    let ids: Vec<Option<DeliveryId>> = batch
        .iter()
        .map(|n| by_event.get(n.event_id).copied())
        .collect();
    // Offered before the commit: see `leases`.
    offering.offer(
        batch
            .iter()
            .zip(&ids)
            .filter_map(|(n, id)| Some((n, (*id)?))),
    );
    tx.commit().await?;
    drop(turn);
    offering.committed();
    Ok(ids)
}

/// The new deliveries' ids with their bodies.
fn bodies<'a>(batch: &[NewDelivery<'a>], ids: &[Option<DeliveryId>]) -> Vec<(i64, &'a str)> {
    batch
        .iter()
        .zip(ids)
        .filter_map(|(n, id)| id.map(|id| (id.0, n.body)))
        .collect()
}

/// A SQLite statement with its parameters bound.
type SqliteQuery = sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

/// Rows per SQLite multi-row statement. A statement of this many rows is
/// prepared once and kept; the rest of a batch goes in one shorter statement.
const SQLITE_CHUNK: usize = 128;

/// One statement of a [`Values`] script: `head`, `row` once per row, `tail`.
struct Part {
    head: &'static str,
    row: &'static str,
    tail: &'static str,
}

/// SQLite statements that write many rows as `VALUES (?, …), (?, …)`, run
/// one after the other in one round trip to SQLite's thread. Each value is
/// bound as a parameter: nothing to encode first (as JSON) and parse again
/// inside the writer's turn, and the binding is done before the turn.
struct Values {
    parts: &'static [Part],
    chunk: std::sync::OnceLock<String>,
}

/// Binds one row's values for one part.
type BindRow<'f, T> = &'f dyn Fn(SqliteQuery, &T) -> SqliteQuery;

impl Values {
    const fn new(parts: &'static [Part]) -> Values {
        Values {
            parts,
            chunk: std::sync::OnceLock::new(),
        }
    }

    fn text(&self, rows: usize) -> String {
        let mut sql = String::new();
        for part in self.parts {
            sql.push_str(part.head);
            for i in 0..rows {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(part.row);
            }
            sql.push_str(part.tail);
            sql.push_str(";\n");
        }
        sql
    }

    /// The scripts writing `rows`, a chunk each; `bind[k]` binds a row's
    /// values for part `k`.
    fn statements<T>(&'static self, rows: &[T], bind: &[BindRow<'_, T>]) -> Vec<SqliteQuery> {
        debug_assert_eq!(bind.len(), self.parts.len());
        let chunk = SQLITE_CHUNK;
        rows.chunks(chunk)
            .map(|rows| {
                let mut query = if rows.len() == chunk {
                    sqlx::query(self.chunk.get_or_init(|| self.text(chunk)).as_str())
                } else {
                    sqlx::query(sqlx::AssertSqlSafe(self.text(rows.len()))).persistent(false)
                };
                for bind in bind {
                    query = rows.iter().fold(query, bind);
                }
                query
            })
            .collect()
    }
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

/// A chunk of attempts and what they decided, in one round trip to SQLite.
static SQLITE_RECORD_ATTEMPTS: Values = Values::new(&[
    Part {
        head: "INSERT INTO attempts
                 (delivery_id, attempt_no, started_at, duration_ms, status, error_class, excerpt) VALUES ",
        row: "(?, ?, ?, ?, ?, ?, ?)",
        tail: " ON CONFLICT DO NOTHING",
    },
    Part {
        head: "WITH r (id, attempt_no, status, error, state, next, finished) AS (VALUES ",
        row: "(?, ?, ?, ?, ?, ?, ?)",
        tail: ") UPDATE deliveries SET state = r.state, next_attempt_at = r.next,
                 finished_at = r.finished, attempts = max(deliveries.attempts, r.attempt_no),
                 last_status = r.status, last_error = r.error, lease_until = NULL, lease_owner = NULL
             FROM r WHERE deliveries.id = r.id AND deliveries.state = 'pending'",
    },
]);
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
    let attempt = |q: SqliteQuery, a: &AttemptRecord| {
        q.bind(a.delivery.0)
            .bind(a.attempt_no)
            .bind(to_millis(a.started_at))
            .bind(a.duration_ms)
            .bind(a.status.map(i64::from))
            .bind(a.error_class.as_deref())
            .bind(a.excerpt.as_str())
    };
    let resolution = |q: SqliteQuery, a: &AttemptRecord| {
        let (state, next, finished) = resolution_columns(a);
        q.bind(a.delivery.0)
            .bind(a.attempt_no)
            .bind(a.status.map(i64::from))
            .bind(a.error_class.as_deref())
            .bind(state)
            .bind(next)
            .bind(finished)
    };
    // Bound before the write turn: each part in chunks, a chunk's attempts
    // then their resolutions.
    let statements: Vec<SqliteQuery> = parts(batch)
        .into_iter()
        .flat_map(|part| SQLITE_RECORD_ATTEMPTS.statements(part, &[&attempt, &resolution]))
        .collect();
    let mut turn = write_turn(pool, Writer::Dispatcher).await?;
    let mut tx = turn.conn().begin().await?;
    for statement in statements {
        statement.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    drop(turn);
    // Only now: a claim that finds a lease gone must find the row resolved.
    if let Some(leases) = super::leases::existing(pool) {
        leases.end(batch.iter().map(|a| a.delivery.0));
    }
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
