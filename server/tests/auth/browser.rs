//! A browser in miniature for the login tests: it keeps the session cookie,
//! never follows redirects (the tests look at them), and posts forms.

use crate::common::TestApp;
use chrono::Utc;
use hookflow::auth::Password;
use hookflow::model::{Email, UserId};
use hookflow::store::UserRole;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, Response};

/// Adds a user with a real password to the test account.
pub async fn add_user(app: &TestApp, email: &str, password: &str, role: UserRole) -> UserId {
    let hash = Password::parse(password, email)
        .expect("a strong password")
        .hash();
    let email = Email::parse(email).unwrap();
    app.store
        .create_user(app.account, &email, &hash, role, Utc::now())
        .await
        .expect("a new user")
}

pub struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    /// The `hookflow_session` value, once logged in.
    pub cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A page that never finishes fails its test instead of hanging the run.
            .timeout(std::time::Duration::from_secs(45))
            .build()
            .unwrap();
        Browser {
            app,
            client,
            cookie: None,
        }
    }

    /// Posts the login form to `path` (`/login` or `/login?next=…`) and keeps the
    /// new cookie when there is one.
    pub async fn login_at(&mut self, path: &str, email: &str, password: &str) -> Response {
        let res = self
            .post_form(path, &[("email", email), ("password", password)])
            .await;
        if let Some(cookie) = set_cookie(&res) {
            self.cookie = Some(cookie_value(&cookie));
        }
        res
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        self.login_at("/login", email, password).await
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.client.request(method, self.app.url(path));
        match &self.cookie {
            Some(c) => req.header(COOKIE, format!("hookflow_session={c}")),
            None => req,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.request(Method::POST, path)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function the way the app's `CsrfClient` does, with the
    /// token in the header (`None`: no header).
    pub async fn call(&self, path: &str, args: &str, token: Option<&str>) -> Response {
        let mut req = self
            .request(Method::POST, path)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(args.to_string());
        if let Some(token) = token {
            req = req.header("x-csrf-token", token);
        }
        req.send().await.unwrap()
    }

    /// The CSRF token the page carries in `<meta name="csrf-token">`.
    pub async fn csrf_token(&self) -> String {
        let html = self.get("/").await.text().await.unwrap();
        let start = html
            .find(r#"name="csrf-token" content=""#)
            .unwrap_or_else(|| panic!("no csrf-token meta in {html}"));
        let rest = &html[start + r#"name="csrf-token" content=""#.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub fn set_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string())
}

pub fn cookie_value(set_cookie: &str) -> String {
    let first = set_cookie.split(';').next().unwrap();
    first.split_once('=').unwrap().1.to_string()
}

pub fn location(res: &Response) -> &str {
    res.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}
