//! Marketers work on scenarios, contacts, groups and forms; admins also manage
//! users, API tokens and the signing secret.

use crate::browser::{Browser, add_user};
use crate::common::TestApp;
use hookflow::store::UserRole;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn an_admin_only_server_function_is_refused_to_a_marketer() {
    let app = TestApp::spawn().await;
    let jane = add_user(&app, "jane@acme.example", PASSWORD, UserRole::Marketer).await;
    let boss = add_user(&app, "boss@acme.example", PASSWORD, UserRole::Admin).await;
    let mut marketer = Browser::new(&app);
    marketer.login("jane@acme.example", PASSWORD).await;
    let token = marketer.csrf_token().await;
    let args = format!("user_id={}", boss.0);
    let res = marketer
        .call("/fn/sign_out_user", &args, Some(&token))
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Only an admin"));

    let mut admin = Browser::new(&app);
    admin.login("boss@acme.example", PASSWORD).await;
    let token = admin.csrf_token().await;
    let args = format!("user_id={}", jane.0);
    let res = admin.call("/fn/sign_out_user", &args, Some(&token)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "1");
    // Jane is logged out everywhere.
    assert_eq!(marketer.get("/").await.status(), 303);
}

#[tokio::test]
async fn an_admin_cannot_sign_out_another_accounts_user() {
    let app = TestApp::spawn().await;
    add_user(&app, "boss@acme.example", PASSWORD, UserRole::Admin).await;
    app.new_account("admin@other.example").await;
    let other = app
        .store
        .user_by_email(&hookflow::model::Email::parse("admin@other.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut admin = Browser::new(&app);
    admin.login("boss@acme.example", PASSWORD).await;
    let token = admin.csrf_token().await;
    let args = format!("user_id={}", other.id.0);
    let res = admin.call("/fn/sign_out_user", &args, Some(&token)).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("no such user"));
}

#[tokio::test]
async fn only_admins_see_settings_in_the_navigation() {
    let app = TestApp::spawn().await;
    add_user(&app, "jane@acme.example", PASSWORD, UserRole::Marketer).await;
    add_user(&app, "boss@acme.example", PASSWORD, UserRole::Admin).await;
    let mut marketer = Browser::new(&app);
    marketer.login("jane@acme.example", PASSWORD).await;
    let html = marketer.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"href="/scenarios""#) && !html.contains(r#"href="/settings""#));
    let mut admin = Browser::new(&app);
    admin.login("boss@acme.example", PASSWORD).await;
    let html = admin.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"href="/settings""#), "{html}");
}
