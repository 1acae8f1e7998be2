//! `POST /contacts/bulk`: up to 1000 contacts in one call, one result each.

use super::common::TestApp;
use super::{POST, problem_fields};
use serde_json::{Value, json};

#[tokio::test]
async fn a_bulk_upsert_of_1000_mixed_items_reports_each_one() {
    let app = TestApp::spawn().await;
    app.send(
        POST,
        "/api/v1/contacts",
        Some(json!({"email": "c2@bulk.example", "firstname": "Old"})),
    )
    .await;
    let items: Vec<Value> = (0..1000)
        .map(|i| match i % 10 {
            0 => json!({"email": format!("c{i}@bulk.example"), "birthdate": "soon"}),
            1 => json!({"email": format!("not-an-email-{i}"), "firstname": "X"}),
            _ => json!({"email": format!("c{i}@bulk.example"), "firstname": format!("C{i}")}),
        })
        .collect();
    let body = json!({"contacts": items});
    let (status, report) = app
        .send(POST, "/api/v1/contacts/bulk", Some(body.clone()))
        .await;
    assert_eq!(status, 200, "{report}");
    let counts =
        |r: &Value| ["created", "updated", "unchanged", "invalid"].map(|k| r[k].as_u64().unwrap());
    assert_eq!(counts(&report), [799, 1, 0, 200]);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    assert_eq!(
        (
            results[0]["status"].as_str(),
            problem_fields(&json!({"error": results[0]}))
        ),
        (Some("invalid"), vec!["birthdate".into()])
    );
    assert_eq!(results[1]["problems"][0]["field"], "email");
    assert_eq!(
        (results[2]["status"].as_str(), &results[2]["changed"]),
        (Some("updated"), &json!(["firstname"]))
    );
    assert_eq!(
        (results[3]["status"].as_str(), results[3]["index"].as_u64()),
        (Some("created"), Some(3))
    );
    let (_, again) = app.send(POST, "/api/v1/contacts/bulk", Some(body)).await;
    assert_eq!(counts(&again), [0, 0, 800, 200]);
    let created = app
        .events(app.account)
        .await
        .iter()
        .filter(|(_, k, _)| k == "contact_created")
        .count();
    assert_eq!(created, 800);
    let too_many = json!({"contacts": vec![json!({"email": "a@b.org"}); 1001]});
    let (status, body) = app
        .send(POST, "/api/v1/contacts/bulk", Some(too_many))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("contacts"))
    );
}
