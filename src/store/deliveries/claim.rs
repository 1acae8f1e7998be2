//! The claim statement, per engine, with a cap per target: a dispatcher asks
//! for no more deliveries of one destination than it has room for, so it never
//! claims work only to hand it back.
//!
//! SQLite has one writer at a time, so a plain UPDATE … WHERE id IN (…) is
//! atomic; PostgreSQL skips rows another instance is claiming at the same
//! moment. Either way the due rows are read in due order (at most `limit`),
//! numbered per target, and those within their target's cap are leased.
//!
//! A lease also moves the delivery's due time to the lease's end: a delivery
//! in flight is not due, and is due again (to whoever looks) exactly when its
//! lease runs out. So the due index holds only work that can be claimed, and a
//! claim never reads past the deliveries already in flight. (The lease test
//! stays in the statement as the guard.)

use super::TargetId;
use crate::store::Engine;

const SQLITE: &str =
    "UPDATE deliveries SET lease_until = $1, lease_owner = $2, next_attempt_at = $1
    WHERE id IN (
        SELECT id FROM (
            SELECT id, target_id,
                   ROW_NUMBER() OVER (PARTITION BY target_id ORDER BY next_attempt_at, id) AS nth
            FROM (SELECT id, target_id, next_attempt_at FROM deliveries
                  WHERE state = 'pending' AND next_attempt_at <= $3
                    AND (lease_until IS NULL OR lease_until <= $3) {filter}
                  ORDER BY next_attempt_at LIMIT $4))
        WHERE nth <= {cap})
    RETURNING id, target_id, event_id, attempts, created_at, deadline_at";

const POSTGRES: &str =
    "UPDATE deliveries d SET lease_until = $1, lease_owner = $2, next_attempt_at = $1
    FROM (SELECT id FROM (
              SELECT id, target_id,
                     ROW_NUMBER() OVER (PARTITION BY target_id ORDER BY next_attempt_at, id) AS nth
              FROM (SELECT id, target_id, next_attempt_at FROM deliveries
                    WHERE state = 'pending' AND next_attempt_at <= $3
                      AND (lease_until IS NULL OR lease_until <= $3) {filter}
                    ORDER BY next_attempt_at LIMIT $4
                    FOR UPDATE SKIP LOCKED) candidates) ranked
          WHERE nth <= {cap}) due
    WHERE d.id = due.id
    RETURNING d.id, d.target_id, d.event_id, d.attempts, d.created_at, d.deadline_at";

/// The next time something is claimable: pending, not leased, not left out.
const NEXT_CLAIMABLE: &str = "SELECT next_attempt_at FROM deliveries
    WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= $1) {filter}
    ORDER BY next_attempt_at LIMIT 1";

/// Which targets a claim takes deliveries of, and how many of each.
pub(super) struct Caps<'a> {
    /// Targets with a cap of their own; 0 leaves a target out.
    pub listed: &'a [(TargetId, i64)],
    /// The cap of every other target, or `None` to claim only listed ones.
    pub others: Option<i64>,
}

impl Caps<'_> {
    /// Nothing could be claimed under these caps.
    pub fn claim_nothing(&self) -> bool {
        self.others.is_none_or(|o| o <= 0) && self.listed.iter().all(|&(_, cap)| cap <= 0)
    }

    /// The claim statement. Only integers are spliced in, never text; the cap
    /// of unlisted targets is `$5`.
    pub fn claim_sql(&self, engine: Engine) -> String {
        let template = match engine {
            Engine::Sqlite => SQLITE,
            Engine::Postgres => POSTGRES,
        };
        let whens: String = self
            .listed
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(target, n)| format!(" WHEN {} THEN {n}", target.0))
            .collect();
        let cap = if whens.is_empty() {
            "CAST($5 AS BIGINT)".to_string()
        } else {
            format!("CASE target_id{whens} ELSE CAST($5 AS BIGINT) END")
        };
        template
            .replace("{filter}", &self.filter())
            .replace("{cap}", &cap)
    }

    /// The query for the next due time among the targets these caps allow.
    pub fn next_claimable_sql(&self) -> String {
        NEXT_CLAIMABLE.replace("{filter}", &self.filter())
    }

    /// The bound of `$5`: the cap of unlisted targets (0 when only listed ones are claimed).
    pub fn others_bound(&self) -> i64 {
        self.others.unwrap_or(0).max(0)
    }

    fn filter(&self) -> String {
        let ids = |keep: fn(i64) -> bool| -> Vec<String> {
            self.listed
                .iter()
                .filter(|(_, n)| keep(*n))
                .map(|(t, _)| t.0.to_string())
                .collect()
        };
        match self.others {
            None => format!("AND target_id IN ({})", or_none(ids(|n| n > 0))),
            Some(_) => {
                let out = ids(|n| n <= 0);
                if out.is_empty() {
                    String::new()
                } else {
                    format!("AND target_id NOT IN ({})", out.join(","))
                }
            }
        }
    }
}

/// A list for `IN (…)`; an id no row has when empty.
fn or_none(ids: Vec<String>) -> String {
    if ids.is_empty() {
        "-1".into()
    } else {
        ids.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_out_targets_are_filtered_and_capped_ones_numbered() {
        let listed = [(TargetId(3), 0), (TargetId(4), 10)];
        let wide = Caps {
            listed: &listed,
            others: Some(256),
        };
        let sql = wide.claim_sql(Engine::Sqlite);
        assert!(sql.contains("AND target_id NOT IN (3)"), "{sql}");
        assert!(
            sql.contains("CASE target_id WHEN 4 THEN 10 ELSE CAST($5 AS BIGINT) END"),
            "{sql}"
        );
        assert_eq!(wide.others_bound(), 256);
        assert!(!wide.claim_nothing());

        let narrow = Caps {
            listed: &listed,
            others: None,
        };
        assert!(
            narrow
                .claim_sql(Engine::Postgres)
                .contains("AND target_id IN (4)")
        );
        assert_eq!(narrow.others_bound(), 0);
        assert!(narrow.next_claimable_sql().contains("AND target_id IN (4)"));

        let nothing = Caps {
            listed: &[(TargetId(3), 0)],
            others: None,
        };
        assert!(nothing.claim_nothing());
        let all = Caps {
            listed: &[],
            others: Some(5),
        };
        let sql = all.claim_sql(Engine::Sqlite);
        assert!(
            !sql.contains("target_id IN") && !sql.contains("CASE"),
            "{sql}"
        );
        assert!(sql.contains("WHERE nth <= CAST($5 AS BIGINT)"), "{sql}");
    }
}
