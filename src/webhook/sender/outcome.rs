//! What one attempt to deliver a webhook came to, in words a marketer can act on.

use super::RetryAfter;
use crate::webhook::policy::{ALLOW_NETWORKS_VAR, Blocked, ResolveError};
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

/// The record of one attempt: the delivery log shows it, the retry schedule
/// reads `accepted` and `retry_after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The destination answered 2xx. Nothing else counts, not even a 3xx.
    pub accepted: bool,
    /// The HTTP status, when the destination answered at all.
    pub status: Option<u16>,
    /// Why the attempt was not accepted; `None` exactly when `accepted`.
    pub error: Option<ErrorClass>,
    /// Wall time from the start of the attempt to the end of reading the answer.
    pub duration: Duration,
    /// The start of the response body (see `SenderConfig::excerpt_bytes`).
    pub excerpt: String,
    /// The destination's own `Retry-After`, when it sent a readable one.
    pub retry_after: Option<RetryAfter>,
}

/// Why an attempt was not accepted. [`ErrorClass::code`] is stable (stored,
/// filtered on, shown in the API); [`ErrorClass::message`] is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    DnsNotFound {
        host: String,
    },
    ConnectionRefused,
    TlsFailure {
        detail: String,
    },
    TimedOut,
    AddressNotAllowed(Blocked),
    /// A 3xx: Hookflow never follows redirects, so the URL must be the final one.
    RedirectNotFollowed {
        location: Option<String>,
    },
    /// Any other status outside 2xx.
    HttpStatus(u16),
    /// A configured header could not be put on the wire.
    InvalidHeader {
        name: String,
    },
    /// Any other network failure (reset, closed early, protocol error).
    ConnectionError {
        detail: String,
    },
}

impl ErrorClass {
    pub fn code(&self) -> &'static str {
        match self {
            ErrorClass::DnsNotFound { .. } => "dns_not_found",
            ErrorClass::ConnectionRefused => "connection_refused",
            ErrorClass::TlsFailure { .. } => "tls_failure",
            ErrorClass::TimedOut => "timed_out",
            ErrorClass::AddressNotAllowed(_) => "address_not_allowed",
            ErrorClass::RedirectNotFollowed { .. } => "redirect_not_followed",
            ErrorClass::HttpStatus(_) => "http_status",
            ErrorClass::InvalidHeader { .. } => "invalid_header",
            ErrorClass::ConnectionError { .. } => "connection_error",
        }
    }

    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The class of a status that is not 2xx; `location` is the redirect target.
    pub(crate) fn from_status(status: u16, location: Option<String>) -> Self {
        if (300..400).contains(&status) {
            ErrorClass::RedirectNotFollowed { location }
        } else {
            ErrorClass::HttpStatus(status)
        }
    }

    /// Reads a reqwest error down its source chain: our resolver's verdict and
    /// the operating system's error kind are more precise than reqwest's flags.
    pub(crate) fn from_reqwest(err: &reqwest::Error, https: bool) -> Self {
        match find::<ResolveError>(err) {
            Some(ResolveError::NotFound { host }) => {
                return ErrorClass::DnsNotFound { host: host.clone() };
            }
            Some(ResolveError::Blocked { blocked, .. }) => {
                return ErrorClass::AddressNotAllowed(*blocked);
            }
            None => {}
        }
        if err.is_timeout() {
            return ErrorClass::TimedOut;
        }
        let io_kinds = || {
            chain(err)
                .filter_map(|e| e.downcast_ref::<io::Error>())
                .map(io::Error::kind)
        };
        if io_kinds().any(|kind| kind == io::ErrorKind::ConnectionRefused) {
            ErrorClass::ConnectionRefused
        } else if io_kinds().any(|kind| kind == io::ErrorKind::TimedOut) {
            ErrorClass::TimedOut
        } else if https
            && err.is_connect()
            && io_kinds().any(|kind| kind == io::ErrorKind::InvalidData)
        {
            // rustls reports handshake and certificate failures as InvalidData
            // while connecting; after connecting, that kind means something else.
            ErrorClass::TlsFailure {
                detail: innermost(err),
            }
        } else {
            ErrorClass::ConnectionError {
                detail: innermost(err),
            }
        }
    }
}

/// Plain words for an outcome as the delivery log keeps it: the stable code of
/// an error class (or of how the store ended a delivery) and the HTTP status,
/// when there was one. The details an attempt saw (host, TLS message) are not
/// kept, so these words stay general.
pub fn outcome_words(code: Option<&str>, status: Option<i64>) -> String {
    match (code, status) {
        (None, Some(s)) if (200..300).contains(&s) => format!("accepted (HTTP {s})"),
        (Some("http_status") | None, Some(s)) => {
            format!("HTTP {s}: the destination answered, but not with a success (2xx)")
        }
        (Some("redirect_not_followed"), s) => format!(
            "{}a redirect: redirects are not followed, use the final URL",
            s.map(|s| format!("HTTP {s}, ")).unwrap_or_default()
        ),
        (Some("dns_not_found"), _) => "DNS name not found: the host name does not exist".into(),
        (Some("connection_refused"), _) => {
            "connection refused: nothing accepts connections at this address and port".into()
        }
        (Some("tls_failure"), _) => "TLS (https) connection failed".into(),
        (Some("timed_out"), _) => "timed out: the destination did not answer in time".into(),
        (Some("address_not_allowed"), _) => {
            "address not allowed: Hookflow does not send webhooks to private networks".into()
        }
        (Some("invalid_header"), _) => "a configured header could not be sent".into(),
        (Some("connection_error"), _) => {
            "the connection failed (reset, closed early or a protocol error)".into()
        }
        (Some("window_closed"), _) => {
            "not accepted within the retry window: no further attempt".into()
        }
        (Some("cancelled"), _) => "cancelled by a person: no further attempt".into(),
        (Some(other), _) => other.replace('_', " "),
        (None, None) => "accepted".into(),
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorClass::DnsNotFound { host } => write!(f, "DNS name not found: {host}"),
            ErrorClass::ConnectionRefused => f.write_str(
                "connection refused: nothing accepts connections at this address and port",
            ),
            ErrorClass::TlsFailure { detail } => {
                write!(f, "TLS (https) connection failed: {detail}")
            }
            ErrorClass::TimedOut => {
                f.write_str("timed out: the destination did not answer in time")
            }
            ErrorClass::AddressNotAllowed(blocked) => write!(
                f,
                "{blocked}: Hookflow does not send webhooks to private networks \
                 (an operator can allow one in {ALLOW_NETWORKS_VAR})"
            ),
            ErrorClass::RedirectNotFollowed {
                location: Some(location),
            } => write!(
                f,
                "the destination redirects to {location}; redirects are not followed, use the final URL"
            ),
            ErrorClass::RedirectNotFollowed { location: None } => {
                f.write_str("the destination answered with a redirect; redirects are not followed")
            }
            ErrorClass::HttpStatus(status) => {
                let reason = reqwest::StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason());
                write!(f, "the destination answered HTTP {status}")?;
                reason.map_or(Ok(()), |reason| write!(f, " {reason}"))
            }
            ErrorClass::InvalidHeader { name } => {
                write!(f, "the header {name} cannot be sent as it is")
            }
            ErrorClass::ConnectionError { detail } => write!(f, "connection error: {detail}"),
        }
    }
}

/// The error and its causes. `io::Error` hides a wrapped error from
/// `source()` (it returns the inner error's source), so look inside it.
fn chain<'e>(
    err: &'e (dyn StdError + 'static),
) -> impl Iterator<Item = &'e (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e| cause(*e))
}

fn cause<'e>(err: &'e (dyn StdError + 'static)) -> Option<&'e (dyn StdError + 'static)> {
    match err.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
        Some(inner) => Some(inner),
        None => err.source(),
    }
}

fn find<'e, T: StdError + 'static>(err: &'e (dyn StdError + 'static)) -> Option<&'e T> {
    chain(err).find_map(|e| e.downcast_ref::<T>())
}

/// The deepest cause: reqwest's own message ("error sending request") says
/// nothing; the bottom of the chain says what went wrong.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    chain(err)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_reads_each_kept_outcome_in_plain_words() {
        assert_eq!(outcome_words(None, Some(200)), "accepted (HTTP 200)");
        assert!(outcome_words(Some("http_status"), Some(500)).starts_with("HTTP 500: "));
        assert!(
            outcome_words(Some("redirect_not_followed"), Some(302))
                .starts_with("HTTP 302, a redirect")
        );
        assert!(outcome_words(Some("connection_refused"), None).starts_with("connection refused"));
        assert!(outcome_words(Some("window_closed"), None).contains("no further attempt"));
        assert!(outcome_words(Some("cancelled"), None).starts_with("cancelled"));
        assert_eq!(outcome_words(Some("something_new"), None), "something new");
    }

    #[test]
    fn codes_are_stable_snake_case_and_messages_plain() {
        let blocked = Blocked {
            ip: "127.0.0.1".parse().unwrap(),
            reason: "loopback",
        };
        let cases = [
            (
                ErrorClass::DnsNotFound {
                    host: "x.invalid".into(),
                },
                "dns_not_found",
                "DNS name not found: x.invalid",
            ),
            (
                ErrorClass::HttpStatus(500),
                "http_status",
                "the destination answered HTTP 500 Internal Server Error",
            ),
            (
                ErrorClass::HttpStatus(599),
                "http_status",
                "the destination answered HTTP 599",
            ),
            (
                ErrorClass::AddressNotAllowed(blocked),
                "address_not_allowed",
                "the address 127.0.0.1 is not allowed",
            ),
            (
                ErrorClass::from_status(302, Some("https://new.example.org/".into())),
                "redirect_not_followed",
                "redirects to https://new.example.org/",
            ),
        ];
        for (class, code, words) in cases {
            assert_eq!(class.code(), code);
            assert!(class.message().contains(words), "{}", class.message());
        }
    }
}
