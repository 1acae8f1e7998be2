//! What a benchmark found, as a report for people or one JSON object, and the
//! measurements shared by both benchmarks (percentiles, peak memory).

use crate::error::CliError;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Human,
    Json,
}

impl Output {
    pub fn from_json_flag(json: bool) -> Output {
        if json { Output::Json } else { Output::Human }
    }
}

/// The figures of `bench dispatch`; its JSON keys are the field names.
#[derive(Debug, Clone, Serialize)]
pub struct DispatchFigures {
    pub deliveries_per_sec: f64,
    pub ceiling_per_sec: f64,
    pub ratio: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub peak_rss_mb: f64,
    pub lost: u64,
    pub duplicates: u64,
}

/// `bench dispatch`: the figures and what they were measured on.
pub struct DispatchReport {
    pub figures: DispatchFigures,
    pub setting: String,
    pub deliveries: u64,
    pub elapsed: Duration,
    pub enqueue_elapsed: Duration,
    pub concurrency: usize,
    /// The store confirmed every delivery accepted before the time limit.
    pub complete: bool,
    /// CPU time of the whole process (dispatcher, store, receiver) per delivery.
    pub cpu_per_delivery: Duration,
    pub ceiling_requests: u64,
    pub ceiling_cpu_per_request: Duration,
}

impl DispatchReport {
    pub fn print(&self, output: Output) {
        let f = &self.figures;
        if output == Output::Json {
            println!("{}", serde_json::to_string(f).expect("numbers serialise"));
            return;
        }
        let micros = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "hookflow bench dispatch: {} signed deliveries of about 1 KB",
            self.deliveries
        );
        println!("  on {}, {} CPUs", self.setting, cpus());
        println!(
            "  dispatcher    {:>9.0} deliveries/s  ({} in {:.2} s, first enqueue to all accepted in the store; enqueue took {:.2} s)",
            f.deliveries_per_sec,
            self.deliveries,
            self.elapsed.as_secs_f64(),
            self.enqueue_elapsed.as_secs_f64()
        );
        println!(
            "  raw ceiling   {:>9.0} requests/s    ({} plain keep-alive POSTs of the same body, {} at once)",
            f.ceiling_per_sec, self.ceiling_requests, self.concurrency
        );
        println!("  ratio         {:>9.3}", f.ratio);
        println!(
            "  latency       p50 {:.1} ms, p99 {:.1} ms (enqueue to receipt)",
            f.p50_ms, f.p99_ms
        );
        println!(
            "  CPU           {:.0} µs per delivery, {:.0} µs per ceiling request (all threads, receiver included)",
            micros(self.cpu_per_delivery),
            micros(self.ceiling_cpu_per_request)
        );
        println!(
            "  peak RSS      {:>9.1} MB (before the ceiling run)",
            f.peak_rss_mb
        );
        println!("  lost          {:>9}", f.lost);
        println!("  duplicates    {:>9}", f.duplicates);
    }

    /// A run that lost or repeated a delivery is a failed run.
    pub fn verdict(&self) -> Result<(), CliError> {
        let f = &self.figures;
        if !self.complete || f.lost > 0 || f.duplicates > 0 {
            return Err(CliError::Input(format!(
                "the run did not deliver every webhook exactly once: {} lost, {} duplicated{}",
                f.lost,
                f.duplicates,
                if self.complete {
                    ""
                } else {
                    ", not all accepted before --timeout-secs"
                }
            )));
        }
        Ok(())
    }
}

/// The figures of `bench backlog`.
#[derive(Debug, Clone, Serialize)]
pub struct BacklogFigures {
    /// Waiting retries written.
    pub deliveries: u64,
    pub inserted_per_sec: f64,
    /// Of those, still pending after the dispatcher ran (all of them, or some were lost).
    pub waiting: u64,
    /// Waiting retries sent before their time (must be 0).
    pub sent_early: u64,
    /// Deliveries due now, sent while the backlog waited.
    pub due: u64,
    pub due_per_sec: f64,
    pub peak_rss_mb: f64,
    /// Resident memory at the end, with the backlog still in the database.
    pub end_rss_mb: f64,
    pub lost: u64,
    pub duplicates: u64,
}

pub struct BacklogReport {
    pub figures: BacklogFigures,
    pub setting: String,
    pub ran_for: Duration,
    pub complete: bool,
}

impl BacklogReport {
    pub fn print(&self, output: Output) {
        let f = &self.figures;
        if output == Output::Json {
            println!("{}", serde_json::to_string(f).expect("numbers serialise"));
            return;
        }
        println!(
            "hookflow bench backlog: {} waiting retries (due in an hour)",
            f.deliveries
        );
        println!("  on {}, {} CPUs", self.setting, cpus());
        println!("  written at    {:>9.0} deliveries/s", f.inserted_per_sec);
        println!(
            "  dispatcher ran {:.1} s over the backlog: {} due deliveries sent at {:.0}/s",
            self.ran_for.as_secs_f64(),
            f.due,
            f.due_per_sec
        );
        println!("  still waiting {:>9}", f.waiting);
        println!("  sent early    {:>9}", f.sent_early);
        println!(
            "  peak RSS      {:>9.1} MB (whole run, writing included)",
            f.peak_rss_mb
        );
        println!("  RSS at end    {:>9.1} MB", f.end_rss_mb);
        println!("  lost          {:>9}", f.lost);
        println!("  duplicates    {:>9}", f.duplicates);
    }

    pub fn verdict(&self) -> Result<(), CliError> {
        let f = &self.figures;
        if !self.complete || f.lost > 0 || f.duplicates > 0 || f.sent_early > 0 {
            return Err(CliError::Input(format!(
                "the backlog run did not keep every delivery: {} lost, {} duplicated, {} sent early{}",
                f.lost,
                f.duplicates,
                f.sent_early,
                if self.complete {
                    ""
                } else {
                    ", not done before --timeout-secs"
                }
            )));
        }
        Ok(())
    }
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank; 0 when empty.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn millis(d: Duration) -> f64 {
    round(d.as_secs_f64() * 1000.0, 1)
}

pub fn per_sec(count: u64, elapsed: Duration) -> f64 {
    round(count as f64 / elapsed.as_secs_f64().max(1e-9), 1)
}

pub fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// The process's peak resident memory so far (`VmHWM`), in MB.
pub fn peak_rss_mb() -> f64 {
    proc_status_mb("VmHWM:")
}

/// The process's resident memory now (`VmRSS`), in MB.
pub fn rss_mb() -> f64 {
    proc_status_mb("VmRSS:")
}

fn proc_status_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    round(kb / 1024.0, 1)
}

/// CPU time this process has used so far, all threads, user and system
/// (`/proc/self/stat`, in clock ticks of 10 ms).
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at state.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime: fields 14 and 15 of the line, 11 and 12 counted from 0 after `)`.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let ms = |n| Duration::from_millis(n);
        let values: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(quantile(&values, 0.5), ms(50));
        assert_eq!(quantile(&values, 0.99), ms(99));
        assert_eq!(quantile(&values, 1.0), ms(100));
        assert_eq!(quantile(&[ms(7)], 0.99), ms(7));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn the_peak_memory_of_this_process_is_read_from_proc() {
        assert!(peak_rss_mb() > 0.0);
        assert!(rss_mb() <= peak_rss_mb());
        let spent = cpu_time();
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1 && cpu_time() > spent, "CPU time grows");
    }
}
