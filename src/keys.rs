//! Keys from PEM (RSA: PKCS#1, PKCS#8, encrypted PKCS#8, SPKI; ECDSA P-256: SEC1, PKCS#8,
//! SPKI), CloudFront key ids, and the key group a verifier trusts. Parsing and the checks
//! CloudFront's rules imply happen here, once, for every backend; the key material then goes
//! to the crypto backend ([`crate::crypto`]).
//!
//! AWS: *Create key pairs for your signers* — CloudFront takes 2048-bit RSA public keys in
//! SPKI PEM (API reference, `PublicKey`: "RSA 2048 or ECDSA 256"); `openssl genrsa` writes
//! PKCS#1 or PKCS#8 private keys, `openssl ecparam -genkey` SEC1 ones.

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::{Decode, Document, SecretDocument};
use pkcs8::{PrivateKeyInfoRef, SubjectPublicKeyInfoRef};

use crate::crypto::{self, KeyKind, PrivateKeyFormat, PublicKeyFormat, SigningKey, VerifyingKey};
use crate::error::KeyError;

/// Smallest RSA modulus CloudFront accepts.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus we accept (bounds the cost of one verification).
pub const MAX_RSA_BITS: usize = 4096;
/// CloudFront's limit of public keys in one key group.
pub const MAX_KEYS_PER_GROUP: usize = 5;
/// Largest PEM text we parse.
pub const MAX_PEM_LEN: usize = 16 * 1024;

const PRIVATE_LABELS: &str =
    "RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY";
const PUBLIC_LABELS: &str = "PUBLIC KEY or RSA PUBLIC KEY";
/// The PEM label of an encrypted PKCS#8 key (RFC 7468 §11).
const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / `prime256v1` (RFC 5480 §2.1.1.1), the one curve CloudFront takes.
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

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

/// A private key for signing (RSA 2048 to 4096 bits, or ECDSA P-256), parsed and checked once
/// and held by the crypto backend. Cloning shares the parsed key.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({}, redacted)", self.kind())
    }
}

impl PrivateKey {
    /// Parses an unencrypted PEM private key (`RSA PRIVATE KEY`, `EC PRIVATE KEY` or
    /// `PRIVATE KEY`).
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
            "RSA PRIVATE KEY" => Self::from_der(
                PrivateKeyFormat::Pkcs1,
                secret_document(pem, &label)?.as_bytes(),
            ),
            "EC PRIVATE KEY" => Self::from_der(
                PrivateKeyFormat::Sec1,
                secret_document(pem, &label)?.as_bytes(),
            ),
            "PRIVATE KEY" => Self::from_der(
                PrivateKeyFormat::Pkcs8,
                secret_document(pem, &label)?.as_bytes(),
            ),
            ENCRYPTED_LABEL => {
                if !crypto::CAN_DECRYPT {
                    return Err(KeyError::DecryptUnsupported);
                }
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                let document = secret_document(pem, &label)?;
                let decrypted = crypto::decrypt_pkcs8(pem, document.as_bytes(), passphrase)?;
                Self::from_der(PrivateKeyFormat::Pkcs8, &decrypted)
            }
            _ => Err(KeyError::UnsupportedLabel {
                label,
                expected: PRIVATE_LABELS,
            }),
        }
    }

    /// Checks the key's type and size, then hands its DER to the backend.
    fn from_der(format: PrivateKeyFormat, der: &[u8]) -> Result<Self, KeyError> {
        let kind = private_key_kind(format, der)?;
        Ok(PrivateKey {
            key: SigningKey::from_der(kind, format, der)?,
        })
    }

    /// RSA or ECDSA P-256, and the RSA modulus size.
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// Modulus size in bits for RSA, 256 for ECDSA P-256.
    pub fn bits(&self) -> usize {
        kind_bits(self.kind())
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_spki_der(&self.key.public_key_spki_der()?)
    }

    /// The matching public key as `PUBLIC KEY` (SPKI) PEM: what CloudFront's console and
    /// `AWS::CloudFront::PublicKey` take.
    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        let der = self.key.public_key_spki_der()?;
        pkcs8::der::pem::encode_string("PUBLIC KEY", pkcs8::der::pem::LineEnding::LF, &der)
            .map_err(der_error)
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// A public key for verifying (RSA 2048 to 4096 bits, or ECDSA P-256), held by the backend.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: VerifyingKey,
    /// The key's canonical DER (PKCS#1 `RSAPublicKey` for RSA, SPKI for ECDSA), for equality:
    /// the same RSA key read from SPKI or PKCS#1 is the same key.
    identity: Vec<u8>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses a PEM public key: `PUBLIC KEY` (SPKI, what the CloudFront console takes; RSA or
    /// ECDSA P-256) or `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let label = pem_label(pem)?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(public_document(pem, &label)?.as_bytes()),
            "RSA PUBLIC KEY" => {
                let document = public_document(pem, &label)?;
                let bits = rsa_public_bits(document.as_bytes())?;
                Ok(PublicKey {
                    key: VerifyingKey::from_der(
                        KeyKind::Rsa { bits },
                        PublicKeyFormat::Pkcs1,
                        document.as_bytes(),
                    )?,
                    identity: document.as_bytes().to_vec(),
                })
            }
            _ => Err(KeyError::UnsupportedLabel {
                label,
                expected: PUBLIC_LABELS,
            }),
        }
    }

    /// An X.509 `SubjectPublicKeyInfo` in DER.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(der_error)?;
        let (kind, identity) = if spki.algorithm.oid == pkcs1::ALGORITHM_OID {
            check_null_parameters(&spki.algorithm)?;
            let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::Pem {
                detail: "public key bit string has unused bits".into(),
            })?;
            (
                KeyKind::Rsa {
                    bits: rsa_public_bits(bits)?,
                },
                bits.to_vec(),
            )
        } else if spki.algorithm.oid == EC_PUBLIC_KEY {
            check_curve(spki.algorithm.parameters_oid().ok())?;
            (KeyKind::EcdsaP256, der.to_vec())
        } else {
            return Err(KeyError::UnsupportedKeyType);
        };
        Ok(PublicKey {
            key: VerifyingKey::from_der(kind, PublicKeyFormat::Spki, der)?,
            identity,
        })
    }

    /// RSA or ECDSA P-256, and the RSA modulus size.
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// Modulus size in bits for RSA, 256 for ECDSA P-256.
    pub fn bits(&self) -> usize {
        kind_bits(self.kind())
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }
}

fn kind_bits(kind: KeyKind) -> usize {
    match kind {
        KeyKind::Rsa { bits } => bits,
        KeyKind::EcdsaP256 => 256,
    }
}

/// The kind of a private key, read from its DER: RSA with two primes, 2048 to 4096 bits and an
/// odd exponent from 3 to 2^33 - 1, or an EC key on P-256.
fn private_key_kind(format: PrivateKeyFormat, der: &[u8]) -> Result<KeyKind, KeyError> {
    match format {
        PrivateKeyFormat::Pkcs1 => rsa_private_kind(der),
        PrivateKeyFormat::Sec1 => {
            let key = sec1::EcPrivateKey::from_der(der).map_err(der_error)?;
            check_curve(key.parameters.and_then(|p| p.named_curve()))?;
            Ok(KeyKind::EcdsaP256)
        }
        PrivateKeyFormat::Pkcs8 => {
            let info = PrivateKeyInfoRef::from_der(der).map_err(der_error)?;
            if info.algorithm.oid == pkcs1::ALGORITHM_OID {
                check_null_parameters(&info.algorithm)?;
                rsa_private_kind(info.private_key.as_bytes())
            } else if info.algorithm.oid == EC_PUBLIC_KEY {
                check_curve(info.algorithm.parameters_oid().ok())?;
                sec1::EcPrivateKey::from_der(info.private_key.as_bytes()).map_err(der_error)?;
                Ok(KeyKind::EcdsaP256)
            } else {
                Err(KeyError::UnsupportedKeyType)
            }
        }
    }
}

/// A PKCS#1 `RSAPrivateKey` (two primes; RFC 8017 §A.1.2).
fn rsa_private_kind(der: &[u8]) -> Result<KeyKind, KeyError> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(der_error)?;
    if key.version() != pkcs1::Version::TwoPrime {
        return Err(KeyError::Invalid {
            detail: "multi-prime RSA keys are not supported".into(),
        });
    }
    let bits = modulus_bits(key.modulus.as_bytes())?;
    check_public_exponent(key.public_exponent.as_bytes())?;
    Ok(KeyKind::Rsa { bits })
}

/// The size of a PKCS#1 `RSAPublicKey`, checked.
fn rsa_public_bits(der: &[u8]) -> Result<usize, KeyError> {
    let key = pkcs1::RsaPublicKeyRef::from_der(der).map_err(der_error)?;
    let bits = modulus_bits(key.modulus.as_bytes())?;
    check_public_exponent(key.public_exponent.as_bytes())?;
    Ok(bits)
}

/// The modulus size, counted in bytes as CloudFront's "2048-bit" is, and checked: odd, 2048
/// to 4096 bits.
fn modulus_bits(n: &[u8]) -> Result<usize, KeyError> {
    let n = &n[n.iter().position(|&b| b != 0).unwrap_or(n.len())..];
    let bits = n.len() * 8;
    if bits < MIN_RSA_BITS {
        return Err(KeyError::TooSmall { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyError::TooLarge { bits });
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(KeyError::Invalid {
            detail: "the modulus is even".into(),
        });
    }
    Ok(bits)
}

/// The `rsa` crate's bounds on `e`, for both backends: odd, 3 to 2^33 - 1.
fn check_public_exponent(e: &[u8]) -> Result<(), KeyError> {
    let e = &e[e.iter().position(|&b| b != 0).unwrap_or(e.len())..];
    let value = if e.len() > 8 {
        u64::MAX
    } else {
        e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
    };
    if !(3..1 << 33).contains(&value) || value & 1 == 0 {
        return Err(KeyError::Invalid {
            detail: "the public exponent is not an odd number from 3 to 2^33 - 1".into(),
        });
    }
    Ok(())
}

fn check_curve(curve: Option<ObjectIdentifier>) -> Result<(), KeyError> {
    match curve {
        Some(oid) if oid == P256 => Ok(()),
        Some(_) => Err(KeyError::UnsupportedKeyType),
        None => Err(KeyError::Pem {
            detail: "EC key without its named curve".into(),
        }),
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
fn check_null_parameters(
    algorithm: &pkcs8::spki::AlgorithmIdentifierRef<'_>,
) -> Result<(), KeyError> {
    match algorithm.parameters_any() {
        Ok(params) if params == pkcs8::der::asn1::Null.into() => Ok(()),
        _ => Err(KeyError::Pem {
            detail: "rsaEncryption parameters must be NULL".into(),
        }),
    }
}

fn der_error(e: impl std::fmt::Display) -> KeyError {
    KeyError::Pem {
        detail: e.to_string(),
    }
}
