//! Sending a webhook to a real HTTP receiver on loopback and reading what came of it.
#![cfg(feature = "server")]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use hookflow::webhook::policy::DestinationPolicy;
use hookflow::webhook::sender::{
    ErrorClass, OutgoingRequest, RetryAfter, Sender, SenderConfig, StepHeaders,
};
use hookflow::webhook::signing::SigningSecret;
use hookflow::webhook::url::WebhookUrl;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// What the receiver saw of one request.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Received>>>;

struct Receiver {
    addr: SocketAddr,
    log: Log,
}

impl Receiver {
    /// A destination with one route per kind of answer a webhook can get.
    async fn start() -> Receiver {
        let log = Log::default();
        let app = Router::new()
            .route("/ok", post(|| async { "thanks" }))
            .route("/no-content", post(|| async { StatusCode::NO_CONTENT }))
            .route(
                "/bad",
                post(|| async { (StatusCode::BAD_REQUEST, "missing field: email") }),
            )
            .route(
                "/down",
                post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database is down") }),
            )
            .route(
                "/moved",
                post(|| async { (StatusCode::FOUND, [(header::LOCATION, "/ok")]) }),
            )
            .route(
                "/busy",
                post(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "30")]) }),
            )
            .route("/slow", post(slow))
            .route("/huge", post(|| async { "x".repeat(10 * 1024 * 1024) }))
            .layer(axum::middleware::from_fn_with_state(log.clone(), record))
            .with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { addr, log }
    }

    fn url(&self, path: &str) -> WebhookUrl {
        WebhookUrl::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

async fn record(
    State(log): State<Log>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path().to_string();
    log.lock().unwrap().push(Received {
        path,
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    next.run(axum::extract::Request::from_parts(parts, body.into()))
        .await
}

async fn slow() -> impl IntoResponse {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "too late"
}

fn loopback_allowed() -> SenderConfig {
    SenderConfig {
        policy: DestinationPolicy::parse_allow_list("127.0.0.0/8").unwrap(),
        ..SenderConfig::default()
    }
}

fn sender(config: SenderConfig) -> Sender {
    Sender::new(config).unwrap()
}

static NO_HEADERS: LazyLock<StepHeaders> = LazyLock::new(|| StepHeaders::parse([]));

fn request(url: &WebhookUrl) -> OutgoingRequest<'_> {
    OutgoingRequest {
        url,
        headers: &NO_HEADERS,
        body: Bytes::from_static(br#"{"id":"evt_1","event":"automation.webhook.send"}"#),
        webhook_id: "evt_1".into(),
        timestamp: 1_716_900_000,
        secret: None,
    }
}

#[tokio::test]
async fn a_2xx_answer_is_accepted() {
    let rx = Receiver::start().await;
    let sender = sender(loopback_allowed());
    for (path, status, excerpt) in [("/ok", 200, "thanks"), ("/no-content", 204, "")] {
        let outcome = sender.send(request(&rx.url(path))).await;
        assert!(outcome.accepted, "{path}: {outcome:?}");
        assert_eq!(
            (outcome.status, outcome.error, outcome.excerpt.as_str()),
            (Some(status), None, excerpt)
        );
    }
}

#[tokio::test]
async fn an_error_status_is_pending_work_and_keeps_the_start_of_the_answer() {
    let rx = Receiver::start().await;
    let sender = sender(loopback_allowed());
    for (path, status, excerpt) in [
        ("/bad", 400, "missing field: email"),
        ("/down", 500, "database is down"),
    ] {
        let outcome = sender.send(request(&rx.url(path))).await;
        assert!(!outcome.accepted);
        assert_eq!(outcome.status, Some(status));
        assert_eq!(outcome.error, Some(ErrorClass::HttpStatus(status)));
        assert_eq!(outcome.error.unwrap().code(), "http_status");
        assert_eq!(outcome.excerpt, excerpt);
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_its_location_is_named() {
    let rx = Receiver::start().await;
    let outcome = sender(loopback_allowed())
        .send(request(&rx.url("/moved")))
        .await;
    assert!(!outcome.accepted);
    assert_eq!(outcome.status, Some(302));
    let error = outcome.error.unwrap();
    assert_eq!(
        error,
        ErrorClass::RedirectNotFollowed {
            location: Some("/ok".into())
        }
    );
    assert!(error.message().contains("/ok"), "{}", error.message());
    let paths: Vec<_> = rx.received().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/moved"],
        "the redirect target must not be requested"
    );
}

#[tokio::test]
async fn a_busy_destination_says_when_to_come_back() {
    let rx = Receiver::start().await;
    let outcome = sender(loopback_allowed())
        .send(request(&rx.url("/busy")))
        .await;
    assert_eq!((outcome.accepted, outcome.status), (false, Some(429)));
    assert_eq!(outcome.error, Some(ErrorClass::HttpStatus(429)));
    assert_eq!(outcome.retry_after, Some(RetryAfter::Seconds(30)));
}

#[tokio::test]
async fn a_destination_slower_than_the_total_timeout_times_out() {
    let rx = Receiver::start().await;
    let config = SenderConfig {
        total_timeout: Duration::from_millis(200),
        ..loopback_allowed()
    };
    let outcome = sender(config).send(request(&rx.url("/slow"))).await;
    assert!(!outcome.accepted);
    assert_eq!(outcome.status, None);
    assert_eq!(outcome.error.map(|e| e.code()), Some("timed_out"));
}

#[tokio::test]
async fn a_huge_answer_is_cut_and_only_its_start_is_kept() {
    let rx = Receiver::start().await;
    let outcome = sender(loopback_allowed())
        .send(request(&rx.url("/huge")))
        .await;
    assert!(outcome.accepted);
    assert_eq!(outcome.excerpt.len(), 2048);
    assert!(outcome.excerpt.bytes().all(|b| b == b'x'));
}

#[tokio::test]
async fn the_receiver_gets_standard_webhooks_headers_and_a_signature_it_can_verify() {
    let rx = Receiver::start().await;
    let secret = SigningSecret::generate();
    let url = rx.url("/ok");
    let headers = StepHeaders::parse([
        ("Authorization", "Bearer crm-token"),
        ("X-Api-Key", "k-123"),
        ("User-Agent", "AcmeCRM-Connector"),
        // A step cannot forge what Hookflow itself vouches for.
        ("Content-Type", "text/plain"),
        ("webhook-signature", "v1,forged"),
    ]);
    let req = OutgoingRequest {
        secret: Some(&secret),
        headers: &headers,
        ..request(&url)
    };
    let body = req.body.clone();
    assert!(sender(loopback_allowed()).send(req).await.accepted);

    let received = rx.received().pop().unwrap();
    let h = |name: &str| {
        received
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(received.body, body);
    assert_eq!(h("content-type").as_deref(), Some("application/json"));
    assert_eq!(h("webhook-id").as_deref(), Some("evt_1"));
    assert_eq!(h("webhook-timestamp").as_deref(), Some("1716900000"));
    assert_eq!(h("authorization").as_deref(), Some("Bearer crm-token"));
    assert_eq!(h("x-api-key").as_deref(), Some("k-123"));
    assert_eq!(h("user-agent").as_deref(), Some("AcmeCRM-Connector"));
    assert_eq!(
        received.headers.get_all("webhook-signature").iter().count(),
        1
    );

    // Verified the way a receiver would, without Hookflow's own signing code.
    let key = secret.expose_whsec();
    let key = base64::engine::general_purpose::STANDARD
        .decode(key.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "{}.{}.",
            h("webhook-id").unwrap(),
            h("webhook-timestamp").unwrap()
        )
        .as_bytes(),
    );
    mac.update(&received.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(h("webhook-signature"), Some(format!("v1,{expected}")));
}

#[tokio::test]
async fn without_a_secret_there_is_no_signature_and_the_default_user_agent_is_hookflow() {
    let rx = Receiver::start().await;
    assert!(
        sender(loopback_allowed())
            .send(request(&rx.url("/ok")))
            .await
            .accepted
    );
    let received = rx.received().pop().unwrap();
    assert!(received.headers.get("webhook-signature").is_none());
    let agent = received
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(agent, format!("Hookflow/{}", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn a_header_that_cannot_go_on_the_wire_fails_the_attempt_by_name_and_sends_nothing() {
    let rx = Receiver::start().await;
    let url = rx.url("/ok");
    for (name, value) in [("X-Token", "line\r\nbreak"), ("Bad Name", "v")] {
        let headers = StepHeaders::parse([("X-Ok", "fine"), (name, value)]);
        let outcome = sender(loopback_allowed())
            .send(OutgoingRequest {
                headers: &headers,
                ..request(&url)
            })
            .await;
        assert!(!outcome.accepted);
        assert_eq!(
            outcome.error,
            Some(ErrorClass::InvalidHeader { name: name.into() })
        );
        // The value is a secret's place: the message names the header only.
        assert!(!outcome.error.unwrap().message().contains("break"));
    }
    assert!(rx.received().is_empty());
}

#[tokio::test]
async fn without_the_allowlist_loopback_is_refused_and_the_receiver_sees_nothing() {
    let rx = Receiver::start().await;
    let sender = sender(SenderConfig::default());
    let by_name = WebhookUrl::parse(&format!("http://localhost:{}/ok", rx.addr.port())).unwrap();
    let as_decimal =
        WebhookUrl::parse(&format!("http://2130706433:{}/ok", rx.addr.port())).unwrap();
    let mapped =
        WebhookUrl::parse(&format!("http://[::ffff:127.0.0.1]:{}/ok", rx.addr.port())).unwrap();
    for url in [rx.url("/ok"), by_name, as_decimal, mapped] {
        let outcome = sender.send(request(&url)).await;
        assert!(!outcome.accepted);
        let error = outcome.error.unwrap();
        assert_eq!(error.code(), "address_not_allowed", "{url}: {error}");
        assert!(error.message().contains("loopback"), "{}", error.message());
    }
    assert!(
        rx.received().is_empty(),
        "nothing may reach a refused destination"
    );
}

#[tokio::test]
async fn a_closed_port_is_connection_refused() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = WebhookUrl::parse(&format!("http://127.0.0.1:{port}/hook")).unwrap();
    let outcome = sender(loopback_allowed()).send(request(&url)).await;
    assert_eq!(outcome.error, Some(ErrorClass::ConnectionRefused));
    assert_eq!(outcome.status, None);
}

#[tokio::test]
async fn an_unknown_name_is_dns_not_found() {
    let url = WebhookUrl::parse("https://hookflow-test.invalid/hook").unwrap();
    let outcome = sender(loopback_allowed()).send(request(&url)).await;
    assert_eq!(
        outcome.error,
        Some(ErrorClass::DnsNotFound {
            host: "hookflow-test.invalid".into()
        })
    );
    assert_eq!(
        outcome.error.unwrap().message(),
        "DNS name not found: hookflow-test.invalid"
    );
}

#[tokio::test]
async fn https_to_a_plain_http_destination_is_a_tls_failure() {
    let rx = Receiver::start().await;
    let url = WebhookUrl::parse(&format!("https://{}/ok", rx.addr)).unwrap();
    let outcome = sender(loopback_allowed()).send(request(&url)).await;
    assert_eq!(
        outcome.error.as_ref().map(ErrorClass::code),
        Some("tls_failure"),
        "{outcome:?}"
    );
}
