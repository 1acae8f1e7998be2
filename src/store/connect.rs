//! Opening a store from a database URL, and running its migrations.

use super::{Store, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// A parsed `--database-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://path/to/file.db` (relative to the working folder) or `sqlite:///abs/path.db`.
    Sqlite(PathBuf),
    /// `postgres://user@host:port/db` (or `postgresql://`), kept whole for the driver.
    Postgres(String),
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;

    fn from_str(raw: &str) -> Result<Self, StoreError> {
        let raw = raw.trim();
        if let Some(rest) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::Config(format!(
                    "database URL `{raw}` names no file: use sqlite://data/hookflow.db"
                )));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            PgConnectOptions::from_str(raw).map_err(|e| {
                StoreError::Config(format!("database URL is not a valid PostgreSQL URL: {e}"))
            })?;
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        Err(StoreError::Config(format!(
            "database URL `{}` is not supported: use sqlite://PATH or postgres://USER@HOST:PORT/DB",
            redact(raw)
        )))
    }
}

/// Hides a password in a URL before it is shown in an error.
fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

impl Store {
    /// Connects (creating the SQLite file and its folder when missing) and runs
    /// the migrations of that engine.
    pub async fn open(url: &DatabaseUrl, max_connections: u32) -> Result<Store, StoreError> {
        let store = match url {
            DatabaseUrl::Sqlite(path) => open_sqlite(path, max_connections).await?,
            DatabaseUrl::Postgres(raw) => open_postgres(raw, max_connections).await?,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Store::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }
}

async fn open_sqlite(path: &PathBuf, max_connections: u32) -> Result<Store, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!(
                "cannot create the data folder {}: {e}",
                dir.display()
            ))
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL in WAL mode: a commit survives a process crash; only a power cut
        // may lose the last transactions, never corrupt the file.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        // Statement journals (kept by every multi-row write, to undo that one
        // statement) and temporary tables stay in memory instead of spilling
        // to temporary files: 30% fewer file writes in
        // `bench dispatch` (BENCHMARKS.md, eleventh round). Large sorts still
        // spill to files of their own.
        .pragma("temp_store", "memory")
        // Rows a statement may hand over before the task reading them takes
        // them. At the default (50), a claim of a few hundred rows stopped
        // several times, holding the write turn, until the reading task was
        // next run. Only rows actually returned take memory.
        .row_buffer_size(1024);
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        // A connection to a local file does not go stale between uses the way
        // a network connection does: no ping (a round trip) before each use.
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| {
            StoreError::Config(format!(
                "cannot open the database file {}: {e}",
                path.display()
            ))
        })?;
    Ok(Store::Sqlite(pool))
}

async fn open_postgres(raw: &str, max_connections: u32) -> Result<Store, StoreError> {
    let options = PgConnectOptions::from_str(raw)
        .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Connect(format!("{} ({e})", redact(raw))))?;
    Ok(Store::Postgres(pool))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_are_parsed_or_refused_with_a_reason() {
        assert_eq!(
            "sqlite://data/hookflow.db".parse::<DatabaseUrl>().unwrap(),
            DatabaseUrl::Sqlite("data/hookflow.db".into())
        );
        assert_eq!(
            "sqlite:///var/lib/h.db?mode=rwc"
                .parse::<DatabaseUrl>()
                .unwrap(),
            DatabaseUrl::Sqlite("/var/lib/h.db".into())
        );
        assert!(matches!(
            "postgres://postgres@127.0.0.1:5432/test".parse::<DatabaseUrl>(),
            Ok(DatabaseUrl::Postgres(_))
        ));
        let err = "mysql://root:hunter2@db/x"
            .parse::<DatabaseUrl>()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not supported") && !err.contains("hunter2"),
            "{err}"
        );
        assert!("sqlite://".parse::<DatabaseUrl>().is_err());
        assert!("postgres://u@h:notaport/db".parse::<DatabaseUrl>().is_err());
    }
}
