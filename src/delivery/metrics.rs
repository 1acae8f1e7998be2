//! Dispatcher counters for `/metrics` (Prometheus text format). Counts that live
//! in the database (deliveries by state, oldest due) are read at scrape time.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the attempt latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
];

#[derive(Default)]
pub struct Metrics {
    /// Attempts by outcome class: `accepted` or an error class code.
    attempts: Mutex<BTreeMap<&'static str, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    /// Deliveries picked up by claims (read from the database) and from offers
    /// (handed over in memory as they were written).
    claimed: AtomicU64,
    offered: AtomicU64,
}

/// Where the dispatcher found a delivery to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pickup {
    /// A claim read it from the database.
    Claimed,
    /// It was offered as it was written (SQLite).
    Offered,
}

impl Metrics {
    pub fn record_attempt(&self, outcome: &'static str, duration: Duration) {
        *self
            .attempts
            .lock()
            .expect("metrics lock")
            .entry(outcome)
            .or_default() += 1;
        let secs = duration.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(duration.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn picked_up(&self, from: Pickup, n: usize) {
        let counter = match from {
            Pickup::Claimed => &self.claimed,
            Pickup::Offered => &self.offered,
        };
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Deliveries picked up this way so far.
    pub fn pickups(&self, from: Pickup) -> u64 {
        match from {
            Pickup::Claimed => self.claimed.load(Ordering::Relaxed),
            Pickup::Offered => self.offered.load(Ordering::Relaxed),
        }
    }

    pub fn attempts(&self, outcome: &str) -> u64 {
        self.attempts
            .lock()
            .expect("metrics lock")
            .get(outcome)
            .copied()
            .unwrap_or(0)
    }

    /// Appends this process's counters in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        out.push_str("# HELP hookflow_attempts_total Webhook attempts by outcome class.\n");
        out.push_str("# TYPE hookflow_attempts_total counter\n");
        for (outcome, n) in self.attempts.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "hookflow_attempts_total{{outcome=\"{outcome}\"}} {n}");
        }
        out.push_str("# HELP hookflow_attempt_duration_seconds Time of one webhook attempt.\n");
        out.push_str("# TYPE hookflow_attempt_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let n = self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "hookflow_attempt_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "hookflow_attempt_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "hookflow_attempt_duration_seconds_sum {sum}");
        let _ = writeln!(out, "hookflow_attempt_duration_seconds_count {count}");
        out.push_str(
            "# HELP hookflow_dispatch_pickups_total Deliveries the dispatcher picked up, \
             by claim from the database or as offered when written.\n",
        );
        out.push_str("# TYPE hookflow_dispatch_pickups_total counter\n");
        for (source, from) in [("claim", Pickup::Claimed), ("offer", Pickup::Offered)] {
            let n = self.pickups(from);
            let _ = writeln!(
                out,
                "hookflow_dispatch_pickups_total{{source=\"{source}\"}} {n}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_counted_by_class_and_bucketed_by_duration() {
        let m = Metrics::default();
        m.record_attempt("accepted", Duration::from_millis(3));
        m.record_attempt("timed_out", Duration::from_secs(15));
        m.picked_up(Pickup::Offered, 3);
        m.picked_up(Pickup::Claimed, 2);
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains("hookflow_attempts_total{outcome=\"accepted\"} 1"));
        assert!(out.contains("hookflow_attempts_total{outcome=\"timed_out\"} 1"));
        assert!(out.contains("hookflow_attempt_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(out.contains("hookflow_attempt_duration_seconds_bucket{le=\"15\"} 2"));
        assert!(out.contains("hookflow_attempt_duration_seconds_count 2"));
        assert!(out.contains("hookflow_dispatch_pickups_total{source=\"claim\"} 2"));
        assert!(out.contains("hookflow_dispatch_pickups_total{source=\"offer\"} 3"));
    }
}
