//! The session cookie: reading it, setting it, clearing it.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use hookflow::store::SESSION_LIFETIME;

pub const COOKIE_NAME: &str = "hookflow_session";

/// When the cookie is marked `Secure` (sent over https only). Set as a request
/// extension by `startup`; without it, only forwarded https requests get it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CookiePolicy {
    /// `HOOKFLOW_SECURE_COOKIES`: always, whatever the request says.
    pub always_secure: bool,
}

impl CookiePolicy {
    /// Secure when configured so, or when a proxy says the browser used https.
    pub fn secure(&self, headers: &HeaderMap) -> bool {
        self.always_secure || forwarded_https(headers)
    }

    /// `Set-Cookie` for a new session.
    pub fn set(&self, headers: &HeaderMap, value: &str) -> HeaderValue {
        let max_age = SESSION_LIFETIME.num_seconds();
        self.header(
            headers,
            &format!("{COOKIE_NAME}={value}; Max-Age={max_age}"),
        )
    }

    /// `Set-Cookie` that removes the cookie from the browser.
    pub fn clear(&self, headers: &HeaderMap) -> HeaderValue {
        self.header(headers, &format!("{COOKIE_NAME}=; Max-Age=0"))
    }

    fn header(&self, headers: &HeaderMap, start: &str) -> HeaderValue {
        let secure = if self.secure(headers) { "; Secure" } else { "" };
        HeaderValue::from_str(&format!("{start}; Path=/; HttpOnly; SameSite=Lax{secure}"))
            .expect("cookie values are base62")
    }
}

/// `X-Forwarded-Proto: https`, or `Forwarded: …proto=https…`.
fn forwarded_https(headers: &HeaderMap) -> bool {
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_ascii_lowercase())
    };
    first("x-forwarded-proto").is_some_and(|p| p == "https")
        || first("forwarded").is_some_and(|f| {
            f.split(';')
                .any(|pair| pair.trim().replace('"', "") == "proto=https")
        })
}

/// The session cookie's value, if the request has one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_behind_https() {
        let plain = CookiePolicy::default().set(&headers(&[]), "abc");
        assert_eq!(
            plain,
            "hookflow_session=abc; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"
        );
        let proxied = headers(&[("x-forwarded-proto", "https")]);
        let secure = CookiePolicy::default().set(&proxied, "abc");
        assert!(secure.to_str().unwrap().ends_with("; Secure"));
        let forwarded = headers(&[("forwarded", "for=1.2.3.4;proto=https")]);
        assert!(CookiePolicy::default().secure(&forwarded));
        let always = CookiePolicy {
            always_secure: true,
        };
        assert!(
            always
                .clear(&headers(&[]))
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert!(always.secure(&headers(&[])));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "theme=dark; hookflow_session=s3cr3t ; x=1")]);
        assert_eq!(session_cookie(&h).as_deref(), Some("s3cr3t"));
        assert_eq!(
            session_cookie(&headers(&[("cookie", "hookflow_session=")])),
            None
        );
        assert_eq!(session_cookie(&headers(&[])), None);
    }
}
