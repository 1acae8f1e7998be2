//! New deliveries offered to the dispatcher in memory (SQLite).
//!
//! Whoever writes a new delivery already holds everything needed to send it:
//! its id, target, event id and body. When the dispatcher of the file runs in
//! this process it keeps a bounded set of such offers, and takes its new work
//! from there instead of reading it back from the database: no claim to run,
//! no body to read, for what was just written (BENCHMARKS.md, ninth round).
//! The database stays the record: an offer is made before its transaction
//! commits, can be taken only once it has, and a delivery that was not
//! offered (the offers were full, or it became due some other way) is found
//! by a claim, as every delivery was before. An offer is not a lease: a
//! process that dies loses its offers and the rows are still due.
//!
//! Offers and leases are kept together (`leases::Leases`) because taking one
//! is granting the other: an offer becomes a lease, once, under the same lock
//! that claims grant theirs.

use super::{ClaimedDelivery, TargetId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// What an offer is charged against the budget beside its body and event id.
const OFFER_OVERHEAD: usize = 128;

#[derive(Default)]
pub(super) struct Offers {
    /// The dispatcher taking offers (its lease owner), while one runs.
    taker: Option<Arc<str>>,
    /// Bytes of offers held at most.
    budget: usize,
    bytes: usize,
    /// By target, in id order: the order they were written and became due.
    by_target: HashMap<TargetId, BTreeMap<i64, Offer>>,
    /// Deliveries became due without being offered since the taker last asked.
    missed: Missed,
}

/// Deliveries that became due without being offered: only a claim finds them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Missed {
    /// The targets of those whose target is known.
    pub targets: HashSet<TargetId>,
    /// Some may be of any target.
    pub any: bool,
}

impl Missed {
    /// Those of `targets`.
    pub fn of(targets: impl IntoIterator<Item = TargetId>) -> Missed {
        Missed {
            targets: targets.into_iter().collect(),
            any: false,
        }
    }

    /// Some, of targets not known.
    pub fn any() -> Missed {
        Missed {
            targets: HashSet::new(),
            any: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.any && self.targets.is_empty()
    }

    fn add(&mut self, other: Missed) {
        self.any |= other.any;
        self.targets.extend(other.targets);
    }
}

struct Offer {
    delivery: ClaimedDelivery,
    /// Unix milliseconds.
    due_at: i64,
    /// Its transaction committed; until then it cannot be taken.
    committed: bool,
}

fn size(d: &ClaimedDelivery) -> usize {
    d.body.len() + d.event_id.len() + OFFER_OVERHEAD
}

impl Offers {
    /// Starts taking offers for `owner`, holding at most `budget` bytes of them.
    /// False when another dispatcher of this process already takes them.
    pub fn open(&mut self, owner: &str, budget: usize) -> bool {
        match &self.taker {
            Some(taker) if &**taker != owner => false,
            _ => {
                self.taker = Some(owner.into());
                self.budget = budget;
                true
            }
        }
    }

    /// Stops taking offers for `owner` and forgets those held: their rows are
    /// due, and found by the next claim of whoever dispatches.
    pub fn close(&mut self, owner: &str) {
        if self.taker.as_deref() == Some(owner) {
            *self = Offers::default();
        }
    }

    /// Whether a dispatcher takes offers now (else offering is not worth a copy).
    pub fn is_open(&self) -> bool {
        self.taker.is_some()
    }

    /// Offers a delivery whose transaction has not committed yet. Returns
    /// whether it is held. One that is not must be noted as missed
    /// ([`Offers::miss`]) once its transaction committed, not before: a claim
    /// made in between would not find it.
    pub fn offer(&mut self, delivery: ClaimedDelivery, due_at: i64) -> bool {
        if self.taker.is_none() {
            return false;
        }
        let size = size(&delivery);
        if self.bytes + size > self.budget {
            return false;
        }
        self.bytes += size;
        self.by_target.entry(delivery.target).or_default().insert(
            delivery.id.0,
            Offer {
                delivery,
                due_at,
                committed: false,
            },
        );
        true
    }

    /// Their transaction committed: these offers can be taken.
    pub fn commit(&mut self, ids: &[(TargetId, i64)]) {
        for (target, id) in ids {
            if let Some(offer) = self.by_target.get_mut(target).and_then(|o| o.get_mut(id)) {
                offer.committed = true;
            }
        }
    }

    /// Removes these offers (their transaction rolled back, or a claim took
    /// them). Returns how many were held.
    pub fn withdraw(&mut self, ids: impl IntoIterator<Item = (TargetId, i64)>) -> usize {
        let mut removed = 0;
        for (target, id) in ids {
            let Some(offers) = self.by_target.get_mut(&target) else {
                continue;
            };
            if let Some(offer) = offers.remove(&id) {
                self.bytes -= size(&offer.delivery);
                removed += 1;
            }
            if offers.is_empty() {
                self.by_target.remove(&target);
            }
        }
        removed
    }

    /// Removes the offer of delivery `id`, whatever its target.
    pub fn withdraw_id(&mut self, id: i64) -> Option<TargetId> {
        let target = self
            .by_target
            .iter()
            .find_map(|(t, offers)| offers.contains_key(&id).then_some(*t))?;
        (self.withdraw([(target, id)]) == 1).then_some(target)
    }

    /// Notes that deliveries became due without being offered.
    pub fn miss(&mut self, missed: Missed) {
        if self.taker.is_some() {
            self.missed.add(missed);
        }
    }

    /// The deliveries that became due without being offered since the last call.
    pub fn take_missed(&mut self) -> Missed {
        std::mem::take(&mut self.missed)
    }

    /// The ids of every offer held, committed or not.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.by_target.values().flat_map(|o| o.keys().copied())
    }

    /// Takes committed offers due at `now`, oldest first: at most `limit`,
    /// and of each target at most `cap(target)`.
    pub fn take(
        &mut self,
        now: i64,
        limit: usize,
        cap: impl Fn(TargetId) -> i64,
    ) -> Vec<ClaimedDelivery> {
        let mut chosen: Vec<(i64, TargetId)> = Vec::new();
        for (&target, offers) in &self.by_target {
            let cap = usize::try_from(cap(target)).unwrap_or(0).min(limit);
            chosen.extend(
                offers
                    .iter()
                    .filter(|(_, o)| o.committed && o.due_at <= now)
                    .take(cap)
                    .map(|(&id, _)| (id, target)),
            );
        }
        chosen.sort_unstable();
        chosen.truncate(limit);
        let mut taken = Vec::with_capacity(chosen.len());
        for (id, target) in chosen {
            let offers = self.by_target.get_mut(&target).expect("chosen from here");
            let offer = offers.remove(&id).expect("chosen from here");
            if offers.is_empty() {
                self.by_target.remove(&target);
            }
            self.bytes -= size(&offer.delivery);
            taken.push(offer.delivery);
        }
        taken
    }

    #[cfg(test)]
    pub fn held(&self) -> (usize, usize) {
        (self.by_target.values().map(BTreeMap::len).sum(), self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DeliveryId;
    use chrono::Utc;

    fn delivery(id: i64, target: i64) -> ClaimedDelivery {
        ClaimedDelivery {
            id: DeliveryId(id),
            target: TargetId(target),
            event_id: format!("evt_{id}"),
            body: "x".repeat(100),
            attempts: 0,
            created_at: Utc::now(),
            deadline_at: Utc::now(),
        }
    }

    fn ids(taken: &[ClaimedDelivery]) -> Vec<i64> {
        taken.iter().map(|d| d.id.0).collect()
    }

    #[test]
    fn offers_are_taken_once_committed_oldest_first_within_caps() {
        let mut offers = Offers::default();
        assert!(!offers.offer(delivery(1, 1), 0), "nobody takes offers yet");
        assert!(offers.open("a", 10_000));
        assert!(!offers.open("b", 10_000), "one taker at a time");
        for (id, target) in [(1, 1), (2, 2), (3, 1), (4, 1), (5, 2)] {
            assert!(offers.offer(delivery(id, target), id));
        }
        assert!(offers.take(9, 10, |_| 10).is_empty(), "not committed yet");
        offers.commit(&[(TargetId(1), 1), (TargetId(2), 2), (TargetId(1), 3)]);
        offers.commit(&[(TargetId(2), 5)]);
        // Target 1 may take one, target 2 any: 4 is not committed.
        let taken = offers.take(9, 10, |t| if t == TargetId(1) { 1 } else { 10 });
        assert_eq!(ids(&taken), [1, 2, 5]);
        let mut left: Vec<i64> = offers.ids().collect();
        left.sort();
        assert_eq!(left, [3, 4]);
        offers.commit(&[(TargetId(1), 4)]);
        assert_eq!(ids(&offers.take(9, 1, |_| 10)), [3], "at most the limit");
        assert_eq!(ids(&offers.take(9, 5, |_| 0)), Vec::<i64>::new(), "no room");
        assert_eq!(
            ids(&offers.take(3, 5, |_| 5)),
            Vec::<i64>::new(),
            "due at 4"
        );
        assert_eq!(ids(&offers.take(4, 5, |_| 5)), [4]);
        assert_eq!(offers.held(), (0, 0));
    }

    #[test]
    fn the_budget_bounds_what_is_held_and_a_miss_is_told_once() {
        let mut offers = Offers::default();
        let one = size(&delivery(1, 1));
        offers.open("a", 2 * one);
        assert!(offers.offer(delivery(1, 1), 0));
        assert!(offers.offer(delivery(2, 1), 0));
        assert!(!offers.offer(delivery(3, 1), 0), "over the budget");
        assert!(
            offers.take_missed().is_empty(),
            "not before its writer says so"
        );
        offers.miss(Missed::of([TargetId(1)]));
        offers.miss(Missed::of([TargetId(2)]));
        assert_eq!(offers.take_missed(), Missed::of([TargetId(1), TargetId(2)]));
        assert!(offers.take_missed().is_empty(), "told once");
        offers.miss(Missed::of([TargetId(1)]));
        offers.miss(Missed::any());
        let missed = offers.take_missed();
        assert!(missed.any && missed.targets.contains(&TargetId(1)));
        // Withdrawn (rolled back, or claimed): room again.
        assert_eq!(offers.withdraw([(TargetId(1), 1), (TargetId(1), 9)]), 1);
        assert_eq!(offers.withdraw_id(2), Some(TargetId(1)));
        assert_eq!(offers.withdraw_id(2), None);
        assert_eq!(offers.held(), (0, 0));
        assert!(offers.offer(delivery(3, 1), 0));
        // Closed, the offers are forgotten, and the next taker starts empty.
        offers.close("b");
        assert!(offers.is_open(), "only its taker closes it");
        offers.close("a");
        assert!(!offers.is_open());
        offers.miss(Missed::any());
        assert!(offers.take_missed().is_empty(), "nobody to tell");
        assert!(offers.open("b", 2 * one));
        assert_eq!(offers.held(), (0, 0));
    }
}
