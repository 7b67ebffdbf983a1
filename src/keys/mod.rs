//! Keys from PEM (RSA: PKCS#1, PKCS#8, encrypted PKCS#8, SPKI; ECDSA P-256: SEC1, PKCS#8,
//! SPKI), CloudFront key ids, and the key group a verifier trusts. Parsing and the checks
//! CloudFront's rules imply happen here, once, for every backend; the key material then goes
//! to the crypto backend ([`crate::crypto`]).
//!
//! AWS: *Create key pairs for your signers* — CloudFront takes 2048-bit RSA public keys in
//! SPKI PEM (API reference, `PublicKey`: "RSA 2048 or ECDSA 256"); `openssl genrsa` writes
//! PKCS#1 or PKCS#8 private keys, `openssl ecparam -genkey` SEC1 ones.

mod der;
mod encrypted;
mod pem;
mod private;
mod public;

// For the `fuzzing` module (the test vectors check RSA primes as `PrivateKey` does).
#[cfg(feature = "fuzzing")]
pub(crate) use der::{check_rsa_prime_widths, der_error};
pub use private::PrivateKey;
pub use public::PublicKey;

use crate::error::KeyError;

/// Smallest RSA modulus CloudFront accepts.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus we accept (bounds the cost of one verification).
pub const MAX_RSA_BITS: usize = 4096;
/// CloudFront's limit of public keys in one key group.
pub const MAX_KEYS_PER_GROUP: usize = 5;
/// Largest PEM text we parse, whatever it holds besides the key (OpenSSL reads any length).
pub const MAX_PEM_LEN: usize = 16 * 1024;

/// A CloudFront public key id (`K2JCJMDEHXQW5F`) or legacy key pair id (`APKA...`), the
/// value of `Key-Pair-Id`.
///
/// ```
/// use cloudfront_edge_auth::KeyId;
/// assert!(KeyId::new("K2JCJMDEHXQW5F").is_ok());
/// assert!(KeyId::new("K2;Path=/").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Checks that `id` is 1 to 128 ASCII letters and digits, as CloudFront issues them
    /// (which also keeps it safe inside a cookie or query string).
    pub fn new(id: impl Into<String>) -> Result<Self, KeyError> {
        let id = id.into();
        if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(KeyError::InvalidKeyId {
                id: id.chars().take(64).collect(),
            });
        }
        Ok(KeyId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The public keys a CloudFront behavior trusts: up to five `(key id, public key)` pairs.
/// Rotation means signing with the newest key while the group still holds the old one.
///
/// ```
/// # fn demo(pem_a: &str, pem_b: &str) -> Result<(), cloudfront_edge_auth::Error> {
/// use cloudfront_edge_auth::{KeyGroup, KeyId, PublicKey};
/// let group = KeyGroup::new(vec![
///     (KeyId::new("K2JCJMDEHXQW5F")?, PublicKey::from_pem(pem_a)?),
///     (KeyId::new("K3NEWKEY0000AB")?, PublicKey::from_pem(pem_b)?),
/// ])?;
/// assert_eq!(group.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct KeyGroup {
    keys: Vec<(KeyId, PublicKey)>,
}

impl KeyGroup {
    /// A key group of one to five keys with distinct ids.
    pub fn new(keys: Vec<(KeyId, PublicKey)>) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::EmptyKeyGroup);
        }
        if keys.len() > MAX_KEYS_PER_GROUP {
            return Err(KeyError::TooManyKeys {
                count: keys.len(),
                max: MAX_KEYS_PER_GROUP,
            });
        }
        for (i, (id, _)) in keys.iter().enumerate() {
            if keys[..i].iter().any(|(other, _)| other == id) {
                return Err(KeyError::DuplicateKeyId { id: id.0.clone() });
            }
        }
        Ok(KeyGroup { keys })
    }

    /// The key registered under `id`, if any.
    pub fn get(&self, id: &str) -> Option<&PublicKey> {
        self.keys
            .iter()
            .find(|(key_id, _)| key_id.as_str() == id)
            .map(|(_, key)| key)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false: a key group holds at least one key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key ids, in the order given.
    pub fn ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(|(id, _)| id)
    }
}
