//! The Test button: one request with a test payload, sent now and never retried,
//! so the marketer sees at once whether the destination accepts it.

use crate::auth::random_base62;
use crate::model::AccountId;
use crate::webhook::config::WebhookStepConfig;
use crate::webhook::payload::{ContactRecord, EventId, build_payload, to_bytes};
use crate::webhook::sender::{ErrorClass, OutgoingRequest, Sender, StepHeaders};
use crate::webhook::signing::{SigningSecret, sign};
use crate::webhook::test_result::TestSendResult;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use std::borrow::Cow;

/// Sends the step's payload once, for `contact` or, when none is picked, the
/// article's sample member, with a fresh `test_evt_…` id, the step's headers and
/// (with `secret`) a Standard Webhooks signature. Every failure is part of the
/// result: there is nothing to retry and nothing to record.
pub async fn test_send(
    sender: &Sender,
    config: &WebhookStepConfig,
    account: AccountId,
    contact: Option<&ContactRecord>,
    secret: Option<&SigningSecret>,
    now: DateTime<Utc>,
) -> TestSendResult {
    let event_id = EventId::test(&random_base62(25)).expect("25 base62 characters are a valid id");
    let contact = contact.map_or_else(|| Cow::Owned(ContactRecord::sample_member()), Cow::Borrowed);
    let body = Bytes::from(to_bytes(&build_payload(
        &event_id, now, account, &contact, config,
    )));
    let headers = StepHeaders::parse(
        config
            .headers()
            .iter()
            .map(|h| (h.name().as_str(), h.value().as_str())),
    );
    let request = OutgoingRequest {
        url: config.url(),
        headers: &headers,
        body: body.clone(),
        webhook_id: event_id.to_string(),
        timestamp: now.timestamp(),
        secret,
    };
    let request_headers = shown_headers(&request, config, &sender.config().user_agent);

    let outcome = sender.send(request).await;
    tracing::info!(
        event_id = event_id.as_str(),
        accepted = outcome.accepted,
        status = outcome.status,
        error = outcome.error.as_ref().map(ErrorClass::code),
        "webhook test send"
    );
    TestSendResult {
        accepted: outcome.accepted,
        status: outcome.status,
        error_code: outcome.error.as_ref().map(|e| e.code().to_string()),
        error_message: outcome.error.as_ref().map(ErrorClass::message),
        duration_ms: u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX),
        response_excerpt: cut(outcome.excerpt, TestSendResult::EXCERPT_MAX_BYTES),
        event_id: event_id.into(),
        request_body: String::from_utf8(body.to_vec()).expect("JSON is UTF-8"),
        request_headers,
    }
}

/// The headers as the sender puts them on the wire (the step's, then the
/// default user agent unless the step sets one, then Hookflow's own), with the
/// step's secret values masked. The signature is shown: it proves nothing
/// without the secret and helps a receiver debug its verification.
fn shown_headers(
    request: &OutgoingRequest<'_>,
    config: &WebhookStepConfig,
    default_user_agent: &str,
) -> Vec<(String, String)> {
    let mut shown: Vec<(String, String)> = config
        .headers()
        .iter()
        .map(|h| {
            let redacted = h.redacted();
            (redacted.name, redacted.value)
        })
        .collect();
    let own_agent = config
        .headers()
        .iter()
        .any(|h| h.name().matches("user-agent"));
    if !own_agent {
        shown.push(("user-agent".into(), default_user_agent.to_string()));
    }
    shown.push(("content-type".into(), "application/json".into()));
    shown.push(("webhook-id".into(), request.webhook_id.clone()));
    shown.push(("webhook-timestamp".into(), request.timestamp.to_string()));
    if let Some(secret) = request.secret {
        let signature = sign(
            secret,
            &request.webhook_id,
            request.timestamp,
            &request.body,
        );
        shown.push(("webhook-signature".into(), signature));
    }
    shown
}

/// At most `max` bytes of `text`, cut on a character boundary.
fn cut(mut text: String, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn a_long_excerpt_is_cut_without_splitting_a_character() {
        assert_eq!(cut("ok".into(), 2048), "ok");
        assert_eq!(cut("aé".into(), 2), "a");
        assert_eq!(cut("x".repeat(5000), 2048).len(), 2048);
    }
}
