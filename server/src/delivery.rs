//! Turning the delivery options into the core's sender and dispatcher settings,
//! with one clear error per bad value.

use crate::config::DeliveryArgs;
use crate::error::CliError;
use hookflow::delivery::{DispatcherConfig, QUEUE_PER_SEND_SLOT, RetrySchedule};
use hookflow::webhook::policy::DestinationPolicy;
use hookflow::webhook::sender::SenderConfig;
use std::time::Duration;

pub fn sender_config(args: &DeliveryArgs) -> Result<SenderConfig, CliError> {
    let policy = DestinationPolicy::parse_allow_list(&args.allow_networks)
        .map_err(|e| CliError::Input(format!("HOOKFLOW_ALLOW_NETWORKS: {e}")))?;
    positive("HOOKFLOW_CONNECT_TIMEOUT_SECS", args.connect_timeout_secs)?;
    positive("HOOKFLOW_REQUEST_TIMEOUT_SECS", args.request_timeout_secs)?;
    Ok(SenderConfig {
        connect_timeout: Duration::from_secs(args.connect_timeout_secs),
        total_timeout: Duration::from_secs(args.request_timeout_secs),
        policy,
        ..SenderConfig::default()
    })
}

pub fn dispatcher_config(args: &DeliveryArgs) -> Result<DispatcherConfig, CliError> {
    let schedule = RetrySchedule::parse(&args.retry_schedule, &args.retry_window).map_err(|e| {
        CliError::Input(format!(
            "retry schedule (HOOKFLOW_RETRY_SCHEDULE / HOOKFLOW_RETRY_WINDOW): {e}"
        ))
    })?;
    positive(
        "HOOKFLOW_DISPATCH_CONCURRENCY",
        args.dispatch_concurrency as u64,
    )?;
    positive(
        "HOOKFLOW_DESTINATION_CONCURRENCY",
        args.destination_concurrency as u64,
    )?;
    positive("HOOKFLOW_POLL_INTERVAL_MS", args.poll_interval_ms)?;
    // A claimed delivery may wait behind a destination's full queue, each send
    // taking up to the timeout, before its own send: its lease must outlast
    // that, or another claim could send it a second time.
    let queue_drain = args
        .request_timeout_secs
        .saturating_mul(1 + QUEUE_PER_SEND_SLOT as u64);
    if args.lease_secs <= queue_drain {
        return Err(CliError::Input(format!(
            "HOOKFLOW_LEASE_SECS ({}) must be longer than {queue_drain} s: a claimed delivery may \
             wait for {QUEUE_PER_SEND_SLOT} sends ahead of it and then be sent, each taking up to \
             HOOKFLOW_REQUEST_TIMEOUT_SECS ({})",
            args.lease_secs, args.request_timeout_secs
        )));
    }
    Ok(DispatcherConfig {
        schedule,
        global_concurrency: args.dispatch_concurrency,
        per_destination: args.destination_concurrency,
        queue_per_destination: args.destination_concurrency * QUEUE_PER_SEND_SLOT,
        lease: Duration::from_secs(args.lease_secs),
        poll_interval: Duration::from_millis(args.poll_interval_ms),
        ..DispatcherConfig::default()
    })
}

fn positive(name: &str, value: u64) -> Result<(), CliError> {
    if value == 0 {
        return Err(CliError::Input(format!("{name} must be greater than 0")));
    }
    Ok(())
}
