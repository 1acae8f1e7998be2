//! Real parts for tests and benchmarks: a fresh SQLite file or a fresh PostgreSQL
//! database per test. Not used by the server itself.

mod receiver;

pub use receiver::{Received, Receiver, Recording};

use crate::store::{DatabaseUrl, Store};
use sqlx::Connection;

/// The PostgreSQL server tests use: `HOOKFLOW_TEST_POSTGRES_URL`, or this
/// machine's default server.
pub fn postgres_admin_url() -> String {
    std::env::var("HOOKFLOW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A store on a database that exists only for one test.
pub struct TestDb {
    pub store: Store,
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    /// A new SQLite file in a temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("hookflow.db"));
        let store = Store::open(&url, 8).await.expect("open sqlite store");
        TestDb {
            store,
            url,
            _dir: Some(dir),
            drop_pg: None,
        }
    }

    /// A new database on the PostgreSQL server. `None` when the server cannot be
    /// reached and `CI` is not set; under `CI` a missing server fails the test.
    pub async fn postgres() -> Option<TestDb> {
        let admin = postgres_admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!(
                    "SKIPPED: PostgreSQL at {admin} unreachable ({e}); set CI=1 to make this fail"
                );
                return None;
            }
            Err(e) => panic!("CI is set and PostgreSQL at {admin} is unreachable: {e}"),
        };
        let name = format!(
            "hookflow_test_{}",
            crate::auth::random_base62(12).to_lowercase()
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&admin).expect("admin url");
        url.set_path(&name);
        let url = DatabaseUrl::Postgres(url.to_string());
        let store = Store::open(&url, 8).await.expect("open postgres store");
        Some(TestDb {
            store,
            url,
            _dir: None,
            drop_pg: Some((admin, name)),
        })
    }

    /// Drops the PostgreSQL database (SQLite files go with their temp folder).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.drop_pg {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
            }
        }
    }
}
