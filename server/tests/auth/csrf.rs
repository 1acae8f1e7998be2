//! Every change made with the session cookie carries the session's CSRF token.

use crate::browser::{Browser, add_user, location};
use crate::common::TestApp;
use hookflow::store::UserRole;
use leptos::server_fn::ServerFn;

/// The real address of the home page's server function (its name plus a hash).
pub const SYSTEM_STATUS: &str = <app::server_fns::status::SystemStatus as ServerFn>::PATH;

const JANE: &str = "jane@acme.example";
const PASSWORD: &str = "correct horse battery";

async fn signed_in(app: &TestApp) -> Browser<'_> {
    add_user(app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(app);
    browser.login(JANE, PASSWORD).await;
    browser
}

#[tokio::test]
async fn a_form_post_without_or_with_a_wrong_token_is_refused() {
    let app = TestApp::spawn().await;
    let browser = signed_in(&app).await;
    let res = browser.post_form("/logout", &[]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("security token (CSRF)"));
    let res = browser.post_form("/logout", &[("_csrf", "guessed")]).await;
    assert_eq!(res.status(), 403);
    // Still logged in: nothing happened.
    assert_eq!(browser.get("/").await.status(), 200);
}

#[tokio::test]
async fn a_server_function_call_needs_the_token_in_its_header() {
    let app = TestApp::spawn().await;
    let browser = signed_in(&app).await;
    let token = browser.csrf_token().await;
    let res = browser.call(SYSTEM_STATUS, "", None).await;
    assert_eq!(res.status(), 403);
    let res = browser.call(SYSTEM_STATUS, "", Some("wrong")).await;
    assert_eq!(res.status(), 403);
    let res = browser.call(SYSTEM_STATUS, "", Some(&token)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn a_request_from_another_site_is_refused_even_with_the_token() {
    let app = TestApp::spawn().await;
    let browser = signed_in(&app).await;
    let token = browser.csrf_token().await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = browser
            .request(reqwest::Method::POST, "/logout")
            .header(name, value)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{name}: {value}");
        assert!(res.text().await.unwrap().contains("another site"));
    }
    // A cross-site login form is refused too (login CSRF).
    let res = Browser::new(&app)
        .request(reqwest::Method::POST, "/login")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={JANE}&password=correct+horse+battery"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // From our own page it goes through.
    let res = browser
        .request(reqwest::Method::POST, "/logout")
        .header("origin", app.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
}
