//! The claim statement, per engine, with a cap per target: a dispatcher asks
//! for no more deliveries of one destination than it has room for, so it never
//! claims work only to hand it back.
//!
//! Either way the due rows are read in due order (at most `limit`), numbered
//! per target, and those within their target's cap are claimed, each returned
//! with its frozen body, so the sends can start without another round trip.
//!
//! On PostgreSQL the claim writes the lease into the rows, skipping rows
//! another instance is claiming at the same moment. A lease also moves the
//! delivery's due time to the lease's end: a delivery in flight is not due,
//! and is due again (to whoever looks) exactly when its lease runs out. So the
//! due index holds only work that can be claimed, and a claim never reads past
//! the deliveries already in flight. (The lease test stays in the statement as
//! the guard.)
//!
//! On SQLite the leases are held in memory (`leases`), and the claim is a read
//! that leaves out the deliveries leased there. In flight, they stay in the due
//! index; that test reads the index alone, so passing them costs no row reads.
//!
//! The caps are parameters, never spliced into the text: each statement is
//! prepared once per connection, however the caps change from claim to claim.

use super::TargetId;
use crate::store::Engine;

/// `$1` now, `$2` limit, `$3` cap of unlisted targets, `$4` whether unlisted
/// targets are claimed at all, `$5` the capped targets as JSON
/// `[[target, cap], …]`, `$6` the left-out targets as JSON `[target, …]`, `$7`
/// the deliveries leased now as JSON `[id, …]`.
const SQLITE: &str = "SELECT d.id, d.target_id, d.event_id, d.attempts, d.created_at, d.deadline_at,
        (SELECT body FROM delivery_bodies WHERE delivery_id = d.id) AS body
    FROM (SELECT id FROM (
              SELECT id, target_id,
                     ROW_NUMBER() OVER (PARTITION BY target_id ORDER BY next_attempt_at, id) AS nth
              FROM (SELECT id, target_id, next_attempt_at FROM deliveries
                    WHERE state = 'pending' AND next_attempt_at <= $1
                      AND id NOT IN (SELECT value FROM json_each($7))
                      AND (lease_until IS NULL OR lease_until <= $1)
                      AND target_id NOT IN (SELECT value FROM json_each($6))
                      AND ($4 OR target_id IN (SELECT value ->> 0 FROM json_each($5)))
                    ORDER BY next_attempt_at LIMIT $2)) AS ranked
          WHERE nth <= coalesce(
              (SELECT value ->> 1 FROM json_each($5) WHERE value ->> 0 = ranked.target_id), $3)) AS due
    JOIN deliveries d ON d.id = due.id";

/// `$1` lease end, `$2` owner, `$3` now, `$4` limit, `$5` cap of unlisted
/// targets, `$6` whether unlisted targets are claimed at all, `$7` the capped
/// targets and `$8` their caps as arrays, `$9` the left-out targets.
const POSTGRES: &str =
    "UPDATE deliveries d SET lease_until = $1, lease_owner = $2, next_attempt_at = $1
    FROM (SELECT id FROM (
              SELECT id, target_id,
                     ROW_NUMBER() OVER (PARTITION BY target_id ORDER BY next_attempt_at, id) AS nth
              FROM (SELECT id, target_id, next_attempt_at FROM deliveries
                    WHERE state = 'pending' AND next_attempt_at <= $3
                      AND (lease_until IS NULL OR lease_until <= $3)
                      AND target_id <> ALL($9::int8[])
                      AND ($6 OR target_id = ANY($7::int8[]))
                    ORDER BY next_attempt_at LIMIT $4
                    FOR UPDATE SKIP LOCKED) candidates) ranked
          WHERE nth <= coalesce(
              (SELECT c FROM UNNEST($7::int8[], $8::int8[]) AS l(t, c) WHERE l.t = ranked.target_id),
              $5)) due
    WHERE d.id = due.id
    RETURNING d.id, d.target_id, d.event_id, d.attempts, d.created_at, d.deadline_at,
        (SELECT body FROM delivery_bodies WHERE delivery_id = d.id) AS body";

/// The next time something is claimable: pending, not leased, not left out.
/// `$1` now, then the claim's `$4`, `$5`, `$6` and `$7` as `$2` to `$5`.
const SQLITE_NEXT_CLAIMABLE: &str = "SELECT next_attempt_at FROM deliveries
    WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= $1)
      AND id NOT IN (SELECT value FROM json_each($5))
      AND target_id NOT IN (SELECT value FROM json_each($4))
      AND ($2 OR target_id IN (SELECT value ->> 0 FROM json_each($3)))
    ORDER BY next_attempt_at LIMIT 1";
/// `$1` now, then the claim's `$6`, `$7` and `$9` as `$2`, `$3` and `$4`.
const POSTGRES_NEXT_CLAIMABLE: &str = "SELECT next_attempt_at FROM deliveries
    WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= $1)
      AND target_id <> ALL($4::int8[])
      AND ($2 OR target_id = ANY($3::int8[]))
    ORDER BY next_attempt_at LIMIT 1";

/// Which targets a claim takes deliveries of, and how many of each.
pub(super) struct Caps<'a> {
    /// Targets with a cap of their own; 0 leaves a target out.
    pub listed: &'a [(TargetId, i64)],
    /// The cap of every other target, or `None` to claim only listed ones.
    pub others: Option<i64>,
}

/// The caps as the statements' parameters.
pub(super) struct CapParams {
    /// The cap of unlisted targets (0 when only listed ones are claimed).
    pub others_cap: i64,
    /// Whether unlisted targets are claimed at all.
    pub others_allowed: bool,
    /// Listed targets with a cap above 0, and those caps.
    pub capped: Vec<i64>,
    pub caps: Vec<i64>,
    /// Listed targets left out (cap 0 or below).
    pub left_out: Vec<i64>,
}

impl CapParams {
    /// The capped targets as SQLite reads them: `[[target, cap], …]`.
    pub fn capped_json(&self) -> String {
        let pairs: Vec<[i64; 2]> = self
            .capped
            .iter()
            .zip(&self.caps)
            .map(|(&t, &c)| [t, c])
            .collect();
        serde_json::to_string(&pairs).expect("integers serialise")
    }

    /// The left-out targets as SQLite reads them: `[target, …]`.
    pub fn left_out_json(&self) -> String {
        serde_json::to_string(&self.left_out).expect("integers serialise")
    }
}

impl Caps<'_> {
    /// Nothing could be claimed under these caps.
    pub fn claim_nothing(&self) -> bool {
        self.others.is_none_or(|o| o <= 0) && self.listed.iter().all(|&(_, cap)| cap <= 0)
    }

    /// The claim statement (its parameters are described with it).
    pub fn claim_sql(engine: Engine) -> &'static str {
        match engine {
            Engine::Sqlite => SQLITE,
            Engine::Postgres => POSTGRES,
        }
    }

    /// The query for the next due time among the targets the caps allow.
    pub fn next_claimable_sql(engine: Engine) -> &'static str {
        match engine {
            Engine::Sqlite => SQLITE_NEXT_CLAIMABLE,
            Engine::Postgres => POSTGRES_NEXT_CLAIMABLE,
        }
    }

    pub fn params(&self) -> CapParams {
        let mut params = CapParams {
            others_cap: self.others.unwrap_or(0).max(0),
            others_allowed: self.others.is_some(),
            capped: Vec::new(),
            caps: Vec::new(),
            left_out: Vec::new(),
        };
        for &(target, cap) in self.listed {
            if cap > 0 {
                params.capped.push(target.0);
                params.caps.push(cap);
            } else {
                params.left_out.push(target.0);
            }
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_targets_are_split_into_capped_and_left_out() {
        let listed = [(TargetId(3), 0), (TargetId(4), 10), (TargetId(5), -1)];
        let wide = Caps {
            listed: &listed,
            others: Some(256),
        }
        .params();
        assert_eq!((wide.others_cap, wide.others_allowed), (256, true));
        assert_eq!(
            (wide.capped.as_slice(), wide.caps.as_slice()),
            (&[4][..], &[10][..])
        );
        assert_eq!(wide.left_out, [3, 5]);
        assert_eq!(wide.capped_json(), "[[4,10]]");
        assert_eq!(wide.left_out_json(), "[3,5]");

        let narrow = Caps {
            listed: &listed,
            others: None,
        };
        let params = narrow.params();
        assert_eq!((params.others_cap, params.others_allowed), (0, false));
        assert!(!narrow.claim_nothing());

        let nothing = Caps {
            listed: &[(TargetId(3), 0)],
            others: None,
        };
        assert!(nothing.claim_nothing());
        let none_listed = Caps {
            listed: &[],
            others: Some(5),
        }
        .params();
        assert_eq!(none_listed.capped_json(), "[]");
        assert_eq!(none_listed.left_out_json(), "[]");
    }
}
