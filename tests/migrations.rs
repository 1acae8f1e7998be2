//! Migrations that move data keep it: a database written by an earlier version
//! opens with every delivery whole. Each engine is migrated up to the version
//! before the move, written to as that version wrote, then opened by the store
//! (which runs the rest).

use chrono::{TimeZone, Utc};
use hookflow::model::{AccountId, ContactId, DeliveryId, ScenarioId, StepId};
use hookflow::store::{DatabaseUrl, NewDelivery, Store, TargetId};

/// The last version with the body inside the deliveries row.
const BEFORE_BODIES_MOVED: i64 = 8;
const BODY: &str = r#"{"id":"evt_old","data":{"type":"member","note":"written before 0009"}}"#;

const SEED: [&str; 3] = [
    "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)",
    "INSERT INTO webhook_targets (id, account_id, url, headers, signing_secret, fingerprint, created_at)
     VALUES (1, 1, 'http://127.0.0.1:9/hook', '[]', NULL, 'f', 0)",
    "INSERT INTO deliveries (id, account_id, scenario_id, step_id, contact_id, pass, target_id, event_id,
         body, state, created_at, deadline_at, next_attempt_at)
     VALUES (1, 1, 1, 'webhook', 1, 1, 1, 'evt_old', $1, 'pending', 0, 43200000, 0)",
];

/// What the store must show of the delivery written before the move.
async fn the_old_delivery_is_whole(store: &Store) {
    let detail = store
        .delivery_detail(AccountId(1), DeliveryId(1))
        .await
        .unwrap()
        .expect("the delivery is still there");
    assert_eq!(detail.body, BODY);
    let now = Utc.timestamp_millis_opt(1_000).unwrap();
    let claimed = store
        .claim_due(
            "after-upgrade",
            now,
            now + chrono::Duration::seconds(60),
            10,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        (claimed[0].event_id.as_str(), claimed[0].body.as_str()),
        ("evt_old", BODY)
    );
}

/// A new SQLite file at `path`, migrated up to `version` only: a database
/// written by that version.
async fn sqlite_at_version(path: &std::path::Path, version: i64) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate!("./migrations/sqlite")
        .run_to(version, &pool)
        .await
        .unwrap();
    pool
}

#[tokio::test]
async fn sqlite_bodies_written_before_they_moved_to_their_own_table_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let pool = sqlite_at_version(&path, BEFORE_BODIES_MOVED).await;
    for sql in SEED {
        let query = sqlx::query(sql);
        let query = if sql.contains("$1") {
            query.bind(BODY)
        } else {
            query
        };
        query.execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::open(&DatabaseUrl::Sqlite(path), 2).await.unwrap();
    the_old_delivery_is_whole(&store).await;
    store.close().await;
}

#[tokio::test]
async fn postgres_bodies_written_before_they_moved_to_their_own_table_are_kept() {
    let Some(pg) = hookflow::testkit::PgScratch::create().await else {
        return;
    };
    let pool = sqlx::PgPool::connect(&pg.url).await.unwrap();
    sqlx::migrate!("./migrations/postgres")
        .run_to(BEFORE_BODIES_MOVED, &pool)
        .await
        .unwrap();
    for sql in SEED {
        // Ids are generated on PostgreSQL: the first row of each table gets 1.
        let sql = sql.replace("(id, ", "(").replace("VALUES (1, ", "VALUES (");
        let binds = sql.contains("$1");
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = if binds { query.bind(BODY) } else { query };
        query.execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::open(&DatabaseUrl::Postgres(pg.url.clone()), 2)
        .await
        .unwrap();
    the_old_delivery_is_whole(&store).await;
    store.close().await;
    pg.drop_database().await;
}

/// The last version with step passes stored by rowid.
const BEFORE_PASSES_BY_KEY: i64 = 9;

#[tokio::test]
async fn sqlite_step_passes_written_before_they_were_stored_by_key_are_kept_and_still_unique() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let pool = sqlite_at_version(&path, BEFORE_PASSES_BY_KEY).await;
    for sql in [
        SEED[0],
        SEED[1],
        "INSERT INTO step_passes (account_id, scenario_id, step_id, contact_id, pass, reached_at)
         VALUES (1, 1, 'webhook', 1, 1, 0), (1, 1, 'webhook', 2, 1, 0), (1, 1, 'wait', 1, 1, 0)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::open(&DatabaseUrl::Sqlite(path), 2).await.unwrap();
    let step = StepId("webhook".into());
    let reached = |store: &Store| {
        let step = step.clone();
        let store = store.clone();
        async move {
            store
                .step_stats(ScenarioId(1), &step)
                .await
                .unwrap()
                .reached
        }
    };
    assert_eq!(reached(&store).await, 2);
    let now = Utc.timestamp_millis_opt(1_000).unwrap();
    let pass = |contact: i64, event_id: &'static str| NewDelivery {
        account: AccountId(1),
        scenario: ScenarioId(1),
        step: &step,
        contact: ContactId(contact),
        pass: 1,
        target: TargetId(1),
        event_id,
        body: "{}",
        now,
        deadline: now + chrono::Duration::hours(12),
    };
    // A pass counted before the upgrade is not counted again; a new one is.
    assert_eq!(
        store
            .record_webhook_pass(&pass(1, "evt_again"))
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .record_webhook_pass(&pass(3, "evt_new"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(reached(&store).await, 3);
    store.close().await;
}
