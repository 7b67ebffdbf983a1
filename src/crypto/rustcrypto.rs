//! The `rustcrypto` backend: RustCrypto's `rsa` (RSASSA-PKCS1-v1_5, constant-time
//! `crypto-bigint` arithmetic, blinded with the OS random number generator) and `p256` (ECDSA,
//! RFC 6979 deterministic nonces), hashing with `sha1` / `sha2`. Native builds, the CLI and the
//! npm package's web build.

use std::sync::Arc;

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::Pkcs1v15Sign;
use sha2::Digest as _;
use zeroize::Zeroizing;

use super::{HashAlgorithm, KeyKind, PrivateKeyFormat, PublicKeyFormat};
use crate::error::{KeyError, SignError};

pub(super) const NAME: &str = "rustcrypto";

fn invalid(error: impl std::fmt::Display) -> KeyError {
    KeyError::Invalid {
        detail: error.to_string(),
    }
}

fn inconsistent() -> KeyError {
    KeyError::Invalid {
        detail: super::INCONSISTENT.into(),
    }
}

fn wrong_format(kind: KeyKind) -> KeyError {
    KeyError::Invalid {
        detail: format!("a {kind:?} key cannot come in this encoding"),
    }
}

fn digest(hash: HashAlgorithm, message: &[u8]) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha1 => sha1::Sha1::digest(message).to_vec(),
        HashAlgorithm::Sha256 => sha2::Sha256::digest(message).to_vec(),
    }
}

/// The `DigestInfo` prefix and length check of RSASSA-PKCS1-v1_5 for `hash`.
fn pkcs1v15(hash: HashAlgorithm) -> Pkcs1v15Sign {
    match hash {
        HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
    }
}

/// `p256` refuses a SEC1 key whose embedded public point is not its scalar's, but as a DER
/// error ("malformed BIT STRING"); the Node build finds the same key by a signature that does
/// not verify. Both say [`super::INCONSISTENT`], and [`super::not_on_curve`] for an embedded
/// point off the curve (OpenSSL refuses to load it). Anything else wrong is left to `p256`.
fn check_ec_public_point(sec1_der: &[u8]) -> Result<(), KeyError> {
    use sec1::der::Decode as _;
    let Ok(key) = sec1::EcPrivateKey::from_der(sec1_der) else {
        return Ok(());
    };
    let (Some(embedded), Ok(secret)) =
        (key.public_key, p256::SecretKey::from_slice(key.private_key))
    else {
        return Ok(());
    };
    match p256::PublicKey::from_sec1_bytes(embedded) {
        Ok(point) if point == secret.public_key() => Ok(()),
        Ok(_) => Err(KeyError::Invalid {
            detail: super::INCONSISTENT.into(),
        }),
        // Its encoding was checked in `keys`: what is left is a point off the curve.
        Err(_) => Err(super::not_on_curve()),
    }
}

#[derive(Clone)]
pub(super) enum SigningKey {
    Rsa(Arc<rsa::PrivateKey>),
    Ecdsa(Arc<p256::ecdsa::SigningKey>),
}

impl SigningKey {
    pub(super) fn from_der(
        kind: KeyKind,
        format: PrivateKeyFormat,
        der: &[u8],
    ) -> Result<Self, KeyError> {
        Ok(match (kind, format) {
            // `rsa` checks the key's consistency here (RFC 8017 §3.2: d < n, n = p * q,
            // d * e = 1 mod p - 1 and q - 1). Its structure was checked in `keys`: what it can
            // still refuse is parts that disagree, said in one fixed message.
            (KeyKind::Rsa { .. }, PrivateKeyFormat::Pkcs1) => SigningKey::Rsa(Arc::new(
                rsa::PrivateKey::from_pkcs1_der(der).map_err(|_| inconsistent())?,
            )),
            (KeyKind::Rsa { .. }, PrivateKeyFormat::Pkcs8) => SigningKey::Rsa(Arc::new(
                rsa::PrivateKey::from_pkcs8_der(der).map_err(|_| inconsistent())?,
            )),
            (KeyKind::EcdsaP256, PrivateKeyFormat::Sec1) => {
                check_ec_public_point(der)?;
                let secret = p256::SecretKey::from_sec1_der(der).map_err(invalid)?;
                SigningKey::Ecdsa(Arc::new(secret.into()))
            }
            (KeyKind::EcdsaP256, PrivateKeyFormat::Pkcs8) => {
                use pkcs8::der::Decode as _;
                if let Ok(info) = pkcs8::PrivateKeyInfoRef::from_der(der) {
                    check_ec_public_point(info.private_key.as_bytes())?;
                }
                SigningKey::Ecdsa(Arc::new(
                    p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(invalid)?,
                ))
            }
            (kind, _) => return Err(wrong_format(kind)),
        })
    }

    pub(super) fn sign(
        &self,
        _kind: KeyKind,
        hash: HashAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, SignError> {
        let digest = digest(hash, message);
        match self {
            SigningKey::Rsa(key) => key
                .sign(pkcs1v15(hash), &digest)
                .map_err(|_| SignError::Rsa {
                    reason: super::RSA_SIGN_FAILED,
                }),
            SigningKey::Ecdsa(key) => {
                let signature: p256::ecdsa::Signature =
                    key.sign_prehash(&digest).map_err(|_| SignError::Ecdsa {
                        reason: super::ECDSA_SIGN_FAILED,
                    })?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }

    pub(super) fn public_key_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        let document = match self {
            SigningKey::Rsa(key) => key.to_public_key().to_public_key_der(),
            SigningKey::Ecdsa(key) => key.verifying_key().to_public_key_der(),
        };
        Ok(document.map_err(invalid)?.as_bytes().to_vec())
    }
}

#[derive(Clone)]
pub(super) enum VerifyingKey {
    Rsa(Arc<rsa::PublicKey>),
    Ecdsa(Arc<p256::ecdsa::VerifyingKey>),
}

impl VerifyingKey {
    pub(super) fn from_der(
        kind: KeyKind,
        format: PublicKeyFormat,
        der: &[u8],
    ) -> Result<Self, KeyError> {
        Ok(match (kind, format) {
            (KeyKind::Rsa { .. }, PublicKeyFormat::Pkcs1) => VerifyingKey::Rsa(Arc::new(
                rsa::PublicKey::from_pkcs1_der(der).map_err(invalid)?,
            )),
            (KeyKind::Rsa { .. }, PublicKeyFormat::Spki) => VerifyingKey::Rsa(Arc::new(
                rsa::PublicKey::from_public_key_der(der).map_err(invalid)?,
            )),
            // The SPKI and the point's encoding were checked in `keys`: what `p256` can still
            // refuse is a point off the curve.
            (KeyKind::EcdsaP256, PublicKeyFormat::Spki) => VerifyingKey::Ecdsa(Arc::new(
                p256::ecdsa::VerifyingKey::from_public_key_der(der)
                    .map_err(|_| super::not_on_curve())?,
            )),
            (kind, _) => return Err(wrong_format(kind)),
        })
    }

    pub(super) fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        let digest = digest(hash, message);
        match self {
            VerifyingKey::Rsa(key) => key.verify(pkcs1v15(hash), &digest, signature).is_ok(),
            VerifyingKey::Ecdsa(key) => p256::ecdsa::Signature::from_der(signature)
                .and_then(|signature| key.verify_prehash(&digest, &signature))
                .is_ok(),
        }
    }
}

/// PBES2 decryption by the `pkcs8` crate's `pkcs5`, the scheme as `keys` read it.
#[cfg(feature = "encrypted-keys")]
pub(super) fn decrypt_pbes2(
    scheme: &pkcs8::pkcs5::pbes2::Parameters,
    ciphertext: &[u8],
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plaintext = scheme
        .decrypt_in_place(passphrase, &mut buffer)
        .map_err(|_| KeyError::Decrypt)?;
    Ok(Zeroizing::new(plaintext.to_vec()))
}

/// Without `encrypted-keys` (the npm package's web build: PBES2's scrypt, PBKDF2 and AES are
/// ~170 KB of wasm) this backend cannot decrypt a key.
#[cfg(not(feature = "encrypted-keys"))]
pub(super) fn decrypt_pbes2(
    _scheme: &pkcs8::pkcs5::pbes2::Parameters,
    _ciphertext: &[u8],
    _passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    Err(KeyError::DecryptUnsupported)
}

/// SHA-256 of `parts`, one after another.
#[cfg(target_arch = "wasm32")]
pub(super) fn sha256(parts: &[&[u8]]) -> Option<[u8; 32]> {
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    Some(hasher.finalize().into())
}

/// Whether [`decrypt_pbes2`] can decrypt at all in this build.
pub(super) const CAN_DECRYPT: bool = cfg!(feature = "encrypted-keys");
