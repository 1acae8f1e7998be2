//! Real parts for tests and benchmarks: a fresh SQLite file or a fresh PostgreSQL
//! database per test. Not used by the server itself.

mod receiver;

pub use receiver::{Received, Receiver, Recording};

use crate::store::{DatabaseUrl, Store};
use sqlx::Connection;
use std::time::{Duration, Instant};

/// The PostgreSQL server tests use: `HOOKFLOW_TEST_POSTGRES_URL`, or this
/// machine's default server.
pub fn postgres_admin_url() -> String {
    std::env::var("HOOKFLOW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Polls `done` until it holds; panics naming `what` after two minutes. The
/// bound only keeps a broken build from hanging: it is no claim on speed.
/// Polls every millisecond at first, backing off to every 50 ms, so a wait
/// in process ends promptly and a long one does not load a live server.
pub async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(120);
    let mut pause = Duration::from_millis(1);
    while !done().await {
        assert!(Instant::now() < give_up, "gave up waiting until {what}");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// One test per engine for each named scenario, in `mod sqlite` and
/// `mod postgres`, each on a database of its own that is dropped afterwards.
/// A scenario is an `async fn` of a `&TestDb` or, through `Deref`, a `&Store`.
/// With `multi_thread:` first, the tests run on two worker threads (for those
/// that run a dispatcher or an engine beside them). On PostgreSQL a test is
/// skipped when the server cannot be reached, unless `CI` is set
/// (`PgScratch::create`).
#[macro_export]
macro_rules! on_both_engines {
    (@engines #[$test:meta] $($name:ident),*) => {
        mod sqlite {
            $(#[$test]
            async fn $name() {
                let db = $crate::testkit::TestDb::sqlite().await;
                super::$name(&db).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[$test]
            async fn $name() {
                let Some(db) = $crate::testkit::TestDb::postgres().await else { return };
                super::$name(&db).await;
                db.cleanup().await;
            })*
        }
    };
    (multi_thread: $($name:ident),* $(,)?) => {
        $crate::on_both_engines!(@engines
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)] $($name),*);
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_engines!(@engines #[tokio::test] $($name),*);
    };
}

/// A store on a database that exists only for one test.
pub struct TestDb {
    pub store: Store,
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgScratch>,
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
            pg: None,
        }
    }

    /// A new database on the PostgreSQL server, migrated. `None` when the
    /// server cannot be reached and `CI` is not set (see [`PgScratch::create`]).
    pub async fn postgres() -> Option<TestDb> {
        let pg = PgScratch::create().await?;
        let url = DatabaseUrl::Postgres(pg.url.clone());
        let store = Store::open(&url, 8).await.expect("open postgres store");
        Some(TestDb {
            store,
            url,
            _dir: None,
            pg: Some(pg),
        })
    }

    /// Drops the PostgreSQL database (SQLite files go with their temp folder).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(pg) = self.pg {
            pg.drop_database().await;
        }
    }
}

/// A test's database is used mostly as its store.
impl std::ops::Deref for TestDb {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A new, empty database on the PostgreSQL server: no tables, no migrations.
pub struct PgScratch {
    /// Where it is: the admin URL with this database's name.
    pub url: String,
    admin: String,
    name: String,
}

impl PgScratch {
    /// `None` when the server cannot be reached and `CI` is not set; under
    /// `CI` a missing server fails the test.
    pub async fn create() -> Option<PgScratch> {
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
        Some(PgScratch {
            url: url.to_string(),
            admin,
            name,
        })
    }

    /// Drops the database, whoever is still connected to it.
    pub async fn drop_database(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .execute(&mut conn)
            .await;
        }
    }
}
