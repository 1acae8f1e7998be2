//! `hookflow bench …`: benchmarks of the real dispatcher and store.

use crate::error::CliError;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Push deliveries through the real dispatcher and store to a local receiver.
    Dispatch {
        #[arg(long, default_value_t = 10_000)]
        deliveries: u64,
        /// One JSON object instead of a report.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    _database_url: Option<hookflow::store::DatabaseUrl>,
    _command: BenchCommand,
) -> Result<(), CliError> {
    Err(CliError::Input("the benchmark is not written yet".into()))
}
