//! The contacts, groups and custom fields API, against the real server: what a
//! program holding an API token can do, what it is told when it gets something
//! wrong, and what it can never reach (another account's data).

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PATCH: Method = Method::PATCH;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

/// The fields named by a 422's `problems`.
fn problem_fields(body: &Value) -> Vec<String> {
    let problems = body["error"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    problems
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_string())
        .collect()
}

fn id(body: &Value) -> i64 {
    body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {body}"))
}

#[tokio::test]
async fn a_contact_is_created_read_found_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let new = json!({"email": " Ann@Example.org ", "firstname": "Ann", "birthdate": "1990-04-23", "mailings_opened": "3"});
    let (status, ann) = app.send(POST, "/api/v1/contacts", Some(new)).await;
    assert_eq!(status, 201, "{ann}");
    assert_eq!(ann["email"], "ann@example.org");
    assert_eq!(
        ann["fields"],
        json!({"firstname": "Ann", "birthdate": "1990-04-23", "mailings_opened": 3})
    );
    let ann_id = id(&ann);
    let (status, read) = app
        .send(GET, &format!("/api/v1/contacts/{ann_id}"), None)
        .await;
    assert_eq!((status, &read), (200, &ann));
    let (_, bob) = app
        .send(
            POST,
            "/api/v1/contacts",
            Some(json!({"email": "bob@example.org"})),
        )
        .await;

    let (status, page) = app.send(GET, "/api/v1/contacts?limit=1", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (page["data"][0]["id"].as_i64(), page["next_after"].as_i64()),
        (Some(ann_id), Some(ann_id))
    );
    let (_, page) = app
        .send(
            GET,
            &format!("/api/v1/contacts?after={ann_id}&limit=1"),
            None,
        )
        .await;
    assert_eq!(
        (page["data"][0].clone(), page["next_after"].clone()),
        (bob.clone(), Value::Null)
    );
    let (_, found) = app
        .send(GET, "/api/v1/contacts?email=BOB@example.org", None)
        .await;
    assert_eq!(found["data"], json!([bob]));

    let change = json!({"lastname": "Lee", "birthdate": null, "firstname": "Ann"});
    let (status, changed) = app
        .send(
            PATCH,
            &format!("/api/v1/contacts/{ann_id}"),
            Some(change.clone()),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["fields"],
        json!({"firstname": "Ann", "lastname": "Lee", "mailings_opened": 3})
    );
    // The same change again changes nothing, so it announces nothing.
    assert_eq!(
        app.send(PATCH, &format!("/api/v1/contacts/{ann_id}"), Some(change))
            .await
            .0,
        200
    );
    let events = app.events(app.account).await;
    assert_eq!(
        events,
        [
            (ann_id, "contact_created".into(), json!({})),
            (id(&bob), "contact_created".into(), json!({})),
            (
                ann_id,
                "contact_updated".into(),
                json!({"changed": ["lastname", "birthdate"]})
            ),
        ]
    );

    assert_eq!(
        app.send(DELETE, &format!("/api/v1/contacts/{ann_id}"), None)
            .await,
        (204, Value::Null)
    );
    let (status, gone) = app
        .send(GET, &format!("/api/v1/contacts/{ann_id}"), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(gone["error"]["message"], "no such contact in this account");
    assert_eq!(
        app.send(DELETE, &format!("/api/v1/contacts/{ann_id}"), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_never_a_server_error() {
    let app = TestApp::spawn().await;
    let bad = json!({"firstname": 3, "birthdate": "soon", "foo": "x", "consent_type": "maybe"});
    let (status, body) = app.send(POST, "/api/v1/contacts", Some(bad)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{body}"
    );
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        ["birthdate", "consent_type", "email", "firstname", "foo"]
    );
    let foo = &body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "foo")
        .unwrap()["message"];
    assert_eq!(
        foo,
        "unknown field `foo`: create it as a custom field first"
    );

    app.send(
        POST,
        "/api/v1/contacts",
        Some(json!({"email": "ann@example.org"})),
    )
    .await;
    let (status, body) = app
        .send(
            POST,
            "/api/v1/contacts",
            Some(json!({"email": "ANN@example.org"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (409, Some("email")),
        "{body}"
    );

    let malformed = app
        .post("/api/v1/contacts")
        .header("content-type", "application/json")
        .body("{\"email\":");
    let (status, body) = common::read(malformed).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );
    let (status, _) = common::read(app.post("/api/v1/contacts").body("{}")).await;
    assert_eq!(status, 415);
    assert_eq!(
        app.send(POST, "/api/v1/contacts", Some(json!([1, 2])))
            .await
            .0,
        422
    );

    for (method, path, status) in [
        (GET, "/api/v1/contacts/abc", 404),
        (GET, "/api/v1/contacts/99999999999999999999", 404),
        (DELETE, "/api/v1/groups/x/members/1", 404),
        (GET, "/api/v1/contacts?limit=abc", 400),
        (PUT, "/api/v1/contacts", 405),
        (GET, "/api/v1/contacts/bulk", 405),
        (GET, "/api/v1/no-such-thing", 404),
    ] {
        let (got, body) = app.send(method.clone(), path, None).await;
        assert_eq!(got, status, "{method} {path}: {body}");
        assert!(
            body["error"]["message"].is_string(),
            "{method} {path}: {body}"
        );
    }
    for (path, field) in [
        ("/api/v1/contacts?limit=500", "limit"),
        ("/api/v1/contacts?email=nobody", "email"),
    ] {
        let (status, body) = app.send(GET, path, None).await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (422, Some(field)),
            "{path}: {body}"
        );
    }
    let (status, body) = app
        .send(POST, "/api/v1/groups", Some(json!({"name": "  "})))
        .await;
    assert_eq!(
        (status, problem_fields(&body)),
        (422, vec!["name".to_string()])
    );
    for (field, body) in [
        (
            "key",
            json!({"key": "Shoe Size", "label": "Shoe size", "kind": "text"}),
        ),
        (
            "kind",
            json!({"key": "shoe", "label": "Shoe size", "kind": "colour"}),
        ),
        ("label", json!({"key": "shoe", "label": "", "kind": "text"})),
    ] {
        let (status, answer) = app.send(POST, "/api/v1/custom-fields", Some(body)).await;
        assert_eq!(
            (status, problem_fields(&answer)),
            (422, vec![field.to_string()]),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let app = TestApp::spawn().await;
    for token in ["", "hf_not_a_real_token"] {
        let (status, body) = app.send_as(token, GET, "/api/v1/contacts", None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthorized")),
            "{token}"
        );
        let new = Some(json!({"email": "sneaky@example.org"}));
        assert_eq!(
            app.send_as(token, POST, "/api/v1/contacts", new).await.0,
            401
        );
    }
    let basic = app
        .client
        .get(app.url("/api/v1/groups"))
        .header("authorization", "Basic YTpi");
    assert_eq!(common::read(basic).await.0, 401);
    let (_, page) = app.send(GET, "/api/v1/contacts", None).await;
    assert_eq!(page["data"], json!([]));
}

#[path = "api_contacts/bulk.rs"]
mod bulk;
#[path = "api_contacts/csv_import.rs"]
mod csv_import;
#[path = "api_contacts/groups.rs"]
mod groups;
#[path = "api_contacts/isolation.rs"]
mod isolation;
#[path = "api_contacts/openapi.rs"]
mod openapi;
