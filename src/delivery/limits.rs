//! Concurrency caps, so a destination that hangs until its timeout only ever
//! holds its own slots:
//! - a global cap on deliveries claimed by this process (sending or waiting to);
//! - per destination (`host:port`), a cap on sends in flight and a cap on how
//!   many more may wait for those send slots. A destination at its claim cap is
//!   left out of the next claims, so its work stays in the database.
//!
//! A delivery holds its destination's place until its send is over, and its
//! global slot until its attempt is recorded: a destination is claimed for
//! again while the records of its last sends are still being written, and the
//! global cap bounds what is sent but not yet recorded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

pub struct Limits {
    global: Arc<Semaphore>,
    per_destination: usize,
    max_claimed_per_destination: usize,
    /// A destination is claimed for again once this much room is free, so
    /// claims come in chunks rather than one per finished send.
    claim_threshold: usize,
    destinations: Mutex<HashMap<String, Arc<Destination>>>,
    /// Woken when room worth a claim was freed.
    room: Arc<Notify>,
}

struct Destination {
    sending: Arc<Semaphore>,
    claimed: AtomicUsize,
    /// `claimed` at which freeing one more place makes the room worth a claim.
    wake_at: usize,
    room: Arc<Notify>,
}

/// A claimed delivery's place: a global slot and a place in its destination's
/// queue. Dropping it frees both; [`ClaimSlot::sent`] frees the place only.
pub struct ClaimSlot {
    global: OwnedSemaphorePermit,
    place: Place,
}

/// A place in a destination's queue; dropping it frees it.
struct Place(Arc<Destination>);

impl Drop for Place {
    fn drop(&mut self) {
        let before = self.0.claimed.fetch_sub(1, Ordering::AcqRel);
        if before == self.0.wake_at {
            self.0.room.notify_one();
        }
    }
}

/// The global slot of a delivery that was sent and is not yet recorded;
/// dropping it frees the slot.
pub struct RecordSlot {
    _global: OwnedSemaphorePermit,
}

impl ClaimSlot {
    /// Waits for a send slot of this destination.
    pub async fn send_permit(&self) -> OwnedSemaphorePermit {
        self.place
            .0
            .sending
            .clone()
            .acquire_owned()
            .await
            .expect("never closed")
    }

    /// The send is over: its destination's place is free for the next claim,
    /// and the global slot stays taken until the attempt is recorded.
    pub fn sent(self) -> RecordSlot {
        RecordSlot {
            _global: self.global,
        }
    }
}

impl Limits {
    pub fn new(global: usize, per_destination: usize, queue_per_destination: usize) -> Limits {
        let per_destination = per_destination.max(1);
        let max_claimed = per_destination + queue_per_destination;
        Limits {
            global: Arc::new(Semaphore::new(global.max(1))),
            per_destination,
            max_claimed_per_destination: max_claimed,
            // At most the queue, so a destination is claimed for again before
            // its send slots run dry.
            claim_threshold: (max_claimed / 4).min(queue_per_destination).max(1),
            destinations: Mutex::new(HashMap::new()),
            room: Arc::new(Notify::new()),
        }
    }

    /// Resolves once room worth a claim was freed since the last call: a
    /// destination's room grew to the claim threshold, or [`Limits::freed`]
    /// was called.
    pub async fn room_freed(&self) {
        self.room.notified().await;
    }

    /// Global slots were given back (attempts were recorded): wake the claims.
    pub fn freed(&self) {
        self.room.notify_one();
    }

    /// How many deliveries one destination may have claimed.
    pub fn max_claimed(&self) -> usize {
        self.max_claimed_per_destination
    }

    /// The least room worth claiming for.
    pub fn claim_threshold(&self) -> usize {
        self.claim_threshold
    }

    /// How many more deliveries this destination may have claimed.
    pub fn room(&self, destination: &str) -> usize {
        let claimed = self
            .destinations
            .lock()
            .expect("limits lock")
            .get(destination)
            .map_or(0, |d| d.claimed.load(Ordering::Acquire));
        self.max_claimed_per_destination.saturating_sub(claimed)
    }

    /// Free global slots: how many deliveries are worth claiming now.
    pub fn available(&self) -> usize {
        self.global.available_permits()
    }

    /// Whether this destination has as many deliveries claimed as it may.
    #[cfg(test)]
    pub fn is_full(&self, destination: &str) -> bool {
        self.destinations
            .lock()
            .expect("limits lock")
            .get(destination)
            .is_some_and(|d| d.claimed.load(Ordering::Acquire) >= self.max_claimed_per_destination)
    }

    /// A slot for one more claimed delivery, or `None` when this destination
    /// (or the process) is at its cap. Never waits.
    pub fn try_claim(&self, destination: &str) -> Option<ClaimSlot> {
        let dest = {
            let mut map = self.destinations.lock().expect("limits lock");
            if map.len() > 10_000 {
                // Forget idle destinations so the map stays small.
                map.retain(|_, d| d.claimed.load(Ordering::Acquire) > 0);
            }
            map.entry(destination.to_string())
                .or_insert_with(|| {
                    Arc::new(Destination {
                        sending: Arc::new(Semaphore::new(self.per_destination)),
                        claimed: AtomicUsize::new(0),
                        wake_at: self.max_claimed_per_destination - self.claim_threshold + 1,
                        room: self.room.clone(),
                    })
                })
                .clone()
        };
        let reserved = dest.claimed.fetch_add(1, Ordering::AcqRel);
        if reserved >= self.max_claimed_per_destination {
            dest.claimed.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        match self.global.clone().try_acquire_owned() {
            Ok(global) => Some(ClaimSlot {
                global,
                place: Place(dest),
            }),
            Err(_) => {
                dest.claimed.fetch_sub(1, Ordering::AcqRel);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_destination_does_not_take_the_slots_of_others() {
        let limits = Limits::new(5, 1, 1);
        let a1 = limits.try_claim("slow:443").unwrap();
        let _a2 = limits.try_claim("slow:443").unwrap();
        assert!(limits.is_full("slow:443"));
        assert!(limits.try_claim("slow:443").is_none());
        let _b = limits.try_claim("fast:443").unwrap();
        let _c = limits.try_claim("other:443").unwrap();
        let _d = limits.try_claim("fourth:443").unwrap();
        assert!(limits.try_claim("fifth:443").is_none(), "global cap");
        drop(a1);
        assert!(!limits.is_full("slow:443"));
        assert_eq!(limits.room("slow:443"), 1);
        assert_eq!(limits.room("never-seen:443"), 2);
        assert!(limits.try_claim("fifth:443").is_some());
    }

    #[test]
    fn a_destination_is_claimed_for_again_in_chunks_before_its_send_slots_run_dry() {
        let limits = Limits::new(1024, 64, 192);
        assert_eq!((limits.max_claimed(), limits.claim_threshold()), (256, 64));
        assert_eq!(Limits::new(8, 2, 2).claim_threshold(), 1);
        assert_eq!(Limits::new(8, 4, 0).claim_threshold(), 1);
    }

    #[tokio::test]
    async fn sends_to_one_destination_wait_for_its_send_slots() {
        let limits = Limits::new(10, 1, 2);
        let first = limits.try_claim("d:80").unwrap();
        let second = limits.try_claim("d:80").unwrap();
        let sending = first.send_permit().await;
        assert!(second.place.0.sending.available_permits() == 0);
        drop(sending);
        let _next = second.send_permit().await;
    }

    #[test]
    fn a_sent_delivery_frees_its_place_and_keeps_its_global_slot_until_recorded() {
        let limits = Limits::new(3, 1, 1); // 2 per destination, claimed again from 1 free
        let first = limits.try_claim("d:80").unwrap();
        let _second = limits.try_claim("d:80").unwrap();
        assert_eq!((limits.room("d:80"), limits.available()), (0, 1));

        let recording = first.sent();
        assert_eq!((limits.room("d:80"), limits.available()), (1, 1));
        // The room reached the claim threshold: the claims were woken.
        use futures_util::FutureExt;
        assert!(limits.room_freed().now_or_never().is_some());
        assert!(limits.room_freed().now_or_never().is_none());

        let _third = limits.try_claim("d:80").unwrap();
        assert!(limits.try_claim("other:80").is_none(), "global cap");
        drop(recording);
        assert_eq!(limits.available(), 1);
        assert!(limits.try_claim("other:80").is_some());
    }
}
