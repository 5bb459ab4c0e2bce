//! Signing secrets and the two signature schemes every delivery carries.
//!
//! - HCP: `Api-Timestamp: <unix seconds>` and `Api-Signature: <lowercase hex HMAC-SHA256 of
//!   "<timestamp>.<raw body>">`, keyed with the secret string as HCP shows it (UTF-8 bytes).
//! - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
//!   HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed with the base64-decoded bytes after
//!   `whsec_` (what the Standard Webhooks libraries do).
//!
//! During a rotation's grace period each header carries one signature per secret, separated
//! by a space (newest first), as the Standard Webhooks header allows.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Prefix of every signing secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret (Standard Webhooks asks for 24 to 64).
const SECRET_BYTES: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// HCP's `Api-Signature` for one secret.
pub fn hcp_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(hmac(
        secret.as_bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    ))
}

/// The key bytes of the Standard Webhooks scheme: the base64 after `whsec_` (the whole string
/// if it is not base64, so a hand-made secret still signs).
pub fn standard_key(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| secret.as_bytes().to_vec())
}

/// One `v1,<base64>` entry of `webhook-signature`.
pub fn standard_signature(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let sig = hmac(
        &standard_key(secret),
        &[
            msg_id.as_bytes(),
            b".",
            timestamp.to_string().as_bytes(),
            b".",
            body,
        ],
    );
    format!("v1,{}", STANDARD.encode(sig))
}

/// The signature headers of one delivery: `(name, value)` pairs.
pub fn headers(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let join =
        |f: &dyn Fn(&str) -> String| secrets.iter().map(|s| f(s)).collect::<Vec<_>>().join(" ");
    vec![
        ("Api-Timestamp", timestamp.to_string()),
        (
            "Api-Signature",
            join(&|s| hcp_signature(s, timestamp, body)),
        ),
        ("webhook-id", msg_id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            join(&|s| standard_signature(s, msg_id, timestamp, body)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_base64_of_32_bytes() {
        let s = generate_secret();
        assert!(s.starts_with(SECRET_PREFIX));
        assert_eq!(standard_key(&s).len(), 32);
        assert_ne!(s, generate_secret());
    }

    #[test]
    fn standard_signature_matches_the_spec_example() {
        // The example of the Standard Webhooks specification (and Svix's docs).
        let sig = standard_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn hcp_signature_is_hex_hmac_of_timestamp_dot_body() {
        let sig = hcp_signature("secret", 1700000000, b"{}");
        assert_eq!(sig.len(), 64);
        assert!(
            sig.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(sig, hex::encode(hmac(b"secret", &[b"1700000000.{}"])));
        assert_ne!(sig, hcp_signature("secret", 1700000001, b"{}"));
    }

    #[test]
    fn rotation_sends_one_signature_per_secret() {
        let h = headers(&["whsec_AAAA", "whsec_BBBB"], "msg_1", 1, b"x");
        let sig = &h.iter().find(|(n, _)| *n == "webhook-signature").unwrap().1;
        assert_eq!(sig.split(' ').count(), 2);
        let api = &h.iter().find(|(n, _)| *n == "Api-Signature").unwrap().1;
        assert_eq!(api.split(' ').count(), 2);
    }
}
