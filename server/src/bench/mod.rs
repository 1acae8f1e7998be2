//! `hookflow bench …`: benchmarks of the real dispatcher and store, against a
//! receiver this process starts on 127.0.0.1. Nothing leaves the machine.
//!
//! - `dispatch`: N signed deliveries through enqueue → claim → send → record,
//!   next to the raw HTTP ceiling of the same receiver (see BENCHMARKS.md);
//! - `backlog`: N retries waiting in the database while the dispatcher runs,
//!   to show memory does not grow with the backlog.

mod backlog;
mod ceiling;
mod dispatch;
mod engine;
mod report;
mod scratch;
mod workload;

use crate::error::CliError;
use clap::{Args, Subcommand};
use hookflow::store::DatabaseUrl;
use report::Output;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Push deliveries through the real dispatcher and store to a local receiver.
    Dispatch(DispatchArgs),
    /// Hold many waiting retries in the database while the dispatcher runs.
    Backlog(BacklogArgs),
    /// Contacts and events through the REST API, then through a three-step scenario.
    Engine(engine::EngineArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DispatchArgs {
    /// Deliveries to push through (about 1 KB each).
    #[arg(long, default_value_t = 10_000)]
    pub deliveries: u64,
    /// Requests in flight at once to the receiver, for the dispatcher (its
    /// per-destination cap) and for the raw ceiling alike.
    #[arg(long, default_value_t = dispatch::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BacklogArgs {
    /// Waiting retries to hold in the database.
    #[arg(long, default_value_t = 1_000_000)]
    pub deliveries: u64,
    /// Deliveries due now, sent while the backlog waits.
    #[arg(long, default_value_t = 10_000)]
    pub due: u64,
    /// How long the dispatcher runs over the backlog, at least.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Deliveries written per enqueue transaction.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Database connections (as `serve --database-connections`).
    #[arg(long, default_value_t = 16)]
    pub connections: u32,
    /// Give up after this many seconds (the report then shows what was lost).
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
    /// One JSON object instead of a report.
    #[arg(long)]
    pub json: bool,
}

impl CommonArgs {
    fn check(&self) -> Result<(), CliError> {
        if self.batch == 0 || self.connections == 0 || self.timeout_secs == 0 {
            return Err(CliError::Input(
                "--batch, --connections and --timeout-secs must be greater than 0".into(),
            ));
        }
        Ok(())
    }
}

pub async fn run(database_url: Option<DatabaseUrl>, command: BenchCommand) -> Result<(), CliError> {
    match command {
        BenchCommand::Dispatch(args) => {
            args.common.check()?;
            if args.deliveries == 0 || args.concurrency == 0 {
                return Err(CliError::Input(
                    "--deliveries and --concurrency must be greater than 0".into(),
                ));
            }
            let db =
                scratch::ScratchDb::create(database_url.as_ref(), args.common.connections).await?;
            let result = dispatch::run(&db, &args).await;
            db.drop().await;
            let found = result?;
            found.print(Output::from_json_flag(args.common.json));
            found.verdict()
        }
        BenchCommand::Engine(args) => {
            if args.contacts == 0 || args.concurrency == 0 || args.connections == 0 {
                return Err(CliError::Input(
                    "--contacts, --concurrency and --connections must be greater than 0".into(),
                ));
            }
            let db = scratch::ScratchDb::create(database_url.as_ref(), args.connections).await?;
            let result = engine::run(&db, &args).await;
            db.drop().await;
            let found = result?;
            found.print(Output::from_json_flag(args.json));
            found.verdict()
        }
        BenchCommand::Backlog(args) => {
            args.common.check()?;
            if args.deliveries == 0 {
                return Err(CliError::Input(
                    "--deliveries must be greater than 0".into(),
                ));
            }
            let db =
                scratch::ScratchDb::create(database_url.as_ref(), args.common.connections).await?;
            let result = backlog::run(&db, &args).await;
            db.drop().await;
            let found = result?;
            found.print(Output::from_json_flag(args.common.json));
            found.verdict()
        }
    }
}
