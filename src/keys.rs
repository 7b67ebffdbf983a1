//! RSA keys from PEM (PKCS#1, PKCS#8, encrypted PKCS#8, SPKI), CloudFront key ids, and the
//! key group a verifier trusts.
//!
//! AWS: *Create key pairs for your signers* — CloudFront takes 2048-bit RSA public keys in
//! SPKI PEM; `openssl genrsa` writes PKCS#1 or PKCS#8 private keys.

use pkcs8::der::{Decode, Document, SecretDocument};
#[cfg(feature = "encrypted-keys")]
use pkcs8::EncryptedPrivateKeyInfoRef;
use pkcs8::{PrivateKeyInfoRef, SubjectPublicKeyInfoRef};

use crate::error::KeyError;
use crate::hazmat::{PrivateKeyComponents, RsaPrivateOperation, RsaPublicOperation};
use crate::sign::HashAlgorithm;

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
/// The PEM label of an encrypted PKCS#8 key (RFC 7468 §11).
pub(crate) const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

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

/// An RSA private key for signing, parsed and checked once.
#[derive(Clone)]
pub struct PrivateKey(RsaPrivateOperation);

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
        match label.as_str() {
            "RSA PRIVATE KEY" if pem.contains("Proc-Type: 4,ENCRYPTED") => {
                Err(KeyError::LegacyEncryption)
            }
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(secret_document(pem, &label)?.as_bytes()),
            "PRIVATE KEY" => Self::from_pkcs8_der(secret_document(pem, &label)?.as_bytes()),
            ENCRYPTED_LABEL => {
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                let document = secret_document(pem, &label)?;
                Self::from_encrypted_pkcs8_der(document.as_bytes(), passphrase)
            }
            _ => Err(KeyError::UnsupportedLabel {
                label,
                expected: PRIVATE_LABELS,
            }),
        }
    }

    /// A PKCS#8 `EncryptedPrivateKeyInfo` (PBES2, RFC 8018 §6.2) decrypted with `passphrase`.
    #[cfg(feature = "encrypted-keys")]
    fn from_encrypted_pkcs8_der(der: &[u8], passphrase: &str) -> Result<Self, KeyError> {
        let decrypted = EncryptedPrivateKeyInfoRef::from_der(der)
            .map_err(der_error)?
            .decrypt(passphrase)
            .map_err(|_| KeyError::Decrypt)?;
        Self::from_pkcs8_der(decrypted.as_bytes())
    }

    /// Without the `encrypted-keys` feature (the npm package's wasm, where PBES2's scrypt,
    /// PBKDF2 and AES are ~170 KB) this build cannot decrypt: the caller must (the package's
    /// Node build does it with `node:crypto`, see `src/wasm.rs`).
    #[cfg(not(feature = "encrypted-keys"))]
    fn from_encrypted_pkcs8_der(_der: &[u8], _passphrase: &str) -> Result<Self, KeyError> {
        Err(KeyError::UnsupportedLabel {
            label: ENCRYPTED_LABEL.into(),
            expected: "RSA PRIVATE KEY or PRIVATE KEY: this build has no `encrypted-keys` \
                       feature, decrypt the key first (`openssl pkcs8 -in KEY -out PLAIN`)",
        })
    }

    /// A PKCS#8 `PrivateKeyInfo` holding an `rsaEncryption` key.
    fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = PrivateKeyInfoRef::from_der(der).map_err(der_error)?;
        check_rsa_algorithm(&info.algorithm)?;
        Self::from_pkcs1_der(info.private_key.as_bytes())
    }

    /// A PKCS#1 `RSAPrivateKey` (two primes; RFC 8017 §A.1.2).
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(der_error)?;
        if key.version() != pkcs1::Version::TwoPrime {
            return Err(KeyError::Invalid {
                detail: "multi-prime RSA keys are not supported".into(),
            });
        }
        check_bits(key.modulus.as_bytes().len() * 8)?;
        let operation = RsaPrivateOperation::new(PrivateKeyComponents {
            modulus: key.modulus.as_bytes(),
            public_exponent: key.public_exponent.as_bytes(),
            prime1: key.prime1.as_bytes(),
            prime2: key.prime2.as_bytes(),
            exponent1: key.exponent1.as_bytes(),
            exponent2: key.exponent2.as_bytes(),
            coefficient: key.coefficient.as_bytes(),
        })
        .map_err(|e| KeyError::Invalid {
            detail: e.to_string(),
        })?;
        check_public_exponent(operation.public().exponent())?;
        Ok(PrivateKey(operation))
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.0.public().size() * 8
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            op: self.0.public().clone(),
        }
    }

    pub(crate) fn operation(&self) -> &RsaPrivateOperation {
        &self.0
    }
}

/// An RSA public key for verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The key with its Montgomery constants, computed once: verification runs on it.
    op: RsaPublicOperation,
}

impl PublicKey {
    /// Parses a PEM public key: `PUBLIC KEY` (SPKI, what the CloudFront console takes) or
    /// `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let label = pem_label(pem)?;
        match label.as_str() {
            "PUBLIC KEY" => {
                let document = public_document(pem, &label)?;
                let spki =
                    SubjectPublicKeyInfoRef::from_der(document.as_bytes()).map_err(der_error)?;
                check_rsa_algorithm(&spki.algorithm)?;
                let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::Pem {
                    detail: "public key bit string has unused bits".into(),
                })?;
                Self::from_pkcs1_der(bits)
            }
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(public_document(pem, &label)?.as_bytes()),
            _ => Err(KeyError::UnsupportedLabel {
                label,
                expected: PUBLIC_LABELS,
            }),
        }
    }

    /// A PKCS#1 `RSAPublicKey`.
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = pkcs1::RsaPublicKeyRef::from_der(der).map_err(der_error)?;
        Self::from_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    }

    /// From the big-endian modulus and exponent (a JWKS entry, a parsed key): 2048 to 4096
    /// bits, odd modulus, odd exponent from 3 to 2^33 - 1 (the `rsa` crate's bounds).
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = &n[n.iter().position(|&b| b != 0).unwrap_or(n.len())..];
        check_bits(n.len() * 8)?;
        let op = RsaPublicOperation::new(n, e).ok_or_else(|| KeyError::Invalid {
            detail: "the modulus is even or the exponent is out of range".into(),
        })?;
        check_public_exponent(op.exponent())?;
        Ok(PublicKey { op })
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.op.size() * 8
    }

    /// RSASSA-PKCS1-v1_5 verification of `digest` made with `algorithm`.
    /// Variable time, which is safe: every input is public (see [`crate::hazmat`]).
    pub(crate) fn verify_pkcs1v15(
        &self,
        algorithm: HashAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> bool {
        digest.len() == algorithm.digest_len()
            && self
                .op
                .verify_pkcs1v15(algorithm.digest_info_prefix(), digest, signature)
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

/// The whole PEM document of a private key (wiped when dropped), its label checked against
/// the one read first.
fn secret_document(pem: &str, label: &str) -> Result<SecretDocument, KeyError> {
    let (found, document) = SecretDocument::from_pem(pem).map_err(der_error)?;
    check_label(found, label)?;
    Ok(document)
}

/// The whole PEM document of a public key, its label checked against the one read first.
fn public_document(pem: &str, label: &str) -> Result<Document, KeyError> {
    let (found, document) = Document::from_pem(pem).map_err(der_error)?;
    check_label(found, label)?;
    Ok(document)
}

fn check_label(found: &str, expected: &str) -> Result<(), KeyError> {
    if found != expected {
        return Err(KeyError::Pem {
            detail: format!("PEM label {found:?} does not match its first BEGIN line"),
        });
    }
    Ok(())
}

/// `rsaEncryption` with NULL parameters (RFC 8017 §A.1), the algorithm CloudFront keys use.
fn check_rsa_algorithm(
    algorithm: &pkcs8::spki::AlgorithmIdentifierRef<'_>,
) -> Result<(), KeyError> {
    if algorithm.oid != pkcs1::ALGORITHM_OID {
        return Err(KeyError::NotRsa);
    }
    match algorithm.parameters_any() {
        Ok(params) if params == pkcs8::der::asn1::Null.into() => Ok(()),
        _ => Err(KeyError::Pem {
            detail: "rsaEncryption parameters must be NULL".into(),
        }),
    }
}

/// The `rsa` crate's bounds on `e`: odd, 3 to 2^33 - 1.
fn check_public_exponent(e: u64) -> Result<(), KeyError> {
    if !(3..1 << 33).contains(&e) || e & 1 == 0 {
        return Err(KeyError::Invalid {
            detail: format!("public exponent {e} is not an odd number from 3 to 2^33 - 1"),
        });
    }
    Ok(())
}

fn der_error(e: impl std::fmt::Display) -> KeyError {
    KeyError::Pem {
        detail: e.to_string(),
    }
}
