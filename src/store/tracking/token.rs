//! Signed links for email tracking and profile pages. A token is the base64url of
//! a fixed-size payload (version, purpose, account, mailing, contact) followed by
//! an HMAC-SHA256 of that payload — and, for a click, of the destination URL —
//! under this instance's secret key. Changing one bit, or pointing a click token
//! at another URL, breaks the signature; without the key no valid token for
//! another contact or mailing can be made, so tokens cannot be forged or
//! enumerated. The ids inside are readable (not secret), only unforgeable.

use crate::model::{AccountId, ContactId};
use crate::store::mailings::MailingId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The secret that signs tokens, shared by every instance on the database.
#[derive(Clone)]
pub struct TrackingKey([u8; 32]);

impl std::fmt::Debug for TrackingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrackingKey(***)")
    }
}

/// One contact receiving one mailing: what an open or click token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailingRecipient {
    pub account: AccountId,
    pub mailing: MailingId,
    pub contact: ContactId,
}

/// What a token may be used for; signed, so one cannot stand in for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Purpose {
    Open = 1,
    Click = 2,
    Profile = 3,
}

const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 2 + 3 * 8;
/// 128 bits of the HMAC: far beyond guessing, and keeps links short.
const MAC_LEN: usize = 16;
const TOKEN_LEN: usize = PAYLOAD_LEN + MAC_LEN;

impl TrackingKey {
    /// A new random key, in its stored form.
    pub(crate) fn generate_encoded() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        URL_SAFE_NO_PAD.encode(key)
    }

    pub(crate) fn from_encoded(stored: &str) -> Option<TrackingKey> {
        let bytes = URL_SAFE_NO_PAD.decode(stored.trim()).ok()?;
        Some(TrackingKey(bytes.try_into().ok()?))
    }

    /// The token of the open-tracking pixel.
    pub fn open_token(&self, r: &MailingRecipient) -> String {
        self.sign(Purpose::Open, r.account, r.mailing.0, r.contact, b"")
    }

    /// The token of a tracked link; it is valid for this URL only.
    pub fn click_token(&self, r: &MailingRecipient, url: &str) -> String {
        self.sign(
            Purpose::Click,
            r.account,
            r.mailing.0,
            r.contact,
            url.as_bytes(),
        )
    }

    /// The token of an update-profile link (`?t=`): it names the contact to update.
    pub fn profile_token(&self, account: AccountId, contact: ContactId) -> String {
        self.sign(Purpose::Profile, account, 0, contact, b"")
    }

    pub fn verify_open(&self, token: &str) -> Option<MailingRecipient> {
        self.verify(Purpose::Open, token, b"").map(recipient)
    }

    pub fn verify_click(&self, token: &str, url: &str) -> Option<MailingRecipient> {
        self.verify(Purpose::Click, token, url.as_bytes())
            .map(recipient)
    }

    pub fn verify_profile(&self, token: &str) -> Option<(AccountId, ContactId)> {
        self.verify(Purpose::Profile, token, b"")
            .map(|(account, _, contact)| (account, contact))
    }

    fn mac(&self, payload: &[u8], url: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(payload);
        mac.update(url);
        mac
    }

    fn sign(
        &self,
        purpose: Purpose,
        account: AccountId,
        mailing: i64,
        contact: ContactId,
        url: &[u8],
    ) -> String {
        let mut token = Vec::with_capacity(TOKEN_LEN);
        token.extend([VERSION, purpose as u8]);
        for id in [account.0, mailing, contact.0] {
            token.extend(id.to_be_bytes());
        }
        let tag = self.mac(&token, url).finalize().into_bytes();
        token.extend(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(token)
    }

    fn verify(
        &self,
        purpose: Purpose,
        token: &str,
        url: &[u8],
    ) -> Option<(AccountId, i64, ContactId)> {
        if token.len() > 2 * TOKEN_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != TOKEN_LEN || bytes[0] != VERSION || bytes[1] != purpose as u8 {
            return None;
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        // Constant-time comparison of the truncated tag.
        self.mac(payload, url).verify_truncated_left(tag).ok()?;
        let id = |i: usize| {
            i64::from_be_bytes(payload[2 + 8 * i..10 + 8 * i].try_into().expect("8 bytes"))
        };
        Some((AccountId(id(0)), id(1), ContactId(id(2))))
    }
}

fn recipient((account, mailing, contact): (AccountId, i64, ContactId)) -> MailingRecipient {
    MailingRecipient {
        account,
        mailing: MailingId(mailing),
        contact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TrackingKey {
        TrackingKey::from_encoded(&TrackingKey::generate_encoded()).unwrap()
    }

    const R: MailingRecipient = MailingRecipient {
        account: AccountId(3),
        mailing: MailingId(7),
        contact: ContactId(54321),
    };

    #[test]
    fn a_token_verifies_under_its_key_for_its_purpose_only() {
        let k = key();
        let open = k.open_token(&R);
        assert_eq!(k.verify_open(&open), Some(R));
        assert_eq!(k.verify_click(&open, ""), None);
        assert_eq!(k.verify_profile(&open), None);
        assert_eq!(key().verify_open(&open), None, "another instance's key");
        let profile = k.profile_token(AccountId(3), ContactId(9));
        assert_eq!(
            k.verify_profile(&profile),
            Some((AccountId(3), ContactId(9)))
        );
    }

    #[test]
    fn a_click_token_covers_its_url_only() {
        let k = key();
        let click = k.click_token(&R, "https://example.org/a");
        assert_eq!(k.verify_click(&click, "https://example.org/a"), Some(R));
        assert_eq!(k.verify_click(&click, "https://example.org/b"), None);
    }

    #[test]
    fn an_altered_or_malformed_token_is_refused() {
        let k = key();
        let open = k.open_token(&R);
        for i in 0..open.len() {
            let mut altered = open.clone().into_bytes();
            altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(altered).unwrap();
            if altered != open {
                assert_eq!(k.verify_open(&altered), None, "altered at {i}");
            }
        }
        for bad in ["", "x", "%%%", &"A".repeat(500), &open[..open.len() - 1]] {
            assert_eq!(k.verify_open(bad), None);
        }
    }
}
