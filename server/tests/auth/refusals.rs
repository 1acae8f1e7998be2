//! Server functions say no with a 4xx and the message the page shows: an id
//! that does not exist, another account's id, a value out of range, a state
//! that forbids the change, arguments that do not parse. A 5xx would tell the
//! user (and their monitoring) that the server is broken.

use crate::browser::{Browser, add_user};
use crate::common::TestApp;
use app::server_fns::{
    contacts::{ContactDetail, ListContacts},
    groups::DeleteGroup,
    scenario_editor::{ActivateScenario, OpenScenario, PauseScenario, ScenarioPasses},
    scenarios::{ArchiveScenario, DuplicateScenario, ListScenarios, RenameScenario},
    settings::RemoveUser,
    step_report::{CancelOne, DeliveryView, ResendOne, ScenarioReport, StepPage},
    users::SignOutUser,
};
use hookflow::store::UserRole;
use leptos::server_fn::ServerFn;
use reqwest::Method;
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// A new draft scenario of the token's account; its id.
async fn draft(app: &TestApp, token: &str) -> i64 {
    let draft = json!({"name": "Draft", "trigger": {"type": "added_to_group", "group_id": 1},
        "graph": {"start": "out", "steps": [{"id": "out", "type": "exit"}]}});
    let (status, s) = app
        .send_as(token, Method::POST, "/api/v1/scenarios", Some(draft))
        .await;
    assert_eq!(status, 201, "{s}");
    s["id"].as_i64().unwrap()
}

#[tokio::test]
async fn server_functions_refuse_bad_input_with_a_4xx_and_a_message() {
    let app = TestApp::spawn().await;
    add_user(&app, "boss@acme.example", PASSWORD, UserRole::Admin).await;
    // A scenario of this account, still a draft, and one of another account.
    let mine = draft(&app, &app.token).await;
    let (_, other_token) = app.new_account("admin@other.example").await;
    let theirs = draft(&app, &other_token).await;
    let other_admin = app
        .store
        .user_by_email(&hookflow::model::Email::parse("admin@other.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
        .0;

    let mut admin = Browser::new(&app);
    admin.login("boss@acme.example", PASSWORD).await;
    let token = admin.csrf_token().await;
    let unknown = 987_654;
    let unknown = format!("id={unknown}");
    let theirs = format!("id={theirs}");
    let cases = [
        // Ids that do not exist, and another account's: the same answer.
        (ContactDetail::PATH, unknown.clone(), 404, "no such contact"),
        (OpenScenario::PATH, theirs.clone(), 404, "no such scenario"),
        (OpenScenario::PATH, unknown.clone(), 404, "no such scenario"),
        (
            ActivateScenario::PATH,
            theirs.clone(),
            404,
            "no such scenario",
        ),
        (
            ArchiveScenario::PATH,
            theirs.clone(),
            404,
            "no such scenario",
        ),
        (
            DuplicateScenario::PATH,
            theirs.clone(),
            404,
            "no such scenario",
        ),
        (
            ScenarioPasses::PATH,
            theirs.clone(),
            404,
            "no such scenario",
        ),
        (
            ScenarioReport::PATH,
            theirs.clone(),
            404,
            "no such scenario",
        ),
        (
            StepPage::PATH,
            format!("{theirs}&step=out"),
            404,
            "no such scenario",
        ),
        (
            StepPage::PATH,
            format!("id={mine}&step=no%20such"),
            404,
            "no such step",
        ),
        (DeliveryView::PATH, unknown.clone(), 404, "no such delivery"),
        (ResendOne::PATH, unknown.clone(), 404, "no such delivery"),
        (
            CancelOne::PATH,
            format!("{unknown}&reason=x"),
            404,
            "no such delivery",
        ),
        (DeleteGroup::PATH, unknown.clone(), 404, "no such group"),
        (
            RemoveUser::PATH,
            format!("id={other_admin}"),
            404,
            "no such user",
        ),
        (
            SignOutUser::PATH,
            format!("user_id={other_admin}"),
            404,
            "no such user",
        ),
        // Values out of range.
        (
            ListScenarios::PATH,
            "status=deleted".into(),
            400,
            "Unknown status",
        ),
        (
            RenameScenario::PATH,
            format!("id={mine}&name=%20"),
            400,
            "1 to 200 characters",
        ),
        (
            ListContacts::PATH,
            "email=not-an-email".into(),
            400,
            "whole email address",
        ),
        // A state that forbids it.
        (
            PauseScenario::PATH,
            format!("id={mine}"),
            409,
            "Only an active scenario",
        ),
        // Arguments that do not parse.
        (OpenScenario::PATH, "id=seven".into(), 400, ""),
        (OpenScenario::PATH, String::new(), 400, ""),
    ];
    let mut wrong = Vec::new();
    for (function, args, status, says) in cases {
        let res = admin.call(function, &args, Some(&token)).await;
        let got = res.status().as_u16();
        let body = res.text().await.unwrap();
        if got != status || !body.contains(says) {
            let body: String = body.chars().take(200).collect();
            wrong.push(format!("{function}({args}): {got} {body}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn an_archived_scenario_refuses_changes_with_409() {
    let app = TestApp::spawn().await;
    add_user(&app, "boss@acme.example", PASSWORD, UserRole::Admin).await;
    let id = draft(&app, &app.token).await;
    let mut admin = Browser::new(&app);
    admin.login("boss@acme.example", PASSWORD).await;
    let token = admin.csrf_token().await;
    let res = admin
        .call(ArchiveScenario::PATH, &format!("id={id}"), Some(&token))
        .await;
    assert_eq!(res.status(), 200);
    for (function, args) in [
        (RenameScenario::PATH, format!("id={id}&name=Again")),
        (ActivateScenario::PATH, format!("id={id}")),
    ] {
        let res = admin.call(function, &args, Some(&token)).await;
        assert_eq!(res.status(), 409, "{function}");
        assert!(res.text().await.unwrap().contains("archived scenario"));
    }
}
