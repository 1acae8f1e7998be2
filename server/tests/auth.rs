//! Logging in and out of the browser app, against the real server: the session
//! cookie, its rotation, the rate limit, and the pages that need a session.
//! CSRF and roles are in auth/csrf.rs and auth/roles.rs.

#[path = "auth/browser.rs"]
mod browser;
mod common;
#[path = "auth/csrf.rs"]
mod csrf;
#[path = "auth/refusals.rs"]
mod refusals;
#[path = "auth/roles.rs"]
mod roles;

use browser::{Browser, add_user, location, set_cookie};
use common::TestApp;
use hookflow::store::UserRole;

const JANE: &str = "jane@acme.example";
const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn a_login_sets_an_http_only_lax_cookie_and_leads_to_the_page_asked_for() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(&app);
    let res = browser
        .login_at("/login?next=%2Fscenarios", JANE, PASSWORD)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/scenarios");
    let cookie = set_cookie(&res).expect("a session cookie");
    assert!(cookie.starts_with("hookflow_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let page = browser.get("/scenarios").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(JANE), "the shell shows who is logged in");
    assert!(html.contains("Log out"));
}

#[tokio::test]
async fn behind_an_https_proxy_the_cookie_is_secure() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let res = Browser::new(&app)
        .request(reqwest::Method::POST, "/login")
        .header("x-forwarded-proto", "https")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={JANE}&password=correct+horse+battery"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(set_cookie(&res).unwrap().ends_with("; Secure"));
    // And always, when the operator says so.
    let app = TestApp::spawn_with(|args| args.secure_cookies = true).await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let res = Browser::new(&app).login(JANE, PASSWORD).await;
    assert!(set_cookie(&res).unwrap().contains("; Secure"));
}

#[tokio::test]
async fn a_new_login_replaces_the_session_and_the_old_cookie_no_longer_works() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(&app);
    browser.login(JANE, PASSWORD).await;
    let old = browser.cookie.clone().unwrap();
    // Logging in again with the old cookie in the browser.
    let res = browser.login(JANE, PASSWORD).await;
    assert_eq!(res.status(), 303);
    let new = browser.cookie.clone().unwrap();
    assert_ne!(new, old);
    assert_eq!(browser.get("/").await.status(), 200);
    browser.cookie = Some(old);
    let res = browser.get("/").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(&app);
    let wrong = browser.login(JANE, "not her pass phrase").await;
    let unknown = browser.login("nobody@acme.example", PASSWORD).await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(set_cookie(&wrong).is_none() && set_cookie(&unknown).is_none());
    let wrong = page_text(wrong).await.replace(JANE, "EMAIL");
    let unknown = page_text(unknown)
        .await
        .replace("nobody@acme.example", "EMAIL");
    assert!(wrong.contains("Email or password is wrong."), "{wrong}");
    assert_eq!(wrong, unknown);
    assert!(browser.cookie.is_none());
}

/// What the page shows: its `<main>` (the rest carries per-response nonces).
async fn page_text(res: reqwest::Response) -> String {
    let html = res.text().await.unwrap();
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    html[start..end].to_string()
}

#[tokio::test]
async fn the_sixth_wrong_attempt_is_refused_with_a_retry_time_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(&app);
    for attempt in 1..=5 {
        let res = browser.login(JANE, "a wrong guess here").await;
        assert_eq!(res.status(), 401, "attempt {attempt}");
    }
    let res = browser.login(JANE, "a wrong guess here").await;
    assert_eq!(res.status(), 429);
    let retry_after: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry_after), "{retry_after}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Too many failed login attempts. Try again in 15 minutes"),
        "{html}"
    );
    let res = browser.login(JANE, PASSWORD).await;
    assert_eq!(res.status(), 429, "the right password waits too");
    assert!(set_cookie(&res).is_none());
    // Another user on the same address is not locked out.
    add_user(&app, "john@acme.example", PASSWORD, UserRole::Marketer).await;
    let res = browser.login("john@acme.example", PASSWORD).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn without_a_session_pages_lead_to_the_login_and_server_functions_answer_401() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let res = browser.get("/scenarios?tab=active").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=%2Fscenarios%3Ftab%3Dactive");
    assert_eq!(location(&browser.get("/").await), "/login");
    assert_eq!(
        location(&browser.get("/no/such/page").await),
        "/login?next=%2Fno%2Fsuch%2Fpage"
    );
    let res = browser.call(csrf::SYSTEM_STATUS, "", None).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("log in again"));
    let login = browser.get("/login?next=%2Fscenarios").await;
    assert_eq!(login.status(), 200);
    let html = login.text().await.unwrap();
    assert!(
        html.contains(r#"action="/login?next=%2Fscenarios""#),
        "{html}"
    );
    assert!(!html.contains("csrf-token"), "no session, no token");
    // The public parts do not ask for a session.
    assert_eq!(browser.get("/healthz").await.status(), 200);
    assert_eq!(browser.get("/metrics").await.status(), 200);
    let (status, _) = app.send(reqwest::Method::GET, "/api/v1/groups", None).await;
    assert_eq!(status, 200, "the API uses its tokens");
}

#[tokio::test]
async fn a_signed_in_user_opening_the_login_page_goes_on_and_unknown_pages_are_404() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(&app);
    browser.login(JANE, PASSWORD).await;
    assert_eq!(
        location(&browser.get("/login?next=%2Fcontacts").await),
        "/contacts"
    );
    assert_eq!(browser.get("/no/such/page").await.status(), 404);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    let mut browser = Browser::new(&app);
    browser.login(JANE, PASSWORD).await;
    let token = browser.csrf_token().await;
    let res = browser.post_form("/logout", &[("_csrf", &token)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    assert!(set_cookie(&res).unwrap().contains("Max-Age=0"));
    // The browser might have kept the cookie: the server has not.
    let res = browser.get("/").await;
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn a_login_never_leads_to_another_site() {
    let app = TestApp::spawn().await;
    add_user(&app, JANE, PASSWORD, UserRole::Marketer).await;
    for next in [
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let mut browser = Browser::new(&app);
        let res = browser
            .login_at(&format!("/login?next={next}"), JANE, PASSWORD)
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/", "next={next}");
    }
}
