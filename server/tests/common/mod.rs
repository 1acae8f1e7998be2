//! The real application for API tests, started in-process on port 0 with a fresh
//! SQLite file, plus an account and an API token made through the store.
//!
//! Use it from any test file in `server/tests/`:
//!
//! ```ignore
//! mod common;
//!
//! #[tokio::test]
//! async fn something() {
//!     let app = common::TestApp::spawn().await;
//!     let (status, group) = app.send(Method::POST, "/api/v1/groups", Some(json!({"name": "VIP"}))).await;
//!     assert_eq!(status, 201, "{group}");
//!     let (other_account, other_token) = app.new_account("admin@other.org").await;
//!     let (status, _) = app.send_as(&other_token, Method::GET, "/api/v1/groups", None).await;
//!     assert!(app.events(app.account).await.is_empty());
//! }
//! ```
//!
//! `send` and the request builders (`get`, `post`, …) carry the account's token;
//! `send_as` takes another (or `""` for none); `read` sends any builder and
//! returns the status and JSON body. `events` reads the events table directly,
//! whether the engine has processed them or not. The server stops when the
//! `TestApp` is dropped; the database file goes with its temporary folder.
//! `HOOKFLOW_TEST_LOG=server=debug,hookflow=trace` (a tracing filter) shows the
//! servers' logs with a failed test's output.

#![allow(dead_code)]

use chrono::Utc;
use hookflow::auth::new_token;
use hookflow::model::{AccountId, Email};
use hookflow::store::{DatabaseUrl, NewAccount, Store};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use server::config::ServeArgs;
use server::startup::Application;
use tokio::sync::oneshot;

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub store: Store,
    pub account: AccountId,
    /// The account's API token (`hf_…`).
    pub token: String,
    /// `sqlite://…`, to run the `hookflow` binary against the same database.
    pub database_url: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// The same, with settings changed first (e.g. allowing loopback webhooks).
    pub async fn spawn_with(tweak: impl FnOnce(&mut ServeArgs)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = format!("sqlite://{}/hookflow.db", dir.path().display());
        let url: DatabaseUrl = database_url.parse().expect("database url");
        let mut args = ServeArgs::from_env();
        args.bind = "127.0.0.1:0".parse().unwrap();
        args.site_root = dir.path().join("site");
        args.admin_email = None;
        args.admin_password = None;
        args.database_connections = 4;
        tweak(&mut args);
        let app = Application::build(&url, &args)
            .await
            .expect("build the application");
        let base = format!("http://127.0.0.1:{}", app.port());
        let store = app.store().clone();
        if let Ok(filter) = std::env::var("HOOKFLOW_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let mut app = TestApp {
            base,
            store,
            account: AccountId(0),
            token: String::new(),
            database_url,
            // A page that never finishes fails its test instead of hanging the run.
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(45))
                .build()
                .expect("an HTTP client"),
            stop: Some(stop),
            _dir: dir,
        };
        (app.account, app.token) = app.new_account("admin@acme.example").await;
        app
    }

    /// Another account with its admin and a token of its own.
    pub async fn new_account(&self, admin_email: &str) -> (AccountId, String) {
        let email = Email::parse(admin_email).expect("admin email");
        let new = NewAccount {
            name: "Test",
            admin_email: &email,
            admin_password_hash: "x",
        };
        let (account, _) = self
            .store
            .create_account(new, Utc::now())
            .await
            .expect("account");
        let user = self
            .store
            .user_by_email(&email)
            .await
            .unwrap()
            .expect("admin");
        let token = new_token();
        self.store
            .create_token(&user, "tests", &token.prefix, &token.hash, Utc::now())
            .await
            .expect("token");
        (account, token.secret)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with this account's token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// Sends a request with this account's token and a JSON body (when given);
    /// returns the status and the JSON answer (`null` when the body is empty).
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send_as(&self.token, method, path, body).await
    }

    /// The same with another token (`""` sends no Authorization header).
    pub async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, self.url(path));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        read(req).await
    }

    /// Every event written for the account, processed or not, oldest first:
    /// (contact id, kind, data).
    pub async fn events(&self, account: AccountId) -> Vec<(i64, String, Value)> {
        let Store::Sqlite(pool) = &self.store else {
            panic!("TestApp runs on SQLite")
        };
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT contact_id, kind, data FROM events WHERE account_id = $1 ORDER BY id",
        )
        .bind(account.0)
        .fetch_all(pool)
        .await
        .expect("read events");
        rows.into_iter()
            .map(|(contact, kind, data)| (contact, kind, serde_json::from_str(&data).unwrap()))
            .collect()
    }
}

/// Sends a request; returns the status and the JSON answer (`null` when empty).
pub async fn read(req: RequestBuilder) -> (u16, Value) {
    let res = req.send().await.expect("the server answers");
    let status = res.status().as_u16();
    let text = res.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, body)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
