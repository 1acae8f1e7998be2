//! A database that exists only for one benchmark run: a new SQLite file in a
//! temporary folder, or a new database on the PostgreSQL server the user named
//! (created next to the one in the URL, dropped at the end).

use crate::error::CliError;
use hookflow::store::{DatabaseUrl, Store, StoreError};
use sqlx::Connection;

pub struct ScratchDb {
    pub store: Store,
    /// What the report says the numbers were measured on.
    pub description: String,
    /// The SQLite file's own folder, removed at the end.
    dir: Option<std::path::PathBuf>,
    /// The server's URL and the scratch database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl ScratchDb {
    pub async fn create(
        url: Option<&DatabaseUrl>,
        connections: u32,
    ) -> Result<ScratchDb, CliError> {
        match url {
            None => Self::sqlite(connections).await,
            Some(DatabaseUrl::Sqlite(_)) => Err(CliError::Input(
                "bench writes to a new SQLite file of its own: leave out --database-url, \
                 or give a postgres:// URL"
                    .into(),
            )),
            Some(DatabaseUrl::Postgres(admin)) => Self::postgres(admin, connections).await,
        }
    }

    async fn sqlite(connections: u32) -> Result<ScratchDb, CliError> {
        let dir = std::env::temp_dir().join(format!(
            "hookflow-bench-{}",
            hookflow::auth::random_base62(10)
        ));
        std::fs::create_dir(&dir)?;
        let path = dir.join("bench.db");
        let store = match Store::open(&DatabaseUrl::Sqlite(path.clone()), connections).await {
            Ok(store) => store,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e.into());
            }
        };
        Ok(ScratchDb {
            store,
            description: format!("SQLite file {} (WAL)", path.display()),
            dir: Some(dir),
            postgres: None,
        })
    }

    async fn postgres(admin: &str, connections: u32) -> Result<ScratchDb, CliError> {
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .map_err(|e| StoreError::Connect(format!("the PostgreSQL server ({e})")))?;
        // Only base62 characters: safe to splice into the statement.
        let name = format!(
            "hookflow_bench_{}",
            hookflow::auth::random_base62(10).to_lowercase()
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .map_err(StoreError::from)?;
        let _ = conn.close().await;
        let mut url = reqwest::Url::parse(admin)
            .map_err(|e| CliError::Input(format!("the PostgreSQL URL: {e}")))?;
        url.set_path(&name);
        let opened = Store::open(&DatabaseUrl::Postgres(url.to_string()), connections).await;
        let scratch = ScratchDb {
            store: match opened {
                Ok(store) => store,
                Err(e) => {
                    drop_database(admin, &name).await;
                    return Err(e.into());
                }
            },
            description: format!(
                "PostgreSQL database {name} on {}:{} (dropped afterwards)",
                url.host_str().unwrap_or("?"),
                url.port().unwrap_or(5432)
            ),
            dir: None,
            postgres: Some((admin.to_string(), name)),
        };
        Ok(scratch)
    }

    /// Closes the store and removes the database.
    pub async fn drop(self) {
        self.store.close().await;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = &self.postgres {
            drop_database(admin, name).await;
        }
    }
}

async fn drop_database(admin: &str, name: &str) {
    let dropped = match sqlx::PgConnection::connect(admin).await {
        Ok(mut conn) => sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = dropped {
        tracing::warn!(error = %e, database = name, "could not drop the scratch database; drop it by hand");
    }
}
