//! Groups and their members, and custom fields, through the API.

use super::common::TestApp;
use super::{DELETE, GET, PATCH, POST, PUT, id, problem_fields};
use serde_json::{Value, json};

#[tokio::test]
async fn groups_are_managed_and_membership_changes_are_announced() {
    let app = TestApp::spawn().await;
    let (status, vip) = app
        .send(POST, "/api/v1/groups", Some(json!({"name": " VIP "})))
        .await;
    assert_eq!(
        (status, vip["name"].as_str(), vip["members"].as_i64()),
        (201, Some("VIP"), Some(0)),
        "{vip}"
    );
    let g = id(&vip);
    let (status, body) = app
        .send(POST, "/api/v1/groups", Some(json!({"name": "VIP"})))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (409, Some("name"))
    );
    let (_, ann) = app
        .send(
            POST,
            "/api/v1/contacts",
            Some(json!({"email": "ann@example.org"})),
        )
        .await;
    let c = id(&ann);
    let member = format!("/api/v1/groups/{g}/members/{c}");
    assert_eq!(
        app.send(PUT, &member, None).await.1,
        json!({"group_id": g, "contact_id": c, "changed": true})
    );
    assert_eq!(app.send(PUT, &member, None).await.1["changed"], false);

    let (_, members) = app
        .send(GET, &format!("/api/v1/groups/{g}/members?limit=10"), None)
        .await;
    assert_eq!(members["data"][0]["id"], c);
    let (_, groups) = app
        .send(GET, &format!("/api/v1/contacts/{c}/groups"), None)
        .await;
    assert_eq!(groups["data"][0]["name"], "VIP");
    let (_, all) = app.send(GET, "/api/v1/groups", None).await;
    assert_eq!(all["data"][0]["members"], 1);
    let (status, renamed) = app
        .send(
            PATCH,
            &format!("/api/v1/groups/{g}"),
            Some(json!({"name": "Very important"})),
        )
        .await;
    assert_eq!(
        (status, renamed["name"].as_str()),
        (200, Some("Very important"))
    );
    assert_eq!(
        app.send(GET, &format!("/api/v1/groups/{g}"), None).await.1["name"],
        "Very important"
    );

    assert_eq!(app.send(DELETE, &member, None).await.0, 204);
    assert_eq!(app.send(DELETE, &member, None).await.0, 204);
    assert_eq!(
        app.send(DELETE, &format!("/api/v1/groups/{g}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        app.send(GET, &format!("/api/v1/groups/{g}"), None).await.0,
        404
    );
    let kinds: Vec<(String, Value)> = app
        .events(app.account)
        .await
        .into_iter()
        .map(|(_, k, d)| (k, d))
        .collect();
    assert_eq!(
        kinds,
        [
            ("contact_created".into(), json!({})),
            ("added_to_group".into(), json!({"group_id": g})),
            ("removed_from_group".into(), json!({"group_id": g})),
        ]
    );
}

#[tokio::test]
async fn custom_fields_extend_what_a_contact_can_hold() {
    let app = TestApp::spawn().await;
    let points = json!({"key": "points", "label": "Loyalty points", "kind": "number"});
    let (status, created) = app
        .send(POST, "/api/v1/custom-fields", Some(points.clone()))
        .await;
    assert_eq!((status, &created), (201, &points));
    let (status, body) = app
        .send(POST, "/api/v1/custom-fields", Some(points.clone()))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (409, Some("key"))
    );
    assert_eq!(
        app.send(GET, "/api/v1/custom-fields", None).await.1,
        json!({"data": [points]})
    );
    let (_, ann) = app
        .send(
            POST,
            "/api/v1/contacts",
            Some(json!({"email": "ann@example.org", "points": "12"})),
        )
        .await;
    assert_eq!(ann["fields"]["points"], 12);
    let path = format!("/api/v1/contacts/{}", id(&ann));
    let (status, body) = app
        .send(PATCH, &path, Some(json!({"points": "many"})))
        .await;
    assert_eq!(
        (status, problem_fields(&body)),
        (422, vec!["points".to_string()])
    );
    assert_eq!(
        app.send(DELETE, "/api/v1/custom-fields/points", None)
            .await
            .0,
        204
    );
    assert_eq!(
        app.send(DELETE, "/api/v1/custom-fields/points", None)
            .await
            .0,
        404
    );
    assert_eq!(app.send(GET, &path, None).await.1["fields"], json!({}));
}
