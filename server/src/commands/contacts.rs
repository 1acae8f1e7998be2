//! `hookflow contacts import FILE --account ID`: contacts from a CSV file, created
//! or updated by email in batches through the same store call as the bulk API
//! (so the same checks and the same events). A bad row is counted, reported with
//! its line number, and skipped; a missing file or a bad header stops everything
//! before anything is written.

use crate::error::CliError;
use chrono::Utc;
use hookflow::model::AccountId;
use hookflow::model::contact::{ContactBatch, ContactInput};
use hookflow::model::fields::{Catalogue, FieldKind};
use hookflow::store::{DatabaseUrl, Store, UpsertOutcome};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};
use std::fmt;
use std::fs::File;
use std::path::Path;

/// Rows written per transaction.
pub const BATCH: usize = 500;
/// Problems shown in the summary; the rest are only counted.
const SHOWN_PROBLEMS: usize = 10;

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub invalid: usize,
    /// `line N: field: what is wrong`, the first few.
    pub problems: Vec<String>,
}

impl Summary {
    fn invalid(&mut self, line: u64, problem: impl fmt::Display) {
        self.invalid += 1;
        if self.problems.len() < SHOWN_PROBLEMS {
            self.problems.push(format!("line {line}: {problem}"));
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged, {} invalid",
            self.created, self.updated, self.unchanged, self.invalid
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        let hidden = self.invalid.saturating_sub(self.problems.len());
        if hidden > 0 {
            write!(f, "\n  … and {hidden} more invalid rows")?;
        }
        Ok(())
    }
}

pub async fn import(url: &DatabaseUrl, path: &Path, account: AccountId) -> Result<(), CliError> {
    let input_error = |message: String| CliError::Input(format!("{}: {message}", path.display()));
    let file = File::open(path).map_err(|e| input_error(format!("cannot read the file ({e})")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let header = reader
        .headers()
        .map_err(|e| input_error(format!("cannot read the header row ({e})")))?
        .clone();
    let store = Store::open(url, 2).await?;
    let result = async {
        if !store.account_exists(account).await? {
            return Err(CliError::Input(format!("there is no account {account}")));
        }
        let custom = store.account_custom_fields(account).await?;
        let keys = header_keys(&header, &Catalogue::new(&custom)).map_err(input_error)?;
        import_rows(&store, account, &keys, &mut reader, size).await
    }
    .await;
    store.close().await;
    let summary = result?;
    println!(
        "Imported {} into account {account}: {summary}",
        path.display()
    );
    Ok(())
}

/// The field key of each column: every one a field of the catalogue, once, and
/// `email` among them.
fn header_keys(
    header: &csv::StringRecord,
    catalogue: &Catalogue<'_>,
) -> Result<Vec<String>, String> {
    let mut keys: Vec<String> = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let column = i + 1;
        let key = raw.trim_start_matches('\u{feff}').trim().to_lowercase();
        let Some(field) = catalogue.get(&key) else {
            return Err(if key.is_empty() {
                format!("column {column} of the header row is empty; name a field there")
            } else {
                format!(
                    "column {column} of the header row is `{key}`, which is not a field: create it as a custom field first"
                )
            });
        };
        if field.kind == FieldKind::List {
            return Err(format!(
                "column {column}: `{key}` cannot be imported; add contacts to groups after the import"
            ));
        }
        if keys.contains(&key) {
            return Err(format!("the header row names `{key}` twice"));
        }
        keys.push(key);
    }
    if !keys.iter().any(|k| k == "email") {
        return Err("the header row has no `email` column; every contact needs one".into());
    }
    Ok(keys)
}

async fn import_rows(
    store: &Store,
    account: AccountId,
    keys: &[String],
    reader: &mut csv::Reader<File>,
    size: u64,
) -> Result<Summary, CliError> {
    let progress = progress_bar(size);
    let mut summary = Summary::default();
    let mut rows: Vec<(u64, ContactInput)> = Vec::with_capacity(BATCH);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                match row_input(keys, &record) {
                    Ok(input) => rows.push((line, input)),
                    Err(problem) => summary.invalid(line, problem),
                }
            }
            Err(e) if e.is_io_error() => {
                return Err(CliError::Input(format!("cannot read the file ({e})")));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                summary.invalid(
                    line,
                    "this row is not readable CSV text (is the file UTF-8?)",
                );
            }
        }
        if rows.len() == BATCH {
            write_batch(store, account, std::mem::take(&mut rows), &mut summary).await?;
        }
        progress.set_position(reader.position().byte());
    }
    write_batch(store, account, rows, &mut summary).await?;
    progress.finish_and_clear();
    Ok(summary)
}

/// A row as API input; empty cells are left out, so they change nothing.
fn row_input(keys: &[String], record: &csv::StringRecord) -> Result<ContactInput, String> {
    if record.len() != keys.len() {
        return Err(format!(
            "has {} values but the header row has {}",
            record.len(),
            keys.len()
        ));
    }
    let values: Map<String, Value> = keys
        .iter()
        .zip(record.iter())
        .filter(|(_, cell)| !cell.trim().is_empty())
        .map(|(key, cell)| (key.clone(), Value::String(cell.to_string())))
        .collect();
    Ok(ContactInput(values))
}

async fn write_batch(
    store: &Store,
    account: AccountId,
    rows: Vec<(u64, ContactInput)>,
    summary: &mut Summary,
) -> Result<(), CliError> {
    if rows.is_empty() {
        return Ok(());
    }
    let (lines, inputs): (Vec<u64>, Vec<ContactInput>) = rows.into_iter().unzip();
    let batch = ContactBatch::new(inputs).map_err(|e| CliError::Input(e.to_string()))?;
    let outcomes = store.upsert_contacts(account, &batch, Utc::now()).await?;
    for (line, outcome) in lines.into_iter().zip(outcomes) {
        match outcome {
            UpsertOutcome::Created(_) => summary.created += 1,
            UpsertOutcome::Updated { .. } => summary.updated += 1,
            UpsertOutcome::Unchanged(_) => summary.unchanged += 1,
            UpsertOutcome::Invalid(problems) => {
                let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
                summary.invalid(line, all.join("; "));
            }
        }
    }
    Ok(())
}

/// Progress through the file's bytes, on stderr; hidden when stderr is not a terminal.
fn progress_bar(size: u64) -> ProgressBar {
    let style = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(size).with_style(style)
}
