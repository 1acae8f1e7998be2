//! The OpenAPI document is what the server serves: every route is in it, every
//! documented operation is answered by a real handler, and the bearer scheme is
//! declared.

use super::common::{self, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The routes of contacts, groups and custom fields (other modules add theirs).
const ROUTES: [(&str, &str); 19] = [
    ("get", "/contacts"),
    ("post", "/contacts"),
    ("get", "/contacts/{id}"),
    ("patch", "/contacts/{id}"),
    ("delete", "/contacts/{id}"),
    ("post", "/contacts/bulk"),
    ("get", "/contacts/{id}/groups"),
    ("get", "/groups"),
    ("post", "/groups"),
    ("get", "/groups/{id}"),
    ("patch", "/groups/{id}"),
    ("delete", "/groups/{id}"),
    ("get", "/groups/{id}/members"),
    ("put", "/groups/{id}/members/{contact_id}"),
    ("delete", "/groups/{id}/members/{contact_id}"),
    ("get", "/custom-fields"),
    ("post", "/custom-fields"),
    ("delete", "/custom-fields/{key}"),
    ("get", "/openapi.json"),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            found.insert((method.to_string(), path.clone()));
        }
    }
    found
}

/// Every `$ref` in the document.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes_and_declares_bearer_tokens() {
    let app = TestApp::spawn().await;
    let (status, doc) = common::read(app.client.get(app.url("/api/v1/openapi.json"))).await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer_auth"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "hf_… (hookflow token create)"})
    );
    assert_eq!(doc["security"], json!([{"bearer_auth": []}]));

    let documented = operations(&doc);
    for (method, path) in ROUTES {
        assert!(
            documented.contains(&(method.into(), path.into())),
            "{method} {path} is not documented"
        );
    }
    let mut dangling = Vec::new();
    refs(&doc, &mut dangling);
    dangling.retain(|r| {
        let name = r.trim_start_matches("#/components/schemas/");
        doc["components"]["schemas"].get(name).is_none()
    });
    assert!(dangling.is_empty(), "unresolved references: {dangling:?}");
    let fields = &doc["components"]["schemas"]["ContactBody"]["properties"];
    assert_eq!(
        fields["consent_type"]["enum"],
        json!(["express", "implied", null])
    );
    assert_eq!(fields["birthdate"]["format"], "date");

    // Every documented operation reaches a real handler: not the "no such
    // endpoint" fallback, not 405, never a server error.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "0")
            .replace("{contact_id}", "0")
            .replace("{key}", "nope");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        let (status, answer) = app
            .send(method.clone(), &format!("/api/v1{concrete}"), body)
            .await;
        assert!(
            status < 500 && status != 405,
            "{method} {path}: {status} {answer}"
        );
        assert_ne!(
            answer["error"]["message"], "no such API endpoint",
            "{method} {path}"
        );
    }
}
