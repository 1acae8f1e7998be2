//! The store contract, run against a real SQLite file and the real PostgreSQL
//! server. Each test gets a database of its own.

use chrono::Utc;
use hookflow::auth::{Password, hash_token, new_token};
use hookflow::model::Email;
use hookflow::store::{NewAccount, Store, StoreError, UserRole};

hookflow::on_both_engines!(
    an_account_is_created_with_its_first_admin,
    a_second_user_with_the_same_email_is_a_conflict_and_leaves_nothing_behind,
    an_api_token_is_found_by_its_hash_until_revoked,
    the_database_answers_a_ping,
    a_closed_store_refuses_the_dispatchers_writes,
);

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

async fn an_account_is_created_with_its_first_admin(store: &Store) {
    let hash = Password::parse("a long pass phrase", "x@y.org")
        .unwrap()
        .hash();
    let admin = email("Admin@Example.org");
    let (account, user) = store
        .create_account(
            NewAccount {
                name: "Acme",
                admin_email: &admin,
                admin_password_hash: &hash,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let found = store
        .user_by_email(&email("admin@example.org"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, user);
    assert_eq!(found.account_id, account);
    assert_eq!(found.role, UserRole::Admin);
    assert!(hookflow::auth::verify_password(
        "a long pass phrase",
        &found.password_hash
    ));
    assert_eq!(
        store.user_by_id(user).await.unwrap().unwrap().email,
        "admin@example.org"
    );
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn a_second_user_with_the_same_email_is_a_conflict_and_leaves_nothing_behind(store: &Store) {
    let admin = email("admin@example.org");
    let new = || NewAccount {
        name: "Acme",
        admin_email: &admin,
        admin_password_hash: "h",
    };
    let (account, _) = store.create_account(new(), Utc::now()).await.unwrap();
    let err = store.create_account(new(), Utc::now()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(err.to_string(), "a user with this email already exists");
    // The second account was rolled back with its user.
    let accounts: i64 = match store {
        Store::Sqlite(p) => sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(p)
            .await
            .unwrap(),
        Store::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_eq!(accounts, 1);
    let err = store
        .create_user(account, &admin, "h", UserRole::Marketer, Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn an_api_token_is_found_by_its_hash_until_revoked(store: &Store) {
    let admin = email("admin@example.org");
    store
        .create_account(
            NewAccount {
                name: "Acme",
                admin_email: &admin,
                admin_password_hash: "h",
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let user = store.user_by_email(&admin).await.unwrap().unwrap();
    let token = new_token();
    let saved = store
        .create_token(&user, "CRM sync", &token.prefix, &token.hash, Utc::now())
        .await
        .unwrap();
    let found = store
        .token_by_hash(&hash_token(&token.secret))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, saved.id);
    assert_eq!(found.account_id, user.account_id);
    assert_eq!(found.name, "CRM sync");
    assert!(
        store
            .token_by_hash(&hash_token("hf_wrong"))
            .await
            .unwrap()
            .is_none()
    );
    store
        .revoke_token(user.account_id, saved.id, Utc::now())
        .await
        .unwrap();
    assert!(store.token_by_hash(&token.hash).await.unwrap().is_none());
    // Revoking twice, or another account's token, finds nothing.
    assert!(matches!(
        store
            .revoke_token(user.account_id, saved.id, Utc::now())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn the_database_answers_a_ping(store: &Store) {
    store.ping().await.unwrap();
}

/// On SQLite the dispatcher writes on a connection of its own, outside the
/// pool: closing the store closes it too, and nothing is written afterwards.
async fn a_closed_store_refuses_the_dispatchers_writes(store: &Store) {
    // A write opens the writer connection, then the store closes.
    assert_eq!(store.release_all("someone", Utc::now()).await.unwrap(), 0);
    store.close().await;
    assert!(store.release_all("someone", Utc::now()).await.is_err());
}

/// Every SQLite connection runs with the settings durability and speed rest
/// on: the write-ahead log, synced at checkpoints (a commit survives a process
/// crash), foreign keys enforced, and temporary data (statement journals) in
/// memory rather than in files.
#[tokio::test]
async fn sqlite_connections_use_the_log_foreign_keys_and_memory_for_temporary_data() {
    let db = hookflow::testkit::TestDb::sqlite().await;
    let Store::Sqlite(pool) = &db.store else {
        unreachable!("a SQLite test database")
    };
    let mut conn = pool.acquire().await.unwrap();
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    let mut number = async |name: &str| -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    // NORMAL (1); on (1); MEMORY (2).
    assert_eq!(number("synchronous").await, 1);
    assert_eq!(number("foreign_keys").await, 1);
    assert_eq!(number("temp_store").await, 2);
    drop(conn);
    db.cleanup().await;
}
