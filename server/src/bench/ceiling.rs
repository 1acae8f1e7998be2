//! The raw ceiling: how many plain keep-alive POSTs of the same body this
//! machine gets through to the same receiver, with the same concurrency and no
//! database, signing or bookkeeping. The dispatcher can only approach it.

use crate::error::CliError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The least time the ceiling is measured for: a short burst is noisy.
const MIN_TIME: Duration = Duration::from_secs(3);

pub struct Ceiling {
    pub per_sec: f64,
    pub sent: u64,
    /// CPU time of the whole process (client and receiver) per request.
    pub cpu_per_request: Duration,
}

/// Sends POSTs with `concurrency` connections until at least `requests` were
/// sent and `MIN_TIME` has passed (or `limit` has), each marked
/// `webhook-id: ceiling`.
pub async fn measure(
    url: &str,
    requests: u64,
    concurrency: usize,
    limit: Duration,
) -> Result<Ceiling, CliError> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency)
        .build()
        .map_err(|e| CliError::Input(format!("cannot set up the HTTP client: {e}")))?;
    let url = reqwest::Url::parse(url).map_err(|e| CliError::Input(e.to_string()))?;
    // The same payload as the deliveries; leaked once so every request shares it
    // without a copy (as the dispatcher's requests share their stored body).
    let body: &'static [u8] = Box::leak(
        super::workload::sample_payload()
            .into_bytes()
            .into_boxed_slice(),
    );
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let cpu_before = super::report::cpu_time();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url) = (client.clone(), url.clone());
        let (next, failed) = (next.clone(), failed.clone());
        workers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let elapsed = started.elapsed();
                if (n >= requests && elapsed >= MIN_TIME) || elapsed > limit {
                    return;
                }
                let sent = client
                    .post(url.clone())
                    .header("content-type", "application/json")
                    .header("webhook-id", "ceiling")
                    .body(body)
                    .send()
                    .await;
                // Reading the answer to its end gives the connection back to the pool.
                let ok = match sent {
                    Ok(response) => {
                        response.status().is_success() && response.bytes().await.is_ok()
                    }
                    Err(_) => false,
                };
                if !ok {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let cpu = super::report::cpu_time().saturating_sub(cpu_before);
    // Each worker took one number it did not send.
    let attempted = next
        .load(Ordering::Relaxed)
        .saturating_sub(concurrency as u64);
    let failed = failed.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(CliError::Input(format!(
            "the raw ceiling run failed {failed} of {attempted} requests to the local receiver"
        )));
    }
    Ok(Ceiling {
        per_sec: super::report::per_sec(attempted, elapsed),
        sent: attempted,
        cpu_per_request: cpu / attempted.max(1) as u32,
    })
}
