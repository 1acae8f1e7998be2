//! The destination URL of a Send a Webhook step, parsed once.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A complete `http://` or `https://` URL with a host and no credentials.
///
/// IPv4 hosts written in decimal, octal or hex are normalised to dotted form by the
/// WHATWG parser, so the destination policy always sees the real address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebhookUrl(url::Url);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("enter the destination URL")]
    Empty,
    #[error("the URL is longer than 2048 characters")]
    TooLong,
    #[error("this is not a complete URL: {0} (it must start with http:// or https://)")]
    Invalid(String),
    #[error("the URL must start with http:// or https://, not {0}://")]
    Scheme(String),
    #[error("the URL has no host name")]
    NoHost,
    #[error("put credentials in a header, not in the URL (user:password@ is not allowed)")]
    Credentials,
}

impl WebhookUrl {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UrlError::Empty);
        }
        if raw.len() > Self::MAX_LEN {
            return Err(UrlError::TooLong);
        }
        let url = url::Url::parse(raw).map_err(|e| UrlError::Invalid(e.to_string()))?;
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(UrlError::Scheme(other.to_string())),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlError::NoHost);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Credentials);
        }
        Ok(WebhookUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// The host as the URL names it (a domain, or an IP address literal).
    pub fn host(&self) -> url::Host<&str> {
        self.0.host().expect("checked at parse")
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.0
            .port_or_known_default()
            .expect("http and https have defaults")
    }

    /// `host:port`, the key used for per-destination concurrency caps.
    pub fn destination_key(&self) -> String {
        format!("{}:{}", self.0.host_str().unwrap_or_default(), self.port())
    }
}

impl TryFrom<String> for WebhookUrl {
    type Error = UrlError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        WebhookUrl::parse(&value)
    }
}

impl From<WebhookUrl> for String {
    fn from(u: WebhookUrl) -> String {
        u.0.into()
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_http_and_https_urls_are_accepted() {
        let u = WebhookUrl::parse(" https://hooks.example.org/in?x=1 ").unwrap();
        assert_eq!(u.as_str(), "https://hooks.example.org/in?x=1");
        assert_eq!(u.port(), 443);
        assert_eq!(
            WebhookUrl::parse("http://example.org:8080/")
                .unwrap()
                .destination_key(),
            "example.org:8080"
        );
    }

    #[test]
    fn incomplete_or_unsafe_urls_are_refused_with_a_reason() {
        assert_eq!(WebhookUrl::parse("  "), Err(UrlError::Empty));
        assert!(matches!(
            WebhookUrl::parse("example.org/hook"),
            Err(UrlError::Invalid(_))
        ));
        assert_eq!(
            WebhookUrl::parse("ftp://example.org/"),
            Err(UrlError::Scheme("ftp".into()))
        );
        assert_eq!(
            WebhookUrl::parse("https://u:p@example.org/"),
            Err(UrlError::Credentials)
        );
        assert_eq!(
            WebhookUrl::parse(&format!("https://e.org/{}", "a".repeat(2100))),
            Err(UrlError::TooLong)
        );
    }

    #[test]
    fn numeric_ipv4_notations_are_normalised() {
        for raw in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
        ] {
            let u = WebhookUrl::parse(raw).unwrap();
            assert_eq!(u.as_url().host_str(), Some("127.0.0.1"), "{raw}");
        }
    }
}
