//! CSRF: a state-changing request made with the session cookie must come from
//! our own pages. Two checks, both required:
//!
//! 1. Origin. Browsers say where a request comes from: `Sec-Fetch-Site` must be
//!    `same-origin`, and `Origin` (when sent) must name this host. Requests with
//!    neither header do not come from a browser page; the token still applies.
//! 2. Token. The session's secret CSRF token, in the `X-CSRF-Token` header or an
//!    `_csrf` field of a url-encoded form. Another site can neither read it nor
//!    (for the header) send it.

use app::session::{CSRF_FIELD, CSRF_HEADER};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The largest form body read to find the token.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    CrossSite,
    MissingToken,
    WrongToken,
    FormTooLarge,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Refusal::CrossSite => (
                StatusCode::FORBIDDEN,
                "Refused: this request came from another site. Hookflow only accepts changes made from its own pages.",
            ),
            Refusal::MissingToken => (
                StatusCode::FORBIDDEN,
                "Refused: this request did not carry the page's security token (CSRF). Reload the page and try again.",
            ),
            Refusal::WrongToken => (
                StatusCode::FORBIDDEN,
                "Refused: the page's security token (CSRF) does not match your session. Reload the page and try again.",
            ),
            Refusal::FormTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Refused: the form is larger than 2 MB.",
            ),
        };
        (status, message).into_response()
    }
}

/// POST, PUT, PATCH and DELETE change things; GET, HEAD and OPTIONS must not.
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Check 1: refuses what a browser sent on another site's behalf.
pub fn same_origin(headers: &HeaderMap) -> Result<(), Refusal> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site != "same-origin") {
        return Err(Refusal::CrossSite);
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return Ok(());
    };
    let origin = url::Url::parse(origin).ok().and_then(|u| {
        let host = u.host_str()?.to_ascii_lowercase();
        Some(match u.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
    });
    // Behind a proxy that rewrites Host, X-Forwarded-Host names the public one.
    let ours = |name| text(name).map(normalise_host);
    let matches = origin.is_some_and(|o| {
        ours(header::HOST.as_str()).as_ref() == Some(&o)
            || ours("x-forwarded-host").as_ref() == Some(&o)
    });
    if matches {
        Ok(())
    } else {
        Err(Refusal::CrossSite)
    }
}

fn normalise_host(host: &str) -> String {
    let host = host
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let host = host.strip_suffix(":80").unwrap_or(&host);
    host.strip_suffix(":443").unwrap_or(host).to_string()
}

/// Check 2: the token, from the header or the form. Gives the request back with
/// its body intact for the handler.
pub async fn check_token(req: Request, expected: &str) -> Result<Request, Refusal> {
    if let Some(sent) = req.headers().get(CSRF_HEADER) {
        return if equal(sent.as_bytes(), expected.as_bytes()) {
            Ok(req)
        } else {
            Err(Refusal::WrongToken)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(Refusal::MissingToken);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| Refusal::FormTooLarge)?;
    let sent = url::form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.into_owned());
    match sent {
        None => Err(Refusal::MissingToken),
        Some(sent) if equal(sent.as_bytes(), expected.as_bytes()) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        Some(_) => Err(Refusal::WrongToken),
    }
}

/// Compares in time that does not depend on where the first difference is.
fn equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn requests_from_our_own_pages_pass_the_origin_check() {
        let host = ("host", "127.0.0.1:3000");
        assert_eq!(same_origin(&headers(&[host])), Ok(()));
        let same = [
            host,
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(same_origin(&headers(&same)), Ok(()));
        let proxied = [
            ("host", "hookflow.internal:8080"),
            ("x-forwarded-host", "app.example.org"),
            ("origin", "https://app.example.org"),
        ];
        assert_eq!(same_origin(&headers(&proxied)), Ok(()));
        let default_port = [
            ("host", "app.example.org:443"),
            ("origin", "https://app.example.org"),
        ];
        assert_eq!(same_origin(&headers(&default_port)), Ok(()));
    }

    #[test]
    fn requests_from_other_sites_are_refused() {
        let host = ("host", "127.0.0.1:3000");
        for bad in [
            [host, ("origin", "https://evil.example")],
            [host, ("origin", "null")],
            [host, ("sec-fetch-site", "cross-site")],
            [host, ("sec-fetch-site", "same-site")],
        ] {
            assert_eq!(
                same_origin(&headers(&bad)),
                Err(Refusal::CrossSite),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(equal(b"abc", b"abc"));
        assert!(!equal(b"abc", b"abd"));
        assert!(!equal(b"abc", b"abcd"));
        assert!(!equal(b"", b"abc"));
    }
}
