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
    /// Hands checked DER to the backend. The caller has read `kind` from this very DER
    /// ([`crate::PrivateKey`] does); a backend refusal is [`KeyError::Invalid`].
    pub fn from_der(kind: KeyKind, format: PrivateKeyFormat, der: &[u8]) -> Result<Self, KeyError> {
        if let KeyKind::Rsa { bits } = kind {
            check_rsa_private_key(format, der, bits)?;
        }
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

/// Why a private key whose parts disagree is refused, in both backends' words alike.
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

/// An RSA private key checked before any backend sees it, so both backends give the same
/// answer to the same key:
///
/// - Both primes at most half the modulus wide, as every key generator makes them
///   (`openssl genrsa`, `ssh-keygen`, AWS). The `rsa` crate's constant-time CRT arithmetic sizes
///   its buffers from the modulus and refuses wider primes; OpenSSL takes them.
/// - The parts agree, as the `rsa` crate checks them (RFC 8017 §3.2): `d < n`, `p` and `q` odd,
///   distinct and over 1, `n = p * q`, and `d * e = 1 (mod p - 1)` and `(mod q - 1)`. OpenSSL
///   loads a key with a wrong `d` or a wrong prime and still signs correctly (its CRT fault
///   check falls back to the other half); the `rsa` crate refuses it.
/// - The encoded CRT values in range (RFC 8017 §3.2): `dP < p`, `dQ < q`, `qInv < p`. OpenSSL
///   cannot sign with an unreduced `qInv`; the `rsa` crate ignores all three. Their values are
///   not checked further: the `rsa` crate recomputes them from `d`, `p` and `q`, and a reduced
///   but wrong one still gives OpenSSL's right signature (its fault check again).
///
/// The arithmetic is `crypto-bigint`'s (the `rsa` crate's own), constant time; only whether
/// the key is consistent is revealed, never which part is wrong.
fn check_rsa_private_key(
    format: PrivateKeyFormat,
    der: &[u8],
    bits: usize,
) -> Result<(), KeyError> {
    use pkcs8::der::Decode as _;
    let malformed = |e: pkcs8::der::Error| KeyError::Pem {
        detail: e.to_string(),
    };
    let pkcs1 = match format {
        PrivateKeyFormat::Pkcs8 => pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(malformed)?
            .private_key
            .as_bytes(),
        _ => der,
    };
    let key = pkcs1::RsaPrivateKeyRef::from_der(pkcs1).map_err(malformed)?;
    let width = |integer: &[u8]| {
        let significant = &integer[integer
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(integer.len())..];
        significant.first().map_or(0, |&top| {
            significant.len() * 8 - top.leading_zeros() as usize
        })
    };
    // Half the modulus's own width, as the `rsa` crate counts it (`bits` counts whole bytes,
    // as CloudFront's "2048-bit" does: a 2041-bit modulus is a 2048-bit key there).
    let half = width(key.modulus.as_bytes()).div_ceil(2);
    if width(key.prime1.as_bytes()) > half || width(key.prime2.as_bytes()) > half {
        return Err(KeyError::Invalid {
            detail: "RSA keys whose primes differ in size are not supported".into(),
        });
    }
    if !rsa_parts_agree(&key, bits, half) {
        return Err(KeyError::Invalid {
            detail: INCONSISTENT.into(),
        });
    }
    Ok(())
}

/// `d < n`, `p` and `q` odd, distinct and over 1, `n = p * q`, `d * e = 1 (mod p - 1)` and
/// `(mod q - 1)`: the `rsa` crate's `validate` for two primes. `bits` is the modulus width and
/// `half` the primes' (already checked to fit).
///
/// Only division and modular addition are used: `n = p * q` as `n / p = q` remainder 0, and
/// `d * e mod (p - 1)` as `(d mod (p - 1)) * e` by doubling and adding over the bits of the
/// public `e`. `crypto-bigint`'s multiplication (Karatsuba, ~50 KB of wasm) would double what
/// the Node build's cold start compiles for this check.
fn rsa_parts_agree(key: &pkcs1::RsaPrivateKeyRef<'_>, bits: usize, half: usize) -> bool {
    use crypto_bigint::{BoxedUint, CtEq as _, CtLt as _, Integer as _, NonZero};
    let (Ok(bits), Ok(half)) = (u32::try_from(bits), u32::try_from(half)) else {
        return false;
    };
    let read = |integer: &[u8], precision: u32| BoxedUint::from_be_slice(integer, precision).ok();
    let (Some(n), Some(d), Some(p), Some(q), Some(wide_q)) = (
        read(key.modulus.as_bytes(), bits),
        read(key.private_exponent.as_bytes(), bits),
        read(key.prime1.as_bytes(), half),
        read(key.prime2.as_bytes(), half),
        read(key.prime2.as_bytes(), bits),
    ) else {
        // A `d` wider than the modulus.
        return false;
    };
    // Public, and at most 2^33 - 1 (checked with the public key).
    let e = key
        .public_exponent
        .as_bytes()
        .iter()
        .fold(0u64, |acc, &b| acc << 8 | u64::from(b));
    let two = BoxedUint::from(2u64);
    // Primes under 2 would divide by zero below: refused before any arithmetic.
    let primes_usable =
        !(p.ct_lt(&two) | q.ct_lt(&two) | !p.is_odd() | !q.is_odd() | p.ct_eq(&q)).to_bool();
    let Some(p_divisor) = NonZero::new(p.clone()).into_option() else {
        return false;
    };
    if !primes_usable {
        return false;
    }
    let (Some(dp), Some(dq), Some(qinv)) = (
        read(key.exponent1.as_bytes(), half),
        read(key.exponent2.as_bytes(), half),
        read(key.coefficient.as_bytes(), half),
    ) else {
        // A CRT value wider than the primes.
        return false;
    };
    let (quotient, remainder) = n.div_rem(&p_divisor);
    let mut agree = d.ct_lt(&n) & remainder.is_zero() & quotient.ct_eq(&wide_q);
    agree &= dp.ct_lt(&p) & dq.ct_lt(&q) & qinv.ct_lt(&p);
    for prime in [&p, &q] {
        let Some(order) = NonZero::new(prime.wrapping_sub(BoxedUint::one())).into_option() else {
            return false;
        };
        let d_mod = d.rem(&order);
        let mut de = BoxedUint::zero_with_precision(half);
        for bit in (0..u64::BITS - e.leading_zeros()).rev() {
            de = de.add_mod(&de, &order);
            if e >> bit & 1 == 1 {
                de = de.add_mod(&d_mod, &order);
            }
        }
        agree &= de.is_one();
    }
    agree.to_bool()
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

/// Decrypts an `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2) to PKCS#8 `PrivateKeyInfo` DER: the core's
/// `pkcs8` decryption natively (`encrypted-keys`), `createPrivateKey` in the Node build. The web
/// build has neither and refuses with [`KeyError::Decrypt`]'s code. Every failure is the same
/// error, with nothing that tells a wrong passphrase from a bad padding.
pub(crate) fn decrypt_pkcs8(
    pem: &str,
    der: &[u8],
    passphrase: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, KeyError> {
    backend::decrypt_pkcs8(pem, der, passphrase)
}

/// Whether this build can decrypt an `ENCRYPTED PRIVATE KEY` at all.
pub(crate) const CAN_DECRYPT: bool = backend::CAN_DECRYPT;
