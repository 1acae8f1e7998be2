//! Forms, mailings and tracking against the real server: a visitor fills in a
//! hosted form, an email client loads the pixel and follows a tracked link, and
//! nobody can forge a token or reach another account's forms and mailings.

mod common;
#[path = "forms/tracking.rs"]
mod tracking;

use common::TestApp;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tracking::tracked;

const POST: Method = Method::POST;
const GET: Method = Method::GET;

async fn new_form(app: &TestApp, body: Value) -> Value {
    let (status, form) = app.send(POST, "/api/v1/forms", Some(body)).await;
    assert_eq!(status, 201, "{form}");
    assert_eq!(
        form["public_url"],
        format!("/f/{}", form["public_id"].as_str().unwrap())
    );
    form
}

/// Posts the page's fields as a browser does; returns the status and the HTML.
async fn fill_in(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let res = app
        .client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    let res = res.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn contact(app: &TestApp, email: &str) -> Value {
    let (status, page) = app
        .send(GET, &format!("/api/v1/contacts?email={email}"), None)
        .await;
    assert_eq!(status, 200, "{page}");
    page["data"][0].clone()
}

/// The account's events of one kind: (contact id, data).
async fn events(app: &TestApp, kind: &str) -> Vec<(i64, Value)> {
    let all = app.events(app.account).await;
    all.into_iter()
        .filter(|(_, k, _)| k == kind)
        .map(|(c, _, d)| (c, d))
        .collect()
}

#[tokio::test]
async fn a_subscription_form_filled_in_on_its_page_creates_then_updates_the_contact() {
    let app = TestApp::spawn().await;
    let form = new_form(&app, json!({"kind": "subscription", "name": "News <weekly>", "definition": {"fields": [{"key": "firstname"}]}})).await;
    let path = form["public_url"].as_str().unwrap();
    let page = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for part in [
        "/pkg/hookflow.css",
        "<label for=\"f-email\">Email (required)</label>",
        "name=\"firstname\"",
        "News &lt;weekly&gt;",
    ] {
        assert!(html.contains(part), "missing {part} in {html}");
    }

    let (status, html) = fill_in(
        &app,
        path,
        &[("email", "Ann@Example.org"), ("firstname", "Ann")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("you are subscribed"), "{html}");
    let ann = contact(&app, "ann@example.org").await;
    assert_eq!(ann["fields"]["firstname"], "Ann");
    let id = ann["id"].as_i64().unwrap();
    assert_eq!(
        events(&app, "form_submitted").await,
        [(id, json!({"form_id": form["id"]}))]
    );
    assert_eq!(events(&app, "contact_created").await.len(), 1);

    let (status, _) = fill_in(
        &app,
        path,
        &[("email", "ann@example.org"), ("firstname", "Annie")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        contact(&app, "ann@example.org").await["fields"]["firstname"],
        "Annie"
    );
    assert_eq!(events(&app, "form_submitted").await.len(), 2);
    assert_eq!(
        events(&app, "contact_updated").await,
        [(id, json!({"changed": ["firstname"]}))]
    );
}

#[tokio::test]
async fn a_survey_keeps_the_answers_from_the_page_and_from_json_clients() {
    let app = TestApp::spawn().await;
    let question = json!({"id": "colour", "label": "Favourite colour", "kind": "choice", "options": ["red", "blue"], "required": true});
    let form = new_form(
        &app,
        json!({"kind": "survey", "name": "Colours", "definition": {"questions": [question]}}),
    )
    .await;
    let path = form["public_url"].as_str().unwrap();
    let (status, html) = fill_in(
        &app,
        path,
        &[("email", "bo@example.org"), ("answers.colour", "red")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let body = json!({"values": {"email": "cy@example.org"}, "answers": {"colour": "blue"}});
    // A JSON client (the token it carries plays no part on a public page).
    let (status, answer) = app.send(POST, path, Some(body)).await;
    assert_eq!(status, 200);
    assert_eq!(answer, json!({"status": "received"}));

    let (status, kept) = app
        .send(
            GET,
            &format!("/api/v1/forms/{}/submissions", form["id"]),
            None,
        )
        .await;
    assert_eq!(status, 200, "{kept}");
    let answers: Vec<&Value> = kept["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["answers"])
        .collect();
    assert_eq!(
        answers,
        [&json!({"colour": "red"}), &json!({"colour": "blue"})]
    );
    assert_eq!(events(&app, "survey_answered").await.len(), 2);
}

#[tokio::test]
async fn an_invalid_email_shows_the_page_again_with_the_message_beside_the_field() {
    let app = TestApp::spawn().await;
    let form = new_form(&app, json!({"kind": "subscription", "name": "News", "definition": {"fields": [{"key": "firstname"}]}})).await;
    let path = form["public_url"].as_str().unwrap();
    let (status, html) = fill_in(
        &app,
        path,
        &[
            ("email", "not an email"),
            ("firstname", "<script>x</script>"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("aria-describedby=\"f-email-error\""),
        "{html}"
    );
    assert!(html.contains("<span class=\"error\" id=\"f-email-error\">email must look like name@example.org</span>"), "{html}");
    assert!(
        html.contains("value=\"&lt;script&gt;x&lt;/script&gt;\"") && !html.contains("<script>"),
        "{html}"
    );

    let (status, body) = app
        .send(POST, path, Some(json!({"values": {"email": "nope"}})))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["problems"][0]["field"], "email", "{body}");
    let (_, page) = app.send(GET, "/api/v1/contacts", None).await;
    assert_eq!(page["data"], json!([]));
    assert!(app.events(app.account).await.is_empty());

    for method in [GET, POST] {
        let res = app
            .client
            .request(method, app.url("/f/AAAAAAAAAAAAAAAAAAAAAAAA"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("Form not found"));
    }
}

#[tokio::test]
async fn an_update_profile_link_shows_the_contacts_own_values() {
    let app = TestApp::spawn().await;
    let form = new_form(&app, json!({"kind": "update_profile", "name": "Profile", "definition": {"fields": [{"key": "company"}]}})).await;
    let (_, links) = tracked(&app).await;
    let path = format!(
        "{}?t={}",
        form["public_url"].as_str().unwrap(),
        links["profile_token"].as_str().unwrap()
    );
    let html = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"dee@example.org\""), "{html}");
    let (status, _) = fill_in(
        &app,
        &path,
        &[("email", "dee@new.example"), ("company", "Acme")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        contact(&app, "dee@new.example").await["fields"]["company"],
        "Acme"
    );
    assert_eq!(events(&app, "profile_updated").await.len(), 1);
}

#[tokio::test]
async fn another_accounts_forms_and_mailings_are_not_found() {
    let app = TestApp::spawn().await;
    let form = new_form(&app, json!({"kind": "subscription", "name": "News"})).await;
    let (_, mailing) = app
        .send(POST, "/api/v1/mailings", Some(json!({"name": "June"})))
        .await;
    let (_, contact) = app
        .send(
            POST,
            "/api/v1/contacts",
            Some(json!({"email": "eve@example.org"})),
        )
        .await;
    let (_, other) = app.new_account("admin@other.example").await;
    let form_path = format!("/api/v1/forms/{}", form["id"]);
    let mailing_path = format!("/api/v1/mailings/{}", mailing["id"]);
    let rename = json!({"name": "Mine"});
    let links = json!({"contact_id": contact["id"]});
    let tries = [
        (GET, form_path.clone(), None),
        (Method::PATCH, form_path.clone(), Some(rename.clone())),
        (Method::DELETE, form_path.clone(), None),
        (GET, format!("{form_path}/submissions"), None),
        (GET, mailing_path.clone(), None),
        (Method::PATCH, mailing_path.clone(), Some(rename)),
        (Method::DELETE, mailing_path.clone(), None),
        (
            POST,
            format!("{mailing_path}/tracking-links"),
            Some(links.clone()),
        ),
    ];
    for (method, path, body) in tries {
        let (status, answer) = app.send_as(&other, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    // Their own mailing, but our contact: still not found.
    let (_, theirs) = app
        .send_as(
            &other,
            POST,
            "/api/v1/mailings",
            Some(json!({"name": "Theirs"})),
        )
        .await;
    let path = format!("/api/v1/mailings/{}/tracking-links", theirs["id"]);
    assert_eq!(app.send_as(&other, POST, &path, Some(links)).await.0, 404);
    let (_, list) = app.send_as(&other, GET, "/api/v1/forms", None).await;
    assert_eq!(list["data"], json!([]));
    assert_eq!(app.send(GET, &form_path, None).await.0, 200);
}
