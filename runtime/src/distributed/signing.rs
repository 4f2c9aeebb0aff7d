//! Signed internal requests between workers (KIP-507, Kafka's `InternalRequestSignature`).
//!
//! With the `sessioned` sub-protocol the leader keeps a session key in the config topic
//! (`session-key`, rotated every `inter.worker.key.ttl.ms`); a follower that sends its
//! connector's task configs to the leader (`POST /connectors/{name}/tasks`) signs the
//! request body with it, and the leader refuses unsigned or badly signed requests. So a
//! client that can reach a worker's REST port but cannot read the config topic cannot
//! inject task configs.
//!
//! Only `HmacSHA256` is implemented (Kafka's default for
//! `inter.worker.key.generation.algorithm`, `inter.worker.signature.algorithm` and
//! `inter.worker.verification.algorithms`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub use crate::herder::RequestSignature;
use crate::storage::kafka::SessionKey;

/// The header carrying the base64 signature.
pub const SIGNATURE_HEADER: &str = "X-Connect-Authorization";
/// The header naming the signature algorithm.
pub const SIGNATURE_ALGORITHM_HEADER: &str = "X-Connect-Request-Signature-Algorithm";
/// The one algorithm sluice signs and verifies with.
pub const HMAC_SHA256: &str = "HmacSHA256";
/// Java's default `KeyGenerator` size for `HmacSHA256`, in bytes.
const KEY_BYTES: usize = 32;

/// A new random session key created now (`now_ms` since the epoch).
pub fn generate_key(now_ms: i64) -> SessionKey {
    let mut key = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut key);
    SessionKey {
        key: STANDARD.encode(key),
        algorithm: HMAC_SHA256.to_owned(),
        creation_timestamp: now_ms,
    }
}

fn mac(key: &SessionKey) -> Option<Hmac<Sha256>> {
    let bytes = STANDARD.decode(key.key.as_bytes()).ok()?;
    Hmac::<Sha256>::new_from_slice(&bytes).ok()
}

/// The base64 `HmacSHA256` signature of `body` with `key`; `None` if the key is not
/// valid base64.
pub fn sign(key: &SessionKey, body: &[u8]) -> Option<String> {
    let mut mac = mac(key)?;
    mac.update(body);
    Some(STANDARD.encode(mac.finalize().into_bytes()))
}

/// Why a signed request is refused, with Kafka's status and message
/// (`DistributedHerder.putTaskConfigs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No signature headers (400).
    Missing,
    /// An algorithm this worker does not verify (400).
    UnsupportedAlgorithm(String),
    /// The signature does not match (403).
    Invalid,
}

impl Refusal {
    /// Kafka's message.
    pub fn message(&self) -> String {
        match self {
            Self::Missing => "Internal request missing required signature".to_owned(),
            Self::UnsupportedAlgorithm(algorithm) => format!(
                "This worker does not support the '{algorithm}' key signing algorithm used by \
                 other workers. This worker is currently configured to use: [{HMAC_SHA256}]. \
                 Check that all workers' configuration files permit the same set of signature \
                 algorithms, and correct any misconfigured worker and restart it."
            ),
            Self::Invalid => "Internal request contained invalid signature.".to_owned(),
        }
    }
}

/// Checks a received request against the current session key.
pub fn verify(key: &SessionKey, signature: Option<&RequestSignature>) -> Result<(), Refusal> {
    let signature = signature.ok_or(Refusal::Missing)?;
    if signature.algorithm != HMAC_SHA256 {
        return Err(Refusal::UnsupportedAlgorithm(signature.algorithm.clone()));
    }
    let expected = STANDARD
        .decode(signature.signature.as_bytes())
        .map_err(|_| Refusal::Invalid)?;
    let mut mac = mac(key).ok_or(Refusal::Invalid)?;
    mac.update(&signature.body);
    // Constant-time comparison.
    mac.verify_slice(&expected).map_err(|_| Refusal::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey {
            // 32 bytes 0x00..0x1f.
            key: STANDARD.encode((0u8..32).collect::<Vec<u8>>()),
            algorithm: HMAC_SHA256.to_owned(),
            creation_timestamp: 0,
        }
    }

    #[test]
    fn signature_matches_rfc_4231_test_case_2() {
        let jefe = SessionKey {
            key: STANDARD.encode(b"Jefe"),
            algorithm: HMAC_SHA256.to_owned(),
            creation_timestamp: 0,
        };
        let signature = sign(&jefe, b"what do ya want for nothing?").expect("valid key");
        let hex: String = STANDARD
            .decode(signature)
            .expect("base64")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verification_follows_kafka() {
        let body = br#"[{"task.class":"x"}]"#.to_vec();
        let good = RequestSignature {
            algorithm: HMAC_SHA256.to_owned(),
            signature: sign(&key(), &body).expect("valid key"),
            body: body.clone(),
        };
        assert_eq!(verify(&key(), Some(&good)), Ok(()));
        assert_eq!(verify(&key(), None), Err(Refusal::Missing));
        let tampered = RequestSignature {
            body: br#"[{"task.class":"y"}]"#.to_vec(),
            ..good.clone()
        };
        assert_eq!(verify(&key(), Some(&tampered)), Err(Refusal::Invalid));
        let other_key = generate_key(1);
        assert_eq!(verify(&other_key, Some(&good)), Err(Refusal::Invalid));
        let sha1 = RequestSignature {
            algorithm: "HmacSHA1".to_owned(),
            ..good.clone()
        };
        assert!(matches!(
            verify(&key(), Some(&sha1)),
            Err(Refusal::UnsupportedAlgorithm(a)) if a == "HmacSHA1"
        ));
        let garbage = RequestSignature {
            signature: "not base64!".to_owned(),
            ..good
        };
        assert_eq!(verify(&key(), Some(&garbage)), Err(Refusal::Invalid));
    }

    #[test]
    fn generated_keys_are_32_random_bytes() {
        let a = generate_key(5);
        let b = generate_key(5);
        assert_ne!(a.key, b.key);
        assert_eq!(STANDARD.decode(&a.key).map(|k| k.len()), Ok(32));
        assert_eq!(a.algorithm, HMAC_SHA256);
        assert_eq!(a.creation_timestamp, 5);
    }
}
