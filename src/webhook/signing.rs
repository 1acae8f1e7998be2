//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>).
//!
//! A receiver checks `webhook-signature` against HMAC-SHA256 over
//! `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed with the secret it was given
//! as `whsec_<base64>`.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::fmt;
use std::str::FromStr;

const PREFIX: &str = "whsec_";

/// The key a step or account signs its webhooks with. Never printed by `Debug`,
/// so it cannot leak through logs or error reports by accident.
#[derive(Clone)]
pub struct SigningSecret {
    raw: Vec<u8>,
    /// The HMAC key, its inner and outer pads hashed once for every signature.
    key: hmac::Key,
}

impl PartialEq for SigningSecret {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Eq for SigningSecret {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a signing secret starts with whsec_")]
    MissingPrefix,
    #[error("the part after whsec_ is not valid base64")]
    NotBase64,
    #[error("the signing secret is too short: {0} bytes, at least 24 are needed")]
    TooShort(usize),
    #[error("the signing secret is too long: {0} bytes, at most 64 are allowed")]
    TooLong(usize),
}

impl SigningSecret {
    /// Shorter keys are guessable; longer ones gain nothing with SHA-256 and are
    /// usually a pasted mistake.
    pub const MIN_BYTES: usize = 24;
    pub const MAX_BYTES: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, SecretError> {
        let encoded = raw
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        match key.len() {
            n if n < Self::MIN_BYTES => Err(SecretError::TooShort(n)),
            n if n > Self::MAX_BYTES => Err(SecretError::TooLong(n)),
            _ => Ok(SigningSecret::from_raw(key)),
        }
    }

    fn from_raw(raw: Vec<u8>) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &raw);
        SigningSecret { raw, key }
    }

    /// A new random 32-byte secret from the operating system's generator.
    pub fn generate() -> Self {
        let mut key = vec![0u8; 32];
        rand::fill(&mut key[..]);
        SigningSecret::from_raw(key)
    }

    /// The `whsec_…` form, to show once to the marketer or store encrypted.
    /// Deliberately a named method rather than `Display`.
    pub fn expose_whsec(&self) -> String {
        format!("{PREFIX}{}", BASE64.encode(&self.raw))
    }

    /// HMAC-SHA256 over `{msg_id}.{timestamp}.{body}`.
    fn tag(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> hmac::Tag {
        let mut mac = hmac::Context::with_key(&self.key);
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_secs.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.sign()
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

impl FromStr for SigningSecret {
    type Err = SecretError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SigningSecret::parse(s)
    }
}

/// The `webhook-signature` header value: `v1,<base64 HMAC-SHA256>`.
pub fn sign(secret: &SigningSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let tag = secret.tag(msg_id, timestamp_secs, body);
    format!("v1,{}", BASE64.encode(tag.as_ref()))
}

/// Whether any `v1,` entry of a `webhook-signature` header (space-separated, as
/// the specification allows during key rotation) matches. The comparison is
/// constant-time so a receiver built on it does not leak the expected tag.
pub fn verify(
    secret: &SigningSecret,
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
    signature_header: &str,
) -> bool {
    signature_header.split_whitespace().any(|entry| {
        let Some(encoded) = entry.strip_prefix("v1,") else {
            return false;
        };
        let Ok(tag) = BASE64.decode(encoded) else {
            return false;
        };
        let expected = secret.tag(msg_id, timestamp_secs, body);
        aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_ref(), &tag).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published test vector of the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signature_matches_the_standard_webhooks_test_vector() {
        let secret = SigningSecret::parse(SECRET).unwrap();
        assert_eq!(sign(&secret, MSG_ID, TIMESTAMP, BODY), EXPECTED);
    }

    #[test]
    fn verify_accepts_the_right_signature_among_several_and_refuses_tampering() {
        let secret = SigningSecret::parse(SECRET).unwrap();
        assert!(verify(&secret, MSG_ID, TIMESTAMP, BODY, EXPECTED));
        assert!(verify(
            &secret,
            MSG_ID,
            TIMESTAMP,
            BODY,
            &format!("v1,AAAA {EXPECTED}")
        ));
        assert!(!verify(&secret, MSG_ID, TIMESTAMP + 1, BODY, EXPECTED));
        assert!(!verify(
            &secret,
            MSG_ID,
            TIMESTAMP,
            br#"{"test": 1}"#,
            EXPECTED
        ));
        assert!(!verify(&secret, MSG_ID, TIMESTAMP, BODY, "v2,g0hM9SsE"));
        assert!(!verify(&secret, MSG_ID, TIMESTAMP, BODY, ""));
    }

    #[test]
    fn malformed_secrets_are_refused_with_a_reason() {
        assert_eq!(
            SigningSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(SecretError::MissingPrefix)
        );
        assert_eq!(
            SigningSecret::parse("whsec_not base64!"),
            Err(SecretError::NotBase64)
        );
        assert_eq!(
            SigningSecret::parse("whsec_c2hvcnQ="),
            Err(SecretError::TooShort(5))
        );
        let long = format!("whsec_{}", BASE64.encode([7u8; 65]));
        assert_eq!(SigningSecret::parse(&long), Err(SecretError::TooLong(65)));
    }

    #[test]
    fn generated_secrets_round_trip_and_differ() {
        let a = SigningSecret::generate();
        let b = SigningSecret::generate();
        assert_ne!(a, b);
        assert_eq!(SigningSecret::parse(&a.expose_whsec()).unwrap(), a);
        assert!(a.expose_whsec().starts_with("whsec_"));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let secret = SigningSecret::parse(SECRET).unwrap();
        let printed = format!("{secret:?}");
        assert!(!printed.contains("MfKQ9r8"), "{printed}");
    }
}
