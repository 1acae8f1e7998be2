//! Browser sessions and the login rate limit, on a real SQLite file and the real
//! PostgreSQL server. Time is passed in, so "12 hours later" takes no time.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hookflow::model::Email;
use hookflow::store::{LOGIN_WINDOW, NewAccount, Store, User, UserRole};

hookflow::on_both_engines!(
    a_session_cookie_signs_its_user_in_and_only_its_hash_is_stored,
    a_session_slides_forward_with_use_and_ends_after_twelve_idle_hours,
    a_busy_session_still_ends_seven_days_after_login,
    logout_ends_one_session_and_signing_out_everywhere_ends_all_of_a_user,
    the_sixth_failed_attempt_for_an_email_is_refused_until_the_window_passes,
    a_successful_login_clears_the_failures_of_its_email,
    one_address_is_limited_across_all_emails,
    expired_sessions_and_old_counts_are_purged,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 28, 9, 0, 0).unwrap()
}

async fn user(store: &Store, email: &str) -> User {
    let email = Email::parse(email).unwrap();
    let new = NewAccount {
        name: "Acme",
        admin_email: &email,
        admin_password_hash: "h",
    };
    store.create_account(new, t0()).await.unwrap();
    store.user_by_email(&email).await.unwrap().unwrap()
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn a_session_cookie_signs_its_user_in_and_only_its_hash_is_stored(store: &Store) {
    let jane = user(store, "jane@acme.example").await;
    let new = store.create_session(&jane, t0()).await.unwrap();
    assert_eq!(new.cookie.len(), 43);
    assert_eq!(new.expires_at, t0() + Duration::hours(12));
    let found = store
        .session_by_cookie(&new.cookie, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user_id, jane.id);
    assert_eq!(found.account_id, jane.account_id);
    assert_eq!(found.email, "jane@acme.example");
    assert_eq!(found.role, UserRole::Admin);
    assert_eq!(found.csrf_token, new.csrf_token);
    // The database holds a hash, never the cookie.
    let stored: String = match store {
        Store::Sqlite(p) => sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_one(p)
            .await
            .unwrap(),
        Store::Postgres(p) => sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_ne!(stored, new.cookie);
    assert_eq!(stored, hookflow::auth::hash_token(&new.cookie));
    // Another cookie, or garbage, signs nobody in.
    let other = hookflow::auth::random_base62(43);
    for cookie in [other.as_str(), "", "x'; DROP TABLE sessions; --"] {
        assert!(
            store
                .session_by_cookie(cookie, t0())
                .await
                .unwrap()
                .is_none()
        );
    }
    // Two logins are two sessions with different cookies and CSRF tokens.
    let again = store.create_session(&jane, t0()).await.unwrap();
    assert_ne!(again.cookie, new.cookie);
    assert_ne!(again.csrf_token, new.csrf_token);
}

async fn a_session_slides_forward_with_use_and_ends_after_twelve_idle_hours(store: &Store) {
    let jane = user(store, "jane@acme.example").await;
    let cookie = store.create_session(&jane, t0()).await.unwrap().cookie;
    let mut at = t0();
    for _ in 0..3 {
        at += Duration::hours(11);
        let found = store.session_by_cookie(&cookie, at).await.unwrap();
        assert_eq!(
            found.expect("used within 12 hours").expires_at,
            at + Duration::hours(12)
        );
    }
    at += Duration::hours(12);
    assert!(
        store
            .session_by_cookie(&cookie, at)
            .await
            .unwrap()
            .is_none()
    );
    let just_before = at - Duration::milliseconds(1);
    assert!(
        store
            .session_by_cookie(&cookie, just_before)
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_busy_session_still_ends_seven_days_after_login(store: &Store) {
    let jane = user(store, "jane@acme.example").await;
    let cookie = store.create_session(&jane, t0()).await.unwrap().cookie;
    let end = t0() + Duration::days(7);
    let mut at = t0();
    while at + Duration::hours(6) < end {
        at += Duration::hours(6);
        let found = store.session_by_cookie(&cookie, at).await.unwrap().unwrap();
        assert!(found.expires_at <= end, "{:?}", found.expires_at);
    }
    assert!(
        store
            .session_by_cookie(&cookie, end)
            .await
            .unwrap()
            .is_none()
    );
}

async fn logout_ends_one_session_and_signing_out_everywhere_ends_all_of_a_user(store: &Store) {
    let jane = user(store, "jane@acme.example").await;
    let john = user(store, "john@other.example").await;
    let laptop = store.create_session(&jane, t0()).await.unwrap().cookie;
    let phone = store.create_session(&jane, t0()).await.unwrap().cookie;
    let johns = store.create_session(&john, t0()).await.unwrap().cookie;
    assert!(store.delete_session(&laptop).await.unwrap());
    assert!(!store.delete_session(&laptop).await.unwrap());
    assert!(
        store
            .session_by_cookie(&laptop, t0())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_by_cookie(&phone, t0())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.delete_user_sessions(jane.id).await.unwrap(), 1);
    assert!(
        store
            .session_by_cookie(&phone, t0())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_by_cookie(&johns, t0())
            .await
            .unwrap()
            .is_some()
    );
}

async fn the_sixth_failed_attempt_for_an_email_is_refused_until_the_window_passes(store: &Store) {
    let ip = "203.0.113.7";
    for n in 1..=5 {
        let at = t0() + Duration::minutes(n - 1);
        // Spelled differently, the same email.
        let typed = if n % 2 == 0 {
            " Jane@ACME.example"
        } else {
            "jane@acme.example"
        };
        let counted = store.count_login_attempt(typed, ip, at).await.unwrap();
        assert_eq!(counted, Ok(()), "attempt {n}");
    }
    let at = t0() + Duration::minutes(6);
    let limited = store
        .count_login_attempt("jane@acme.example", ip, at)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(limited.retry_at, t0() + Duration::minutes(15));
    assert_eq!(
        limited.message(at),
        "Too many failed login attempts. Try again in 9 minutes (after 09:15 UTC)."
    );
    // Another email from the same address is not affected.
    let other = store.count_login_attempt("john@acme.example", ip, at).await;
    assert_eq!(other.unwrap(), Ok(()));
    // Refused attempts do not push the window further.
    let last_minute = t0() + Duration::minutes(14);
    let still = store.count_login_attempt("jane@acme.example", ip, last_minute);
    assert_eq!(
        still.await.unwrap().unwrap_err().minutes_left(last_minute),
        1
    );
    let after = t0() + LOGIN_WINDOW;
    let again = store.count_login_attempt("jane@acme.example", ip, after);
    assert_eq!(again.await.unwrap(), Ok(()));
}

async fn a_successful_login_clears_the_failures_of_its_email(store: &Store) {
    let ip = "203.0.113.7";
    for _ in 0..4 {
        let r = store
            .count_login_attempt("jane@acme.example", ip, t0())
            .await;
        assert_eq!(r.unwrap(), Ok(()));
    }
    // The fifth attempt is the right password.
    let r = store
        .count_login_attempt("jane@acme.example", ip, t0())
        .await;
    assert_eq!(r.unwrap(), Ok(()));
    store
        .forgive_login_attempt("jane@acme.example", ip)
        .await
        .unwrap();
    for n in 1..=5 {
        let r = store
            .count_login_attempt("jane@acme.example", ip, t0())
            .await;
        assert_eq!(r.unwrap(), Ok(()), "attempt {n} after the login");
    }
    let r = store
        .count_login_attempt("jane@acme.example", ip, t0())
        .await;
    assert!(r.unwrap().is_err());
}

async fn one_address_is_limited_across_all_emails(store: &Store) {
    let ip = "198.51.100.4";
    for n in 0..50 {
        let email = format!("guess{n}@acme.example");
        let r = store.count_login_attempt(&email, ip, t0()).await;
        assert_eq!(r.unwrap(), Ok(()), "attempt {n}");
    }
    let r = store
        .count_login_attempt("jane@acme.example", ip, t0())
        .await;
    assert_eq!(r.unwrap().unwrap_err().retry_at, t0() + LOGIN_WINDOW);
    let elsewhere = store.count_login_attempt("jane@acme.example", "192.0.2.1", t0());
    assert_eq!(elsewhere.await.unwrap(), Ok(()));
}

async fn expired_sessions_and_old_counts_are_purged(store: &Store) {
    let jane = user(store, "jane@acme.example").await;
    let old = store.create_session(&jane, t0()).await.unwrap().cookie;
    let later = t0() + Duration::hours(13);
    let fresh = store.create_session(&jane, later).await.unwrap().cookie;
    let r = store.count_login_attempt("jane@acme.example", "192.0.2.1", t0());
    assert_eq!(r.await.unwrap(), Ok(()));
    store.purge_expired_sessions(later).await.unwrap();
    assert_eq!(count(store, "SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(count(store, "SELECT COUNT(*) FROM login_attempts").await, 0);
    assert!(
        store
            .session_by_cookie(&old, later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_by_cookie(&fresh, later)
            .await
            .unwrap()
            .is_some()
    );
}
