//! One account's token never reaches another account's contacts, groups or
//! custom fields: it gets 404, and their data stays as it was.

use super::common::TestApp;
use super::{DELETE, GET, PATCH, POST, PUT, id};
use serde_json::json;

#[tokio::test]
async fn another_accounts_contacts_and_groups_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let (b, b_token) = app.new_account("admin@other.example").await;
    let theirs = json!({"email": "x@other.example", "firstname": "X"});
    let (_, their_contact) = app
        .send_as(&b_token, POST, "/api/v1/contacts", Some(theirs))
        .await;
    let (_, their_group) = app
        .send_as(
            &b_token,
            POST,
            "/api/v1/groups",
            Some(json!({"name": "Theirs"})),
        )
        .await;
    let field = json!({"key": "secret", "label": "Secret", "kind": "text"});
    app.send_as(&b_token, POST, "/api/v1/custom-fields", Some(field))
        .await;
    let (_, my_group) = app
        .send(POST, "/api/v1/groups", Some(json!({"name": "Mine"})))
        .await;
    let (c, g, mine) = (id(&their_contact), id(&their_group), id(&my_group));
    let change = Some(json!({"firstname": "Hacked"}));
    for (method, path, body) in [
        (GET, format!("/api/v1/contacts/{c}"), None),
        (PATCH, format!("/api/v1/contacts/{c}"), change),
        (DELETE, format!("/api/v1/contacts/{c}"), None),
        (GET, format!("/api/v1/contacts/{c}/groups"), None),
        (GET, format!("/api/v1/groups/{g}"), None),
        (
            PATCH,
            format!("/api/v1/groups/{g}"),
            Some(json!({"name": "Hacked"})),
        ),
        (DELETE, format!("/api/v1/groups/{g}"), None),
        (GET, format!("/api/v1/groups/{g}/members"), None),
        (PUT, format!("/api/v1/groups/{g}/members/{c}"), None),
        (PUT, format!("/api/v1/groups/{mine}/members/{c}"), None),
        (DELETE, "/api/v1/custom-fields/secret".to_string(), None),
    ] {
        let (status, answer) = app.send(method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    assert_eq!(
        app.send(GET, "/api/v1/contacts?email=x@other.example", None)
            .await
            .1["data"],
        json!([])
    );
    assert_eq!(
        app.send(GET, "/api/v1/contacts", None).await.1["data"],
        json!([])
    );
    assert_eq!(
        app.send(GET, "/api/v1/custom-fields", None).await.1["data"],
        json!([])
    );
    // Their data is as they left it.
    let (status, contact) = app
        .send_as(&b_token, GET, &format!("/api/v1/contacts/{c}"), None)
        .await;
    assert_eq!(
        (status, &contact["fields"]),
        (200, &json!({"firstname": "X"}))
    );
    let (_, group) = app
        .send_as(&b_token, GET, &format!("/api/v1/groups/{g}"), None)
        .await;
    assert_eq!(
        (group["name"].as_str(), group["members"].as_i64()),
        (Some("Theirs"), Some(0))
    );
    assert_eq!(
        app.send_as(&b_token, GET, "/api/v1/custom-fields", None)
            .await
            .1["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let kinds: Vec<String> = app.events(b).await.into_iter().map(|(_, k, _)| k).collect();
    assert_eq!(kinds, ["contact_created"]);
    assert!(app.events(app.account).await.is_empty());
}
