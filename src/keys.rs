//! RSA keys from PEM (PKCS#1, PKCS#8, encrypted PKCS#8, SPKI), CloudFront key ids, and the
//! key group a verifier trusts.
//!
//! AWS: *Create key pairs for your signers* — CloudFront takes 2048-bit RSA public keys in
//! SPKI PEM; `openssl genrsa` writes PKCS#1 or PKCS#8 private keys.

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;

use crate::error::KeyError;
use crate::hazmat::RsaPublicOperation;

/// Smallest modulus CloudFront accepts.
pub const MIN_BITS: usize = 2048;
/// Largest modulus we accept (bounds the cost of one verification).
pub const MAX_BITS: usize = 4096;
/// CloudFront's limit of public keys in one key group.
pub const MAX_KEYS_PER_GROUP: usize = 5;
/// Largest PEM text we parse.
pub const MAX_PEM_LEN: usize = 16 * 1024;

const PRIVATE_LABELS: &str = "RSA PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY";
const PUBLIC_LABELS: &str = "PUBLIC KEY or RSA PUBLIC KEY";

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

/// An RSA private key for signing, parsed and validated once.
#[derive(Clone)]
pub struct PrivateKey(rsa::PrivateKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({} bits, redacted)", self.bits())
    }
}

impl PrivateKey {
    /// Parses an unencrypted PEM private key (`RSA PRIVATE KEY` or `PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_pem_with_passphrase(pem, None)
    }

    /// Parses a PEM private key, decrypting `ENCRYPTED PRIVATE KEY` with `passphrase`.
    pub fn from_pem_with_passphrase(pem: &str, passphrase: Option<&str>) -> Result<Self, KeyError> {
        let label = pem_label(pem)?;
        let key = match label.as_str() {
            "RSA PRIVATE KEY" if pem.contains("Proc-Type: 4,ENCRYPTED") => {
                return Err(KeyError::LegacyEncryption)
            }
            "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_pem(pem).map_err(pem_error)?,
            "PRIVATE KEY" => rsa::PrivateKey::from_pkcs8_pem(pem).map_err(pkcs8_error)?,
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                rsa::PrivateKey::from_pkcs8_encrypted_pem(pem, passphrase).map_err(|e| {
                    match pkcs8_error(e) {
                        KeyError::NotRsa => KeyError::NotRsa,
                        _ => KeyError::Decrypt,
                    }
                })?
            }
            _ => {
                return Err(KeyError::UnsupportedLabel {
                    label,
                    expected: PRIVATE_LABELS,
                })
            }
        };
        check_bits(key.size() * 8)?;
        Ok(PrivateKey(key))
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.0.size() * 8
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_rsa(self.0.to_public_key())
    }

    pub(crate) fn inner(&self) -> &rsa::PrivateKey {
        &self.0
    }
}

/// An RSA public key for verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: rsa::PublicKey,
    /// The same key with its Montgomery constants, computed once: verification runs on it.
    /// `None` only for a key the fast path does not take (none the `rsa` crate accepts, in
    /// practice); such a key is verified by the `rsa` crate instead, never refused or panicked on.
    public_op: Option<RsaPublicOperation>,
}

impl PublicKey {
    /// Parses a PEM public key: `PUBLIC KEY` (SPKI, what the CloudFront console takes) or
    /// `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let label = pem_label(pem)?;
        let key = match label.as_str() {
            "PUBLIC KEY" => rsa::PublicKey::from_public_key_pem(pem).map_err(spki_error)?,
            "RSA PUBLIC KEY" => rsa::PublicKey::from_pkcs1_pem(pem).map_err(pem_error)?,
            _ => {
                return Err(KeyError::UnsupportedLabel {
                    label,
                    expected: PUBLIC_LABELS,
                })
            }
        };
        check_bits(key.size() * 8)?;
        Ok(PublicKey::from_rsa(key))
    }

    pub(crate) fn from_rsa(key: rsa::PublicKey) -> Self {
        // Every key the `rsa` crate accepts (odd n, 2 <= e < 2^33) is one this accepts.
        let public_op = RsaPublicOperation::new(&key.n_bytes(), &key.e_bytes());
        PublicKey { key, public_op }
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }

    /// RSASSA-PKCS1-v1_5 verification of `digest` (whose DigestInfo prefix `scheme` gives).
    /// Variable time, which is safe: every input is public (see [`crate::hazmat`]).
    pub(crate) fn verify_pkcs1v15(
        &self,
        scheme: &rsa::pkcs1v15::Pkcs1v15Sign,
        digest: &[u8],
        signature: &[u8],
    ) -> bool {
        if scheme.hash_len != Some(digest.len()) {
            return false;
        }
        match &self.public_op {
            Some(op) => op.verify_pkcs1v15(&scheme.prefix, digest, signature),
            None => self.key.verify(scheme.clone(), digest, signature).is_ok(),
        }
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

fn check_bits(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_BITS {
        return Err(KeyError::TooSmall { bits });
    }
    if bits > MAX_BITS {
        return Err(KeyError::TooLarge { bits });
    }
    Ok(())
}

/// The label of the first PEM block, read before any decoding so the error can say what
/// kind of PEM it was.
fn pem_label(pem: &str) -> Result<String, KeyError> {
    if pem.len() > MAX_PEM_LEN {
        return Err(KeyError::Pem {
            detail: format!(
                "PEM is {} bytes, over the {MAX_PEM_LEN} byte limit",
                pem.len()
            ),
        });
    }
    let start = pem.find("-----BEGIN ").ok_or_else(|| KeyError::Pem {
        detail: "no \"-----BEGIN\" line".into(),
    })?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let end = rest.find("-----").ok_or_else(|| KeyError::Pem {
        detail: "unterminated BEGIN line".into(),
    })?;
    let label = &rest[..end];
    if label.len() > 64 || label.contains('\n') {
        return Err(KeyError::Pem {
            detail: "unterminated BEGIN line".into(),
        });
    }
    Ok(label.to_string())
}

fn pem_error(e: rsa::pkcs1::Error) -> KeyError {
    KeyError::Pem {
        detail: e.to_string(),
    }
}

fn pkcs8_error(e: rsa::pkcs8::Error) -> KeyError {
    match e {
        rsa::pkcs8::Error::PublicKey(rsa::pkcs8::spki::Error::OidUnknown { .. }) => {
            KeyError::NotRsa
        }
        other => KeyError::Pem {
            detail: other.to_string(),
        },
    }
}

fn spki_error(e: rsa::pkcs8::spki::Error) -> KeyError {
    match e {
        rsa::pkcs8::spki::Error::OidUnknown { .. }
        | rsa::pkcs8::spki::Error::AlgorithmParametersMissing => KeyError::NotRsa,
        other => KeyError::Pem {
            detail: other.to_string(),
        },
    }
}
