//! What the next claim asks for: for each destination, no more deliveries than
//! it has room for, so claimed work is sent rather than handed back.

use super::limits::Limits;
use crate::store::TargetId;
use std::collections::HashSet;

/// How far a claim looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    /// Every target, including ones this process has not seen: new work was
    /// written, a retry came due, or the poll interval passed.
    Wide,
    /// Only known targets whose destination has room: slots were freed.
    Narrow,
}

/// Beyond this many targets a narrow claim's list grows long: look wide instead.
const NARROW_MAX_TARGETS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClaimPlan {
    /// Targets with a cap of their own; 0 leaves a target out.
    pub listed: Vec<(TargetId, i64)>,
    /// The cap of every other target (a destination with all its room), or
    /// `None` to claim only listed targets.
    pub others: Option<i64>,
}

impl ClaimPlan {
    /// The plan for `targets`, each known target with its destination. A
    /// narrow claim asks only for the targets `backlog` holds (the others have
    /// nothing due in the database that they could take), or for any when
    /// `None`.
    pub fn new<'a>(
        limits: &Limits,
        targets: impl Iterator<Item = (TargetId, &'a str)>,
        reach: Reach,
        backlog: Option<&HashSet<TargetId>>,
    ) -> ClaimPlan {
        let (max, threshold) = (limits.max_claimed(), limits.claim_threshold());
        let (mut capped, mut with_room) = (Vec::new(), Vec::new());
        for (target, destination) in targets {
            let room = limits.room(destination);
            if room < threshold {
                // Too little room to be worth a claim: left out until it frees more.
                capped.push((target, 0));
                continue;
            }
            if room < max {
                capped.push((target, room as i64));
            }
            if backlog.is_none_or(|b| b.contains(&target)) {
                with_room.push((target, room as i64));
            }
        }
        match reach {
            Reach::Narrow if with_room.len() <= NARROW_MAX_TARGETS => ClaimPlan {
                listed: with_room,
                others: None,
            },
            _ => ClaimPlan {
                listed: capped,
                others: Some(max as i64),
            },
        }
    }

    /// Whether some target is left out of a wide claim. Finding due work past
    /// a left-out target's backlog means reading that backlog.
    pub fn leaves_out_any(&self) -> bool {
        self.others.is_some() && self.listed.iter().any(|&(_, cap)| cap == 0)
    }

    /// Whether the claim could take nothing at all (so it is not worth asking).
    pub fn is_empty(&self) -> bool {
        self.others.is_none() && self.listed.iter().all(|&(_, cap)| cap <= 0)
    }

    /// The cap of `target` in this claim.
    pub fn cap(&self, target: TargetId) -> i64 {
        self.listed
            .iter()
            .find(|(t, _)| *t == target)
            .map_or(self.others.unwrap_or(0), |&(_, cap)| cap)
    }

    /// The most this claim can take when `free` slots are free: a narrow claim
    /// takes no more than its targets' caps, so it reads no more due rows.
    pub fn most(&self, free: usize) -> usize {
        match self.others {
            Some(_) => free,
            None => {
                let caps: i64 = self.listed.iter().map(|&(_, cap)| cap.max(0)).sum();
                free.min(caps as usize)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_target_is_capped_at_the_room_of_its_destination() {
        let limits = Limits::new(100, 2, 6); // 8 per destination, claimed again from 2 free
        let _busy: Vec<_> = (0..7)
            .map(|_| limits.try_claim("busy:80").unwrap())
            .collect();
        let _half: Vec<_> = (0..4)
            .map(|_| limits.try_claim("half:80").unwrap())
            .collect();
        let targets = [
            (TargetId(1), "busy:80"),
            (TargetId(2), "half:80"),
            (TargetId(3), "idle:80"),
        ];
        let wide = ClaimPlan::new(&limits, targets.into_iter(), Reach::Wide, None);
        assert_eq!(wide.listed, [(TargetId(1), 0), (TargetId(2), 4)]);
        assert_eq!(wide.others, Some(8));
        assert!(wide.leaves_out_any());

        let narrow = ClaimPlan::new(&limits, targets.into_iter(), Reach::Narrow, None);
        assert_eq!(narrow.listed, [(TargetId(2), 4), (TargetId(3), 8)]);
        assert_eq!(narrow.others, None);
        assert!(!narrow.is_empty());

        assert_eq!(
            (wide.most(100), narrow.most(100), narrow.most(5)),
            (100, 12, 5)
        );

        assert_eq!((wide.cap(TargetId(1)), wide.cap(TargetId(2))), (0, 4));
        assert_eq!((wide.cap(TargetId(3)), narrow.cap(TargetId(1))), (8, 0));

        let only_busy = ClaimPlan::new(&limits, targets[..1].iter().copied(), Reach::Narrow, None);
        assert!(only_busy.is_empty());

        // Narrow, only targets with work left in the database are asked for;
        // a wide claim is not narrowed.
        let backlog: HashSet<TargetId> = [TargetId(1), TargetId(3)].into();
        let narrow = ClaimPlan::new(&limits, targets.into_iter(), Reach::Narrow, Some(&backlog));
        assert_eq!(narrow.listed, [(TargetId(3), 8)]);
        let wide = ClaimPlan::new(&limits, targets.into_iter(), Reach::Wide, Some(&backlog));
        assert_eq!(wide.listed, [(TargetId(1), 0), (TargetId(2), 4)]);
    }
}
