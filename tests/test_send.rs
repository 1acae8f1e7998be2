//! The Test button, against a real HTTP receiver on loopback.
#![cfg(feature = "server")]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use hookflow::model::{AccountId, ContactId, Email};
use hookflow::webhook::headers::SECRET_MASK;
use hookflow::webhook::policy::DestinationPolicy;
use hookflow::webhook::sender::{Sender, SenderConfig};
use hookflow::webhook::signing::SigningSecret;
use hookflow::webhook::test_result::TestSendResult;
use hookflow::webhook::test_send::test_send;
use hookflow::webhook::{ContactRecord, HeaderInput, WebhookStepConfig, WebhookStepInput};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// What the receiver saw of one request.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Received>>>;

struct Receiver {
    addr: SocketAddr,
    log: Log,
}

impl Receiver {
    async fn start() -> Receiver {
        let log = Log::default();
        let app = Router::new()
            .route("/ok", post(|| async { "thanks" }))
            .route(
                "/down",
                post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database is down") }),
            )
            .route(
                "/moved",
                post(|| async { (StatusCode::FOUND, [(header::LOCATION, "/ok")]) }),
            )
            .layer(axum::middleware::from_fn_with_state(log.clone(), record))
            .with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { addr, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    fn only_request(&self) -> Received {
        let mut received = self.received();
        assert_eq!(received.len(), 1, "exactly one request, never retried");
        received.pop().unwrap()
    }
}

async fn record(
    State(log): State<Log>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    log.lock().unwrap().push(Received {
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    next.run(axum::extract::Request::from_parts(parts, body.into()))
        .await
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| v.to_str().unwrap().to_string())
}

fn shown(result: &TestSendResult, name: &str) -> Option<String> {
    result
        .request_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn loopback_allowed() -> Sender {
    Sender::new(SenderConfig {
        policy: DestinationPolicy::parse_allow_list("127.0.0.0/8").unwrap(),
        ..SenderConfig::default()
    })
    .unwrap()
}

/// A new step (email, first name, last name ticked) sending to `url`.
fn step(url: &str, headers: Vec<HeaderInput>) -> WebhookStepConfig {
    let input = WebhookStepInput {
        url: url.into(),
        headers,
        ..WebhookStepInput::for_new_step()
    };
    WebhookStepConfig::parse(&input, &[], None).unwrap()
}

fn header(name: &str, value: &str, secret: bool) -> HeaderInput {
    HeaderInput {
        name: name.into(),
        value: Some(value.into()),
        secret,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-28T12:56:40Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn send(
    sender: &Sender,
    config: &WebhookStepConfig,
    contact: Option<&ContactRecord>,
    secret: Option<&SigningSecret>,
) -> TestSendResult {
    test_send(sender, config, AccountId(3), contact, secret, now()).await
}

#[tokio::test]
async fn the_test_button_sends_the_articles_sample_member_and_the_destination_accepts_it() {
    let rx = Receiver::start().await;
    let result = send(
        &loopback_allowed(),
        &step(&rx.url("/ok"), vec![]),
        None,
        None,
    )
    .await;

    assert!(result.accepted, "{result:?}");
    assert_eq!(result.status, Some(200));
    assert_eq!(result.error_code, None);
    assert_eq!(result.error_message, None);
    assert_eq!(result.response_excerpt, "thanks");
    let random = result.event_id.strip_prefix("test_evt_").unwrap();
    assert!(random.len() == 25 && random.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(
        result.request_body,
        format!(
            r#"{{"id":"{}","event":"automation.webhook.send","timestamp":"2024-05-28T12:56:40Z","idClient":3,"data":{{"type":"member","id":54321,"email":"john.doe@example.org","firstname":"John","lastname":"Doe"}}}}"#,
            result.event_id
        )
    );

    let received = rx.only_request();
    assert_eq!(received.body, result.request_body.as_bytes());
    let h = |name| header_text(&received.headers, name);
    assert_eq!(h("content-type").as_deref(), Some("application/json"));
    assert_eq!(h("webhook-id"), Some(result.event_id.clone()));
    assert_eq!(h("webhook-timestamp"), Some(now().timestamp().to_string()));
    assert!(h("webhook-signature").is_none());
    assert_eq!(shown(&result, "webhook-id"), Some(result.event_id.clone()));
    assert_eq!(shown(&result, "user-agent"), h("user-agent"));
}

#[tokio::test]
async fn a_contact_picked_by_the_marketer_is_sent_instead_of_the_sample() {
    let rx = Receiver::start().await;
    let ada = ContactRecord {
        id: ContactId(777),
        email: Email::parse("ada@example.org").unwrap(),
        values: [("firstname", "Ada"), ("lastname", "Lovelace")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    };
    let result = send(
        &loopback_allowed(),
        &step(&rx.url("/ok"), vec![]),
        Some(&ada),
        None,
    )
    .await;

    assert!(result.accepted, "{result:?}");
    let received: Value = serde_json::from_slice(&rx.only_request().body).unwrap();
    assert_eq!(received["id"], json!(result.event_id));
    assert_eq!(received["idClient"], json!(3));
    assert_eq!(
        received["data"],
        json!({"type":"member","id":777,"email":"ada@example.org","firstname":"Ada","lastname":"Lovelace"})
    );
}

#[tokio::test]
async fn step_headers_reach_the_destination_and_secret_ones_are_masked_in_the_result() {
    let rx = Receiver::start().await;
    let config = step(
        &rx.url("/ok"),
        vec![
            header("Authorization", "Bearer crm-token", true),
            header("X-Source", "hookflow", false),
            header("User-Agent", "AcmeCRM-Connector", false),
        ],
    );
    let result = send(&loopback_allowed(), &config, None, None).await;
    assert!(result.accepted, "{result:?}");

    let received = rx.only_request();
    let h = |name| header_text(&received.headers, name);
    assert_eq!(h("authorization").as_deref(), Some("Bearer crm-token"));
    assert_eq!(h("x-source").as_deref(), Some("hookflow"));
    assert_eq!(h("user-agent").as_deref(), Some("AcmeCRM-Connector"));

    let shown_pairs: Vec<(&str, &str)> = result
        .request_headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        shown_pairs[..3],
        [
            ("Authorization", SECRET_MASK),
            ("X-Source", "hookflow"),
            ("User-Agent", "AcmeCRM-Connector"),
        ]
    );
    let result_json = serde_json::to_string(&result).unwrap();
    assert!(!result_json.contains("crm-token"), "{result_json}");
}

#[tokio::test]
async fn a_500_is_not_accepted_and_shows_the_status_and_the_start_of_the_answer() {
    let rx = Receiver::start().await;
    let result = send(
        &loopback_allowed(),
        &step(&rx.url("/down"), vec![]),
        None,
        None,
    )
    .await;

    assert!(!result.accepted);
    assert_eq!(result.status, Some(500));
    assert_eq!(result.error_code.as_deref(), Some("http_status"));
    assert_eq!(
        result.error_message.as_deref(),
        Some("the destination answered HTTP 500 Internal Server Error")
    );
    assert!(result.response_excerpt.contains("database is down"));
    assert_eq!(rx.received().len(), 1, "a test send is never retried");
}

#[tokio::test]
async fn a_closed_port_is_connection_refused() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = step(&format!("http://127.0.0.1:{port}/hook"), vec![]);
    let result = send(&loopback_allowed(), &config, None, None).await;

    assert!(!result.accepted);
    assert_eq!(result.status, None);
    assert_eq!(result.error_code.as_deref(), Some("connection_refused"));
    assert!(
        result
            .error_message
            .unwrap()
            .starts_with("connection refused")
    );
    assert!(
        result.request_body.contains("test_evt_"),
        "the body is shown even when nothing answered"
    );
}

#[tokio::test]
async fn without_the_allowlist_loopback_is_not_allowed_and_the_receiver_gets_nothing() {
    let rx = Receiver::start().await;
    let sender = Sender::new(SenderConfig::default()).unwrap();
    let result = send(&sender, &step(&rx.url("/ok"), vec![]), None, None).await;

    assert!(!result.accepted);
    assert_eq!(result.status, None);
    assert_eq!(result.error_code.as_deref(), Some("address_not_allowed"));
    assert!(result.error_message.unwrap().contains("loopback"));
    assert!(
        rx.received().is_empty(),
        "nothing may reach a refused destination"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let rx = Receiver::start().await;
    let result = send(
        &loopback_allowed(),
        &step(&rx.url("/moved"), vec![]),
        None,
        None,
    )
    .await;

    assert!(!result.accepted);
    assert_eq!(result.status, Some(302));
    assert_eq!(result.error_code.as_deref(), Some("redirect_not_followed"));
    assert!(result.error_message.unwrap().contains("/ok"));
    assert_eq!(
        rx.received().len(),
        1,
        "the redirect target must not be requested"
    );
}

#[tokio::test]
async fn with_a_signing_secret_the_destination_can_verify_the_test_request() {
    let rx = Receiver::start().await;
    let secret = SigningSecret::generate();
    let result = send(
        &loopback_allowed(),
        &step(&rx.url("/ok"), vec![]),
        None,
        Some(&secret),
    )
    .await;
    assert!(result.accepted, "{result:?}");

    // Verified the way a receiver would, without Hookflow's own signing code.
    let received = rx.only_request();
    let h = |name| header_text(&received.headers, name).unwrap();
    let key = BASE64
        .decode(secret.expose_whsec().strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", h("webhook-id"), h("webhook-timestamp")).as_bytes());
    mac.update(&received.body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    assert_eq!(h("webhook-signature"), expected);
    assert_eq!(h("webhook-id"), result.event_id);
    assert_eq!(shown(&result, "webhook-signature"), Some(expected));
}
