//! The raw ceiling: how many plain keep-alive POSTs of the same body this
//! machine gets through to the same receiver, with the same concurrency and no
//! database, signing or bookkeeping. The dispatcher can only approach it.

use crate::error::CliError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Ceiling {
    pub per_sec: f64,
    pub sent: u64,
}

/// Sends `requests` POSTs (or as many as fit in `limit`) with `concurrency`
/// connections, each request marked `webhook-id: ceiling_<n>`.
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
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url) = (client.clone(), url.clone());
        let (next, failed) = (next.clone(), failed.clone());
        workers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests || started.elapsed() > limit {
                    return;
                }
                let sent = client
                    .post(url.clone())
                    .header("content-type", "application/json")
                    .header("webhook-id", format!("ceiling_{n}"))
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
    let attempted = next.load(Ordering::Relaxed).min(requests);
    let failed = failed.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(CliError::Input(format!(
            "the raw ceiling run failed {failed} of {attempted} requests to the local receiver"
        )));
    }
    Ok(Ceiling {
        per_sec: super::report::per_sec(attempted, elapsed),
        sent: attempted,
    })
}
