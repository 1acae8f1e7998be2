//! The open pixel and tracked links, as an email client uses them: a valid token
//! counts, a forged or altered one counts nothing and redirects nowhere.

use super::common::TestApp;
use super::{POST, contact, events};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};

/// A mailing, a contact and the links embedded in that contact's email.
pub async fn tracked(app: &TestApp) -> (i64, Value) {
    let (_, contact) = app
        .send(
            POST,
            "/api/v1/contacts",
            Some(json!({"email": "dee@example.org"})),
        )
        .await;
    let (status, mailing) = app
        .send(POST, "/api/v1/mailings", Some(json!({"name": "June"})))
        .await;
    assert_eq!(status, 201, "{mailing}");
    let body = json!({"contact_id": contact["id"], "url": "https://example.org/offer?x=1"});
    let (status, links) = app
        .send(
            POST,
            &format!("/api/v1/mailings/{}/tracking-links", mailing["id"]),
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "{links}");
    (contact["id"].as_i64().unwrap(), links)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_valid_open_and_click_count_in_the_contacts_statistics() {
    let app = TestApp::spawn().await;
    let (id, links) = tracked(&app).await;
    let pixel = app
        .client
        .get(app.url(links["pixel_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(pixel.status(), 200);
    assert_eq!(pixel.headers()[CONTENT_TYPE], "image/gif");
    assert!(
        pixel.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    assert_eq!(pixel.bytes().await.unwrap().len(), 43);

    let click = no_redirects()
        .get(app.url(links["click_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 302);
    assert_eq!(click.headers()[LOCATION], "https://example.org/offer?x=1");

    let fields = contact(&app, "dee@example.org").await["fields"].clone();
    assert_eq!(
        (
            fields["mailings_opened"].clone(),
            fields["links_clicked"].clone()
        ),
        (json!(1), json!(1))
    );
    assert!(
        fields["last_open_date"].is_string() && fields["last_click_date"].is_string(),
        "{fields}"
    );
    assert_eq!(events(&app, "email_opened").await.len(), 1);
    let clicks = events(&app, "link_clicked").await;
    assert_eq!(clicks.len(), 1);
    assert_eq!(
        (clicks[0].0, &clicks[0].1["url"]),
        (id, &json!("https://example.org/offer?x=1"))
    );
}

#[tokio::test]
async fn a_forged_or_altered_token_records_nothing_and_redirects_nowhere() {
    let app = TestApp::spawn().await;
    let (_, links) = tracked(&app).await;
    let pixel = links["pixel_url"].as_str().unwrap();
    let (base, query) = links["click_url"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap();
    let altered = |s: &str| {
        let last = s.chars().last().unwrap();
        format!(
            "{}{}",
            &s[..s.len() - 1],
            if last == 'A' { 'B' } else { 'A' }
        )
    };
    for path in [altered(pixel), "/t/o/%%%".to_string(), "/t/o/x".to_string()] {
        let res = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()[CONTENT_TYPE], "image/gif");
    }
    let elsewhere = format!("{base}?u=https%3A%2F%2Fevil.example%2F");
    for path in [
        format!("{}?{query}", altered(base)),
        elsewhere,
        base.to_string(),
    ] {
        let res = no_redirects().get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert!(res.headers().get(LOCATION).is_none());
    }
    assert!(events(&app, "email_opened").await.is_empty());
    assert!(events(&app, "link_clicked").await.is_empty());
    assert!(
        contact(&app, "dee@example.org").await["fields"]
            .get("mailings_opened")
            .is_none()
    );
}
