//! What the Test button shows: whether the destination accepted the test request
//! and, when it did not, why, in words a marketer can act on.
//!
//! Pure data, so the browser app can receive it; the sending itself is in
//! `webhook::test_send` (server only).

use serde::{Deserialize, Serialize};

/// The result of one test request. A green check mark when `accepted`, otherwise
/// a red X whose "See error code" view shows the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestSendResult {
    /// The destination answered 2xx.
    pub accepted: bool,
    /// The HTTP status, when the destination answered at all.
    pub status: Option<u16>,
    /// A stable code (`http_status`, `connection_refused`, `dns_not_found`,
    /// `tls_failure`, `timed_out`, `address_not_allowed`,
    /// `redirect_not_followed`, …); `None` exactly when `accepted`.
    pub error_code: Option<String>,
    /// The same error in plain words.
    pub error_message: Option<String>,
    /// Wall time of the request, answer included.
    pub duration_ms: u64,
    /// The start of the answer's body, at most [`TestSendResult::EXCERPT_MAX_BYTES`].
    pub response_excerpt: String,
    /// The `test_evt_…` id of the test payload (also its `webhook-id`).
    pub event_id: String,
    /// The exact JSON body sent.
    pub request_body: String,
    /// The headers Hookflow and the step put on the request, in order, with the
    /// step's secret values masked. Transport headers (Host, Content-Length) are
    /// left out.
    pub request_headers: Vec<(String, String)>,
}

impl TestSendResult {
    /// How much of the destination's answer is shown.
    pub const EXCERPT_MAX_BYTES: usize = 2048;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_travels_to_the_browser_and_back_unchanged() {
        let result = TestSendResult {
            accepted: false,
            status: Some(500),
            error_code: Some("http_status".into()),
            error_message: Some("the destination answered HTTP 500 Internal Server Error".into()),
            duration_ms: 12,
            response_excerpt: "database is down".into(),
            event_id: "test_evt_GppedVq2CWTWxUUxrm26bic0C".into(),
            request_body: r#"{"id":"test_evt_GppedVq2CWTWxUUxrm26bic0C"}"#.into(),
            request_headers: vec![("Authorization".into(), "••••••••".into())],
        };
        let json = serde_json::to_string(&result).unwrap();
        assert!(
            json.contains(r#""request_headers":[["Authorization","••••••••"]]"#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<TestSendResult>(&json).unwrap(),
            result
        );
    }
}
