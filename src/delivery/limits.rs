//! Concurrency caps, so a destination that hangs until its timeout only ever
//! holds its own slots:
//! - a global cap on deliveries claimed by this process (sending or waiting to);
//! - per destination (`host:port`), a cap on sends in flight and a cap on how
//!   many more may wait for those send slots. A destination at its claim cap is
//!   left out of the next claims, so its work stays in the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Limits {
    global: Arc<Semaphore>,
    per_destination: usize,
    max_claimed_per_destination: usize,
    /// A destination is claimed for again once this much room is free, so
    /// claims come in chunks rather than one per finished send.
    claim_threshold: usize,
    destinations: Mutex<HashMap<String, Arc<Destination>>>,
}

struct Destination {
    sending: Arc<Semaphore>,
    claimed: AtomicUsize,
}

/// A claimed delivery's place: a global slot and a place in its destination's
/// queue. Dropping it frees both.
pub struct ClaimSlot {
    _global: OwnedSemaphorePermit,
    destination: Arc<Destination>,
}

impl Drop for ClaimSlot {
    fn drop(&mut self) {
        self.destination.claimed.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ClaimSlot {
    /// Waits for a send slot of this destination.
    pub async fn send_permit(&self) -> OwnedSemaphorePermit {
        self.destination
            .sending
            .clone()
            .acquire_owned()
            .await
            .expect("never closed")
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
        }
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
                _global: global,
                destination: dest,
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
        assert!(second.destination.sending.available_permits() == 0);
        drop(sending);
        let _next = second.send_permit().await;
    }
}
