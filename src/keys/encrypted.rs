//! `ENCRYPTED PRIVATE KEY`: PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3) with PBES2 (RFC 8018
//! §6.2), read and checked here, once, for every build; a backend only turns the ciphertext
//! into plaintext with the scheme read here. The plaintext is then checked as a plain
//! `PRIVATE KEY` is, byte for byte as it was encrypted (the Node build no longer checks
//! OpenSSL's re-encoding of it).

use pkcs8::der::asn1::{AnyRef, OctetStringRef};
use pkcs8::der::{Decode as _, Reader as _, SliceReader, Tag, Tagged as _};
use pkcs8::pkcs5::pbes2::{self, Kdf, Pbkdf2Prf};
use pkcs8::pkcs5::EncryptionScheme;
use pkcs8::spki::AlgorithmIdentifierRef;
use pkcs8::EncryptedPrivateKeyInfoRef;
use zeroize::Zeroizing;

use crate::error::KeyError;

/// Why an `ENCRYPTED PRIVATE KEY` is refused before any decryption, in every build alike.
const MALFORMED: &str = "the ENCRYPTED PRIVATE KEY is not a PKCS#8 EncryptedPrivateKeyInfo";
const UNSUPPORTED: &str = "the ENCRYPTED PRIVATE KEY's encryption is not supported: PBES2 with \
     PBKDF2 (HMAC-SHA-1 to SHA-512) or scrypt, and AES-CBC or AES-GCM, are (re-encrypt with \
     `openssl pkcs8 -topk8 -v2 aes-256-cbc`)";
const TOO_COSTLY: &str = "the ENCRYPTED PRIVATE KEY's key derivation costs more than is \
     allowed: PBKDF2 up to 5,000,000 iterations, scrypt up to 256 MiB (128 * N * r bytes) and \
     1 GiB of mixing (128 * N * r * p) (re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc`)";

/// The most a key's derivation may cost. A key file names its own cost, so without a bound a
/// hostile (or corrupted) one is minutes of PBKDF2, or a scrypt allocation no machine has
/// (the `scrypt` crate would abort the process natively). The bounds are well above what
/// tools write: OpenSSL 2,048 PBKDF2 iterations and scrypt N = 16384, r = 8 (16 MiB); the
/// `pkcs8` crate's recommended scrypt N = 131072, r = 8 (128 MiB); OWASP's PBKDF2 advice
/// tops out at 1,300,000 (HMAC-SHA-1). At the bounds, on one x86 core of our test machines,
/// PBKDF2-HMAC-SHA-1 takes about 3 s, scrypt's 256 MiB about 1 s and its 1 GiB of mixing about
/// 4 s. OpenSSL itself (and so `@aws-sdk/cloudfront-signer`) refuses
/// scrypt over 32 MiB and bounds no PBKDF2 count.
const MAX_PBKDF2_ITERATIONS: u32 = 5_000_000;
const MAX_SCRYPT_BYTES: u128 = 256 << 20;
const MAX_SCRYPT_MIXING: u128 = 1 << 30;

/// An encrypted key whose scheme every decrypting build can decrypt alike.
pub(crate) struct EncryptedKey<'a> {
    /// The PBES2 parameters: key derivation and cipher.
    pub(crate) scheme: pbes2::Parameters,
    /// The ciphertext.
    pub(crate) ciphertext: &'a [u8],
}

impl<'a> EncryptedKey<'a> {
    /// Reads `der` as an `EncryptedPrivateKeyInfo` and checks its scheme. A malformed one, and
    /// one of another scheme (PBES1, PKCS#12's, DES), is
    /// [`KeyError::Pem`] (`ERR_KEY_FORMAT`) in every build, whether or not it can decrypt.
    pub(crate) fn read(der: &'a [u8]) -> Result<Self, KeyError> {
        if !well_formed(der) {
            return Err(refused(MALFORMED));
        }
        // Well formed, but an algorithm the `pkcs5` crate does not read (PKCS#12's PBEs).
        let info = EncryptedPrivateKeyInfoRef::from_der(der).map_err(|_| refused(UNSUPPORTED))?;
        let EncryptionScheme::Pbes2(scheme) = info.encryption_algorithm else {
            return Err(refused(UNSUPPORTED));
        };
        if !supported(&scheme) {
            return Err(refused(UNSUPPORTED));
        }
        if !affordable(&scheme.kdf) {
            return Err(refused(TOO_COSTLY));
        }
        Ok(EncryptedKey {
            scheme,
            ciphertext: info.encrypted_data.as_bytes(),
        })
    }
}

/// Whether `der` is `SEQUENCE { AlgorithmIdentifier, OCTET STRING }` and nothing more, whatever
/// the algorithm.
fn well_formed(der: &[u8]) -> bool {
    let read = || -> pkcs8::der::Result<bool> {
        let outer = AnyRef::from_der(der)?;
        if outer.tag() != Tag::Sequence {
            return Ok(false);
        }
        let mut reader = SliceReader::new(outer.value())?;
        AlgorithmIdentifierRef::decode(&mut reader)?;
        <&OctetStringRef>::decode(&mut reader)?;
        Ok(reader.is_finished())
    };
    read().unwrap_or(false)
}

fn refused(detail: &str) -> KeyError {
    KeyError::Pem {
        detail: detail.into(),
    }
}

/// What the `pkcs8` crate decrypts (with HMAC-SHA-1 for PBKDF2, OpenSSL 1.0's default; without
/// DES), and so what the Node build decrypts too, with `node:crypto`'s primitives.
fn supported(scheme: &pbes2::Parameters) -> bool {
    let kdf_ok = match &scheme.kdf {
        Kdf::Pbkdf2(params) => matches!(
            params.prf,
            Pbkdf2Prf::HmacWithSha1
                | Pbkdf2Prf::HmacWithSha224
                | Pbkdf2Prf::HmacWithSha256
                | Pbkdf2Prf::HmacWithSha384
                | Pbkdf2Prf::HmacWithSha512
        ),
        Kdf::Scrypt(_) => true,
        _ => false,
    };
    let cipher_ok = matches!(
        scheme.encryption,
        pbes2::EncryptionScheme::Aes128Cbc { .. }
            | pbes2::EncryptionScheme::Aes192Cbc { .. }
            | pbes2::EncryptionScheme::Aes256Cbc { .. }
            | pbes2::EncryptionScheme::Aes128Gcm { .. }
            | pbes2::EncryptionScheme::Aes256Gcm { .. }
    );
    let key_length_ok = scheme
        .kdf
        .key_length()
        .is_none_or(|length| usize::from(length) == scheme.encryption.key_size());
    kdf_ok && cipher_ok && key_length_ok
}

/// Whether deriving the key stays within the bounds above, before any work is done, so the
/// answer is the same with or without the passphrase.
fn affordable(kdf: &Kdf) -> bool {
    match kdf {
        Kdf::Pbkdf2(params) => params.iteration_count <= MAX_PBKDF2_ITERATIONS,
        Kdf::Scrypt(params) => {
            let bytes = 128 * u128::from(params.cost_parameter) * u128::from(params.block_size);
            bytes <= MAX_SCRYPT_BYTES
                && bytes * u128::from(params.parallelization) <= MAX_SCRYPT_MIXING
        }
        _ => false,
    }
}

/// Checks what a backend decrypted: a wrong passphrase whose last block happens to unpad is
/// not one DER `SEQUENCE` filling the plaintext, and is the same [`KeyError::Decrypt`] as any
/// wrong passphrase (as the `pkcs8` crate answered). What is one goes on to the plain checks.
pub(crate) fn check_plaintext(
    plaintext: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    match AnyRef::from_der(&plaintext) {
        Ok(any) if any.tag() == Tag::Sequence => Ok(plaintext),
        _ => Err(KeyError::Decrypt),
    }
}
