//! Sending one webhook request and recording what came of it.
//!
//! One [`Sender`] (one connection pool) serves every delivery. It never follows
//! redirects, never uses a proxy from the environment, connects only to
//! addresses the [`DestinationPolicy`] allows, and never reads more of an answer
//! than it needs. It does not retry: the retry schedule is work as data, elsewhere.

mod body;
mod outcome;
mod retry_after;

pub use outcome::{AttemptOutcome, ErrorClass, outcome_words};
pub use retry_after::RetryAfter;

use crate::webhook::policy::{DestinationPolicy, PolicyResolver};
use crate::webhook::signing::{SigningSecret, sign};
use crate::webhook::url::WebhookUrl;
use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// Time to resolve the name, connect and finish the TLS handshake.
    pub connect_timeout: Duration,
    /// Time for the whole attempt, answer included; a slow destination must not
    /// hold a worker longer than this.
    pub total_timeout: Duration,
    /// How much of an answer is read at most.
    pub max_response_bytes: usize,
    /// How much of it is kept for the delivery log.
    pub excerpt_bytes: usize,
    pub policy: DestinationPolicy,
    /// Sent unless the step configures its own `User-Agent` header.
    pub user_agent: String,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_response_bytes: 64 * 1024,
            excerpt_bytes: 2048,
            policy: DestinationPolicy::default(),
            user_agent: format!("Hookflow/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// One request of one delivery attempt. Not `Debug`: the headers carry the
/// step's API keys and tokens.
#[derive(Clone)]
pub struct OutgoingRequest<'a> {
    pub url: &'a WebhookUrl,
    /// The step's headers.
    pub headers: &'a StepHeaders,
    /// The JSON payload, frozen when the contact reached the step.
    pub body: Bytes,
    /// `webhook-id`: the same on every retry, so receivers can deduplicate.
    pub webhook_id: String,
    /// `webhook-timestamp`, seconds since the Unix epoch, of this attempt.
    pub timestamp: i64,
    pub secret: Option<&'a SigningSecret>,
}

#[derive(Debug, thiserror::Error)]
#[error("could not set up the HTTP client for webhooks: {0}")]
pub struct SenderBuildError(#[source] reqwest::Error);

#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    config: Arc<SenderConfig>,
}

impl Sender {
    pub fn new(config: SenderConfig) -> Result<Self, SenderBuildError> {
        let resolver = PolicyResolver::new(Arc::new(config.policy.clone()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(resolver)
            // HTTPS_PROXY in the server's environment must not reroute webhooks
            // around the destination policy.
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(SenderBuildError)?;
        Ok(Sender {
            client,
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &SenderConfig {
        &self.config
    }

    /// Sends the request once. Every failure is an outcome, never an `Err`:
    /// the caller records it and lets the retry schedule decide.
    pub async fn send(&self, req: OutgoingRequest<'_>) -> AttemptOutcome {
        let started = Instant::now();
        let mut outcome = self.attempt(req).await;
        outcome.duration = started.elapsed();
        tracing::debug!(
            status = outcome.status,
            error = outcome.error.as_ref().map(ErrorClass::code),
            duration_ms = outcome.duration.as_millis() as u64,
            "webhook attempt"
        );
        outcome
    }

    async fn attempt(&self, req: OutgoingRequest<'_>) -> AttemptOutcome {
        // reqwest connects to IP literals without asking the resolver.
        if let Err(blocked) = self.config.policy.check_url(req.url) {
            return failed(ErrorClass::AddressNotAllowed(blocked));
        }
        let headers = match request_headers(&req) {
            Ok(headers) => headers,
            Err(class) => return failed(class),
        };
        let https = req.url.as_url().scheme() == "https";
        let sent = self
            .client
            .post(req.url.as_url().clone())
            .headers(headers)
            .body(req.body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => return failed(ErrorClass::from_reqwest(&err, https)),
        };

        let status = response.status();
        let header_text =
            |name: HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok());
        let retry_after = header_text(header::RETRY_AFTER).and_then(RetryAfter::parse);
        let location = header_text(header::LOCATION).map(str::to_string);
        let read = body::read_capped(response.bytes_stream(), self.config.max_response_bytes).await;

        let accepted = status.is_success();
        AttemptOutcome {
            accepted,
            status: Some(status.as_u16()),
            error: (!accepted).then(|| ErrorClass::from_status(status.as_u16(), location)),
            duration: Duration::ZERO,
            excerpt: body::excerpt(&read, self.config.excerpt_bytes),
            retry_after,
        }
    }
}

fn failed(error: ErrorClass) -> AttemptOutcome {
    AttemptOutcome {
        accepted: false,
        status: None,
        error: Some(error),
        duration: Duration::ZERO,
        excerpt: String::new(),
        retry_after: None,
    }
}

/// A step's own headers, parsed once for all of its requests. They were
/// validated when the step was saved; one that is not valid here anyway makes
/// every attempt fail with [`ErrorClass::InvalidHeader`], naming it.
#[derive(Clone)]
pub struct StepHeaders(Result<HeaderMap, ErrorClass>);

impl StepHeaders {
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> StepHeaders {
        let parsed = pairs
            .into_iter()
            .try_fold(HeaderMap::new(), |mut headers, (name, value)| {
                let invalid = || ErrorClass::InvalidHeader {
                    name: name.to_string(),
                };
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
                let mut value = HeaderValue::from_str(value).map_err(|_| invalid())?;
                // API keys and tokens live here; keep them out of Debug output.
                value.set_sensitive(true);
                headers.append(name, value);
                Ok(headers)
            });
        StepHeaders(parsed)
    }
}

/// The step's headers, then Hookflow's own, which replace any of the same name:
/// a step cannot forge the signature or change the content type.
fn request_headers(req: &OutgoingRequest<'_>) -> Result<HeaderMap, ErrorClass> {
    let mut headers = req.headers.0.clone()?;
    let invalid = |name: &str| ErrorClass::InvalidHeader {
        name: name.to_string(),
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        HeaderName::from_static("webhook-id"),
        HeaderValue::from_str(&req.webhook_id).map_err(|_| invalid("webhook-id"))?,
    );
    headers.insert(
        HeaderName::from_static("webhook-timestamp"),
        HeaderValue::from(req.timestamp),
    );
    if let Some(secret) = req.secret {
        let signature = sign(secret, &req.webhook_id, req.timestamp, &req.body);
        headers.insert(
            HeaderName::from_static("webhook-signature"),
            HeaderValue::try_from(signature).map_err(|_| invalid("webhook-signature"))?,
        );
    }
    Ok(headers)
}
