//! Request headers of a Send a Webhook step (API keys, bearer tokens, …).
//!
//! Names and values are parsed so that nothing typed in the editor can break the
//! request (header injection through CR/LF) or override what Hookflow itself sets
//! (Host, Content-Type, the Standard Webhooks signature headers). Secret values are
//! write-only: the editor only ever gets a mask back, and an edit can keep the saved
//! secret without knowing it.

use crate::webhook::config::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the editor shows instead of a saved secret value.
pub const SECRET_MASK: &str = "••••••••";

/// A header name: an RFC 9110 token, not one Hookflow sets itself. Keeps the
/// spelling the marketer chose; compare with [`HeaderName::matches`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HeaderName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderNameError {
    #[error("enter a header name")]
    Empty,
    #[error("a header name is at most {max} characters", max = HeaderName::MAX_LEN)]
    TooLong,
    #[error("\"{0}\" is not a valid header name: use letters, digits and - (no spaces, no :)")]
    Invalid(String),
    #[error("the {name} header is set by Hookflow ({why})")]
    Refused { name: String, why: &'static str },
}

impl HeaderName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, HeaderNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(HeaderNameError::Empty);
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(HeaderNameError::TooLong);
        }
        if !name.chars().all(is_tchar) {
            return Err(HeaderNameError::Invalid(name.to_string()));
        }
        if let Some(why) = refusal(&name.to_ascii_lowercase()) {
            return Err(HeaderNameError::Refused {
                name: name.to_string(),
                why,
            });
        }
        Ok(HeaderName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Header names are case-insensitive (RFC 9110 §5.1).
    pub fn matches(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other.trim())
    }
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Why Hookflow keeps a header for itself, given its lower-cased name.
fn refusal(lower: &str) -> Option<&'static str> {
    match lower {
        "host" => Some("it comes from the URL"),
        "content-length" => Some("it is computed from the payload"),
        "content-type" => Some("it is always application/json"),
        // Hop-by-hop headers: letting them through would break request framing.
        "transfer-encoding" | "connection" | "keep-alive" | "upgrade" | "te" | "trailer"
        | "proxy-connection" => Some("it controls the connection"),
        _ if lower.starts_with("webhook-") => {
            Some("headers starting with webhook- carry the webhook signature")
        }
        _ => None,
    }
}

/// A header value: no line breaks or other control characters, bounded length.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HeaderValue(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderValueError {
    #[error("enter a value for this header")]
    Empty,
    #[error("a header value is at most {max} characters", max = HeaderValue::MAX_LEN)]
    TooLong,
    #[error("a header value cannot contain line breaks or other control characters")]
    ControlCharacter,
    #[error("enter the value again: there is no saved secret for this header")]
    NoSavedSecret,
}

impl HeaderValue {
    pub const MAX_LEN: usize = 4096;

    /// Trims surrounding whitespace (a pasted token often ends with a newline).
    pub fn parse(raw: &str) -> Result<Self, HeaderValueError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(HeaderValueError::Empty);
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(HeaderValueError::TooLong);
        }
        // CR, LF and NUL would allow header injection; other controls are refused
        // by HTTP clients anyway, so refuse them here with a clear message.
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(HeaderValueError::ControlCharacter);
        }
        Ok(HeaderValue(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Never print a value: it may be a secret, and Debug output ends up in logs.
impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HeaderValue(..)")
    }
}

/// One header of a step, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    name: HeaderName,
    value: HeaderValue,
    secret: bool,
}

impl Header {
    pub fn new(name: HeaderName, value: HeaderValue, secret: bool) -> Self {
        Header {
            name,
            value,
            secret,
        }
    }

    pub fn name(&self) -> &HeaderName {
        &self.name
    }

    /// The real value, for sending. Never show it in the editor: use [`Header::redacted`].
    pub fn value(&self) -> &HeaderValue {
        &self.value
    }

    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// What the editor may see.
    pub fn redacted(&self) -> RedactedHeader {
        RedactedHeader {
            name: self.name.as_str().to_string(),
            value: if self.secret {
                SECRET_MASK.to_string()
            } else {
                self.value.as_str().to_string()
            },
            secret_set: self.secret,
        }
    }
}

/// A saved header as the editor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedHeader {
    pub name: String,
    /// The value, or [`SECRET_MASK`] when a secret is set.
    pub value: String,
    /// A secret value is saved; it can be replaced, never read.
    pub secret_set: bool,
}

impl RedactedHeader {
    /// The input an unchanged row sends back: a saved secret is kept, not resent.
    pub fn to_input(&self) -> HeaderInput {
        HeaderInput {
            name: self.name.clone(),
            value: if self.secret_set {
                None
            } else {
                Some(self.value.clone())
            },
            secret: self.secret_set,
        }
    }
}

/// One header row of the editor's form, as the browser sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeaderInput {
    #[serde(default)]
    pub name: String,
    /// `None` (or the mask sent back unchanged) keeps the secret saved under the
    /// same name; any other value replaces it.
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

/// At most this many headers per step.
pub const MAX_HEADERS: usize = 20;
/// Bound on all names and values together, well under common server limits (8 KiB).
pub const MAX_TOTAL_LEN: usize = 8192;

/// Parses the header rows of an edit. `saved` are the headers of the step as saved
/// before this edit, whose secrets a row may keep. Returns every problem found.
pub fn parse_headers(
    inputs: &[HeaderInput],
    saved: &[Header],
) -> Result<Vec<Header>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if inputs.len() > MAX_HEADERS {
        errors.push(FieldError::new(
            "headers",
            format!(
                "a step can have at most {MAX_HEADERS} headers (there are {})",
                inputs.len()
            ),
        ));
    }
    let mut headers: Vec<Header> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let name = row_name(&inputs[..i], &input.name);
        let value = row_value(input, name.as_ref().ok(), saved);
        match (name, value) {
            (Ok(name), Ok((value, secret))) => headers.push(Header::new(name, value, secret)),
            (name, value) => {
                if let Err(message) = name {
                    errors.push(FieldError::new(format!("headers[{i}].name"), message));
                }
                // A kept secret cannot be looked up without a valid name; the name
                // error alone says what to fix.
                if let Err(Some(e)) = value {
                    errors.push(FieldError::new(format!("headers[{i}].value"), e));
                }
            }
        }
    }
    let total: usize = headers
        .iter()
        .map(|h| h.name.0.chars().count() + h.value.0.chars().count())
        .sum();
    if total > MAX_TOTAL_LEN {
        errors.push(FieldError::new(
            "headers",
            format!("the headers together are longer than {MAX_TOTAL_LEN} characters"),
        ));
    }
    if errors.is_empty() {
        Ok(headers)
    } else {
        Err(errors)
    }
}

/// The name of one row, which no earlier row may use in any case.
fn row_name(earlier: &[HeaderInput], raw: &str) -> Result<HeaderName, String> {
    let name = HeaderName::parse(raw).map_err(|e| e.to_string())?;
    if earlier.iter().any(|row| name.matches(&row.name)) {
        return Err(format!(
            "the {} header is already in the list",
            name.as_str()
        ));
    }
    Ok(name)
}

/// The value of one row and whether it is secret. `Err(None)`: nothing to say
/// about the value beyond the name's own error.
fn row_value(
    input: &HeaderInput,
    name: Option<&HeaderName>,
    saved: &[Header],
) -> Result<(HeaderValue, bool), Option<HeaderValueError>> {
    match input.value.as_deref() {
        Some(raw) if raw != SECRET_MASK => HeaderValue::parse(raw)
            .map(|v| (v, input.secret))
            .map_err(Some),
        _ => {
            let name = name.ok_or(None)?;
            // A kept secret stays secret even if the row unticks "secret": showing
            // it would reveal a value that was write-only.
            saved
                .iter()
                .find(|h| h.secret && h.name.matches(name.as_str()))
                .map(|h| (h.value.clone(), true))
                .ok_or(Some(HeaderValueError::NoSavedSecret))
        }
    }
}

impl TryFrom<String> for HeaderName {
    type Error = HeaderNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        HeaderName::parse(&value)
    }
}

impl From<HeaderName> for String {
    fn from(n: HeaderName) -> String {
        n.0
    }
}

impl TryFrom<String> for HeaderValue {
    type Error = HeaderValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        HeaderValue::parse(&value)
    }
}

impl From<HeaderValue> for String {
    fn from(v: HeaderValue) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, value: Option<&str>, secret: bool) -> HeaderInput {
        HeaderInput {
            name: name.into(),
            value: value.map(Into::into),
            secret,
        }
    }

    fn saved_token() -> Vec<Header> {
        parse_headers(
            &[
                row("Authorization", Some("Bearer s3cret"), true),
                row("X-Source", Some("hookflow"), false),
            ],
            &[],
        )
        .unwrap()
    }

    fn errors(inputs: &[HeaderInput], saved: &[Header]) -> Vec<(String, String)> {
        parse_headers(inputs, saved)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn usual_header_names_are_accepted_as_typed() {
        for name in [
            "Authorization",
            "X-Api-Key",
            "user-agent",
            "X_Custom!#$%&'*+.^`|~9",
            "X-Webhook-Source",
        ] {
            assert_eq!(HeaderName::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(
            HeaderName::parse("  X-Api-Key ").unwrap().as_str(),
            "X-Api-Key"
        );
        assert!(HeaderName::parse("X-Api-Key").unwrap().matches("x-api-KEY"));
    }

    #[test]
    fn a_header_named_host_is_refused() {
        for name in ["Host", "HOST", "host"] {
            assert!(
                matches!(
                    HeaderName::parse(name),
                    Err(HeaderNameError::Refused { .. })
                ),
                "{name}"
            );
        }
        assert_eq!(
            HeaderName::parse("Host").unwrap_err().to_string(),
            "the Host header is set by Hookflow (it comes from the URL)"
        );
    }

    #[test]
    fn headers_hookflow_sets_itself_are_refused_with_a_reason() {
        let message = |name: &str| HeaderName::parse(name).unwrap_err().to_string();
        assert_eq!(
            message("Content-Length"),
            "the Content-Length header is set by Hookflow (it is computed from the payload)"
        );
        assert_eq!(
            message("content-type"),
            "the content-type header is set by Hookflow (it is always application/json)"
        );
        for name in [
            "Transfer-Encoding",
            "Connection",
            "Keep-Alive",
            "Upgrade",
            "TE",
            "Trailer",
            "Proxy-Connection",
        ] {
            assert_eq!(
                message(name),
                format!("the {name} header is set by Hookflow (it controls the connection)")
            );
        }
    }

    #[test]
    fn a_header_starting_with_webhook_is_refused() {
        for name in [
            "webhook-id",
            "Webhook-Signature",
            "WEBHOOK-TIMESTAMP",
            "webhook-anything",
        ] {
            assert_eq!(
                HeaderName::parse(name).unwrap_err().to_string(),
                format!(
                    "the {name} header is set by Hookflow (headers starting with webhook- carry the webhook signature)"
                )
            );
        }
        assert!(HeaderName::parse("webhooks-x").is_ok());
    }

    #[test]
    fn a_header_name_must_be_an_http_token() {
        for name in ["X Api", "X-Api:", "Clé", "a\r\nb", "(x)", "a/b", "\"q\""] {
            assert_eq!(
                HeaderName::parse(name),
                Err(HeaderNameError::Invalid(name.trim().into())),
                "{name:?}"
            );
        }
        assert_eq!(
            HeaderName::parse("X Api").unwrap_err().to_string(),
            "\"X Api\" is not a valid header name: use letters, digits and - (no spaces, no :)"
        );
        assert_eq!(
            HeaderName::parse(" ").unwrap_err().to_string(),
            "enter a header name"
        );
        assert_eq!(
            HeaderName::parse(&"x".repeat(101)).unwrap_err().to_string(),
            "a header name is at most 100 characters"
        );
        assert!(HeaderName::parse(&"x".repeat(100)).is_ok());
    }

    #[test]
    fn a_header_value_cannot_contain_line_breaks_or_control_characters() {
        for value in [
            "a\r\nX-Evil: 1",
            "a\nb",
            "a\rb",
            "a\0b",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{1b}b",
        ] {
            assert_eq!(
                HeaderValue::parse(value),
                Err(HeaderValueError::ControlCharacter),
                "{value:?}"
            );
        }
        assert_eq!(
            HeaderValueError::ControlCharacter.to_string(),
            "a header value cannot contain line breaks or other control characters"
        );
        assert_eq!(HeaderValue::parse("a\tb").unwrap().as_str(), "a\tb");
        assert_eq!(
            HeaderValue::parse("  Bearer abc\n").unwrap().as_str(),
            "Bearer abc"
        );
        assert_eq!(HeaderValue::parse("café").unwrap().as_str(), "café");
    }

    #[test]
    fn a_header_value_is_required_and_bounded() {
        assert_eq!(
            HeaderValue::parse(" ").unwrap_err().to_string(),
            "enter a value for this header"
        );
        assert!(HeaderValue::parse(&"v".repeat(4096)).is_ok());
        assert_eq!(
            HeaderValue::parse(&"v".repeat(4097))
                .unwrap_err()
                .to_string(),
            "a header value is at most 4096 characters"
        );
    }

    #[test]
    fn a_header_listed_twice_is_refused_whatever_its_case() {
        let rows = [
            row("X-Api-Key", Some("a"), false),
            row("x-api-key", Some("b"), false),
        ];
        assert_eq!(
            errors(&rows, &[]),
            [(
                "headers[1].name".into(),
                "the x-api-key header is already in the list".into()
            )]
        );
    }

    #[test]
    fn every_problem_of_every_row_is_reported() {
        let rows = [
            row("Host", Some("x"), false),
            row("X-A", Some("a\nb"), false),
            row("X B", None, true),
        ];
        assert_eq!(
            errors(&rows, &[]),
            [
                ("headers[0].name".into(), "the Host header is set by Hookflow (it comes from the URL)".into()),
                (
                    "headers[1].value".into(),
                    "a header value cannot contain line breaks or other control characters".into()
                ),
                (
                    "headers[2].name".into(),
                    "\"X B\" is not a valid header name: use letters, digits and - (no spaces, no :)".into()
                ),
            ]
        );
    }

    #[test]
    fn a_step_has_at_most_twenty_headers_of_eight_kilobytes_together() {
        let many: Vec<_> = (0..21)
            .map(|i| row(&format!("X-{i}"), Some("v"), false))
            .collect();
        assert_eq!(
            errors(&many, &[]),
            [(
                "headers".into(),
                "a step can have at most 20 headers (there are 21)".into()
            )]
        );
        let big: Vec<_> = (0..3)
            .map(|i| row(&format!("X-{i}"), Some(&"v".repeat(3000)), false))
            .collect();
        assert_eq!(
            errors(&big, &[]),
            [(
                "headers".into(),
                "the headers together are longer than 8192 characters".into()
            )]
        );
    }

    #[test]
    fn a_secret_value_is_masked_in_the_editor() {
        let saved = saved_token();
        assert_eq!(
            saved[0].redacted(),
            RedactedHeader {
                name: "Authorization".into(),
                value: SECRET_MASK.into(),
                secret_set: true
            }
        );
        assert_eq!(
            saved[1].redacted(),
            RedactedHeader {
                name: "X-Source".into(),
                value: "hookflow".into(),
                secret_set: false
            }
        );
        assert!(!format!("{saved:?}").contains("s3cret"));
    }

    #[test]
    fn an_unchanged_edit_keeps_the_saved_secret() {
        let saved = saved_token();
        let unchanged: Vec<_> = saved.iter().map(|h| h.redacted().to_input()).collect();
        assert_eq!(unchanged[0].value, None);
        assert_eq!(parse_headers(&unchanged, &saved).unwrap(), saved);
        // A form that posts the mask back unchanged means the same.
        let masked = [row("authorization", Some(SECRET_MASK), true)];
        assert_eq!(
            parse_headers(&masked, &saved).unwrap()[0].value().as_str(),
            "Bearer s3cret"
        );
    }

    #[test]
    fn a_new_secret_replaces_the_saved_one() {
        let edited = parse_headers(
            &[row("Authorization", Some("Bearer n3w"), true)],
            &saved_token(),
        )
        .unwrap();
        assert_eq!(edited[0].value().as_str(), "Bearer n3w");
        assert!(edited[0].is_secret());
    }

    #[test]
    fn a_kept_secret_stays_secret_even_when_unticked() {
        let edited = parse_headers(&[row("Authorization", None, false)], &saved_token()).unwrap();
        assert!(edited[0].is_secret());
        assert_eq!(edited[0].redacted().value, SECRET_MASK);
    }

    #[test]
    fn keeping_a_secret_that_was_never_saved_asks_for_the_value() {
        let message = "enter the value again: there is no saved secret for this header".to_string();
        // Nothing saved, a renamed header, and a saved header that was not secret.
        for name in ["Authorization", "X-Token", "X-Source"] {
            let saved = if name == "Authorization" {
                vec![]
            } else {
                saved_token()
            };
            assert_eq!(
                errors(&[row(name, None, true)], &saved),
                [("headers[0].value".into(), message.clone())]
            );
        }
    }

    #[test]
    fn a_stored_header_is_checked_when_read_back() {
        let json = serde_json::to_string(&saved_token()[0]).unwrap();
        assert_eq!(
            json,
            r#"{"name":"Authorization","value":"Bearer s3cret","secret":true}"#
        );
        assert_eq!(
            serde_json::from_str::<Header>(&json).unwrap(),
            saved_token()[0]
        );
        assert!(
            serde_json::from_str::<Header>(r#"{"name":"Host","value":"x","secret":false}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<Header>(r#"{"name":"X","value":"a\nb","secret":false}"#)
                .is_err()
        );
    }
}
