//! The crypto seam: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) and ECDSA P-256 (FIPS 186-5) signatures
//! over CloudFront policy bytes, with SHA-1 or SHA-256. No arithmetic of our own lives here:
//! each backend hands the key material to a reviewed implementation, parsed once.
//!
//! - `rustcrypto` (native builds, the CLI, the npm package's web build): RustCrypto's `rsa`
//!   (constant time, blinded) and `p256`.
//! - `node-crypto` (the npm package's Node build, wasm32 only): Node's `node:crypto`, that is
//!   OpenSSL, through `js-sys`; keys become `KeyObject`s once.
//!
//! The rest of the core (PEM and key-type checks, policies, the decision order, the typed
//! errors) is one code path for both, so the same bad key or signature gets the same error
//! and the same verdict whichever backend runs. PKCS#1 v1.5 is deterministic: both backends
//! give byte-identical RSA signatures for the same key and message.

mod hash;

// The backend is picked at build time; both files keep their own name so a reader (and
// rustdoc) sees which one a path belongs to, and the rest of this module names only `backend`.
#[cfg(all(target_arch = "wasm32", feature = "node-crypto"))]
mod node;
#[cfg(all(target_arch = "wasm32", feature = "node-crypto"))]
use node as backend;

#[cfg(not(all(target_arch = "wasm32", feature = "node-crypto")))]
#[cfg(feature = "rustcrypto")]
mod rustcrypto;
#[cfg(not(all(target_arch = "wasm32", feature = "node-crypto")))]
#[cfg(feature = "rustcrypto")]
use rustcrypto as backend;

#[cfg(not(any(
    all(target_arch = "wasm32", feature = "node-crypto"),
    feature = "rustcrypto"
)))]
compile_error!(
    "cloudfront-edge-auth needs a crypto backend: the `rustcrypto` feature, or `node-crypto` on wasm32"
);

pub use hash::HashAlgorithm;

use crate::error::{KeyError, SignError};

/// Which backend this build signs and verifies with: `"rustcrypto"` or `"node:crypto"`.
pub const BACKEND: &str = backend::NAME;

/// The kind of key, read from its encoding before any backend sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA, RSASSA-PKCS1-v1_5 signatures, with this many modulus bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// ECDSA over NIST P-256 (secp256r1), DER-encoded signatures.
    EcdsaP256,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "RSA {bits} bits"),
            KeyKind::EcdsaP256 => f.write_str("ECDSA P-256"),
        }
    }
}

/// How a private key's DER is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKeyFormat {
    /// PKCS#1 `RSAPrivateKey` (`RSA PRIVATE KEY`).
    Pkcs1,
    /// SEC1 `ECPrivateKey` (`EC PRIVATE KEY`), with its curve parameters.
    Sec1,
    /// PKCS#8 `PrivateKeyInfo` (`PRIVATE KEY`).
    Pkcs8,
}

/// How a public key's DER is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyFormat {
    /// PKCS#1 `RSAPublicKey` (`RSA PUBLIC KEY`).
    Pkcs1,
    /// X.509 `SubjectPublicKeyInfo` (`PUBLIC KEY`).
    Spki,
}

/// A private key held by the backend, parsed once. Cloning shares it.
#[derive(Clone)]
pub struct SigningKey {
    kind: KeyKind,
    inner: backend::SigningKey,
}

impl SigningKey {
    /// Hands checked DER to the backend. The caller has read `kind` from this very DER and
    /// checked it ([`crate::PrivateKey`] does, in `keys`); a backend refusal is
    /// [`KeyError::Invalid`], in the same words from every backend.
    pub fn from_der(kind: KeyKind, format: PrivateKeyFormat, der: &[u8]) -> Result<Self, KeyError> {
        Ok(SigningKey {
            kind,
            inner: backend::SigningKey::from_der(kind, format, der)?,
        })
    }

    /// The key's kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Signs `message`: RSASSA-PKCS1-v1_5 or ECDSA (DER) over its `hash` digest.
    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.inner.sign(self.kind, hash, message)
    }

    /// The matching public key as X.509 `SubjectPublicKeyInfo` DER.
    pub fn public_key_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        self.inner.public_key_spki_der()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, {}, redacted)", self.kind, BACKEND)
    }
}

/// Why a private key whose parts disagree is refused, in both backends' words alike: the
/// `rsa` crate (native, web build) refuses an RSA key whose `d`, `p` or `q` disagree; the
/// Node build refuses an EC key whose embedded point is not its scalar's. OpenSSL signs
/// correctly with an RSA key whose `d` or a prime is wrong (its CRT fault check falls back to
/// the intact half): the Node build takes such a key, and only arithmetic of our own could
/// refuse it there (docs/security.md).
pub(crate) const INCONSISTENT: &str =
    "the private key's parts do not agree with each other (a damaged or edited key)";

/// Why a signature could not be made, in both backends' words alike. A key whose parts agree
/// but whose "primes" are not prime signs wrongly; neither build hands out such a signature
/// (the `rsa` crate checks every signature with the public key, the Node build checks a key's
/// signatures with OpenSSL until one verifies).
pub(crate) const RSA_SIGN_FAILED: &str =
    "the RSA operation failed (the system random number generator or the key)";
/// See [`RSA_SIGN_FAILED`].
pub(crate) const ECDSA_SIGN_FAILED: &str = "the ECDSA operation failed";

/// Why an EC point that is well encoded (checked in `keys`) is refused, in both backends'
/// words alike: what is left for a backend to find is that the point is not on the curve.
fn not_on_curve() -> KeyError {
    KeyError::Invalid {
        detail: "the EC point is not a point of the P-256 curve".into(),
    }
}

/// A public key held by the backend, parsed once. Cloning shares it.
#[derive(Clone)]
pub struct VerifyingKey {
    kind: KeyKind,
    inner: backend::VerifyingKey,
}

impl VerifyingKey {
    /// Hands checked DER to the backend (see [`SigningKey::from_der`]).
    pub fn from_der(kind: KeyKind, format: PublicKeyFormat, der: &[u8]) -> Result<Self, KeyError> {
        Ok(VerifyingKey {
            kind,
            inner: backend::VerifyingKey::from_der(kind, format, der)?,
        })
    }

    /// The key's kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Whether `signature` is a valid signature of `message` under this key with `hash`.
    /// Every failure, a malformed signature included, is the same `false` (no oracle).
    pub fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        if let KeyKind::Rsa { bits } = self.kind {
            // RFC 8017 §8.2.2 step 1: a signature is exactly the modulus length.
            if signature.len() != bits.div_ceil(8) {
                return false;
            }
        }
        self.inner.verify(hash, message, signature)
    }
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({}, {})", self.kind, BACKEND)
    }
}

/// Decrypts PBES2 `ciphertext` (RFC 8018 §6.2.2) with the scheme `keys` read and checked:
/// the `pkcs8` crate's PBES2 natively (`encrypted-keys`), `node:crypto`'s PBKDF2 / scrypt and
/// AES in the Node build. The plaintext is returned as decrypted, for `keys` to check as a
/// plain key. The web build has neither and refuses with [`KeyError::DecryptUnsupported`].
/// Every failure is [`KeyError::Decrypt`], with nothing that tells a wrong passphrase from a
/// bad padding.
pub(crate) fn decrypt_pbes2(
    scheme: &pkcs8::pkcs5::pbes2::Parameters,
    ciphertext: &[u8],
    passphrase: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, KeyError> {
    backend::decrypt_pbes2(scheme, ciphertext, passphrase)
}

/// SHA-256 of `parts` fed one after another, in the backend's own implementation (`sha2`,
/// or `node:crypto`'s `createHash`): what the npm package's key cache is keyed by, so the
/// cache holds a digest of a PEM and passphrase, not their text. `None` if the backend could
/// not hash (the caller then does without the cache).
#[cfg(target_arch = "wasm32")]
pub(crate) fn sha256(parts: &[&[u8]]) -> Option<[u8; 32]> {
    backend::sha256(parts)
}

/// Whether this build can decrypt an `ENCRYPTED PRIVATE KEY` at all.
pub(crate) const CAN_DECRYPT: bool = backend::CAN_DECRYPT;
