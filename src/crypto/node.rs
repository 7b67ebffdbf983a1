//! The `node-crypto` backend: Node's `node:crypto` (OpenSSL) through `js-sys`, for the npm
//! package's Node build and so the Lambda@Edge handler. Keys become `KeyObject`s once
//! (`createPrivateKey` / `createPublicKey`); `crypto.sign` / `crypto.verify` hash and sign in
//! OpenSSL. Message and signature bytes cross as views of the wasm memory, read synchronously.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Object, Uint8Array};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::{HashAlgorithm, KeyKind, PrivateKeyFormat, PublicKeyFormat};
use crate::error::{KeyError, SignError};
use crate::js::{js_str, set};

pub(super) const NAME: &str = "node:crypto";

#[wasm_bindgen(module = "node:crypto")]
extern "C" {
    /// `crypto.KeyObject`.
    #[derive(Clone)]
    pub(super) type KeyObject;

    #[wasm_bindgen(js_name = createPrivateKey, catch)]
    fn create_private_key(options: &Object) -> Result<KeyObject, JsValue>;

    #[wasm_bindgen(js_name = createPublicKey, catch)]
    fn create_public_key(key: &JsValue) -> Result<KeyObject, JsValue>;

    #[wasm_bindgen(js_name = sign, catch)]
    fn node_sign(algorithm: &JsValue, data: &[u8], key: &KeyObject) -> Result<Uint8Array, JsValue>;

    #[wasm_bindgen(js_name = verify, catch)]
    fn node_verify(
        algorithm: &JsValue,
        data: &[u8],
        key: &KeyObject,
        signature: &[u8],
    ) -> Result<bool, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn export(this: &KeyObject, options: &Object) -> Result<Uint8Array, JsValue>;

    /// `crypto.Hash`.
    type Hash;

    #[wasm_bindgen(js_name = createHash, catch)]
    fn create_hash(algorithm: &JsValue) -> Result<Hash, JsValue>;

    /// `hash.update(data)`: `data` is a view of the wasm memory, read before the call returns.
    #[wasm_bindgen(method, catch)]
    fn update(this: &Hash, data: &[u8]) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn digest(this: &Hash) -> Result<Uint8Array, JsValue>;

    #[wasm_bindgen(js_name = pbkdf2Sync, catch)]
    fn pbkdf2_sync(
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        length: u32,
        digest: &JsValue,
    ) -> Result<Uint8Array, JsValue>;

    #[wasm_bindgen(js_name = scryptSync, catch)]
    fn scrypt_sync(
        password: &[u8],
        salt: &[u8],
        length: u32,
        options: &Object,
    ) -> Result<Uint8Array, JsValue>;

    /// `crypto.Decipher`.
    type Decipher;

    #[wasm_bindgen(js_name = createDecipheriv, catch)]
    fn create_decipheriv(
        algorithm: &JsValue,
        key: &Uint8Array,
        iv: &[u8],
    ) -> Result<Decipher, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setAuthTag)]
    fn set_auth_tag(this: &Decipher, tag: &[u8]) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = update)]
    fn decipher_update(this: &Decipher, data: &[u8]) -> Result<Uint8Array, JsValue>;

    #[wasm_bindgen(method, catch, js_name = final)]
    fn decipher_final(this: &Decipher) -> Result<Uint8Array, JsValue>;

    /// `keyObject.export({ format: "jwk" })`.
    #[wasm_bindgen(method, catch, js_name = export)]
    fn export_jwk(this: &KeyObject, options: &Object) -> Result<Object, JsValue>;
}

/// Node's name of `hash`, as a JS string made once.
fn algorithm(hash: HashAlgorithm) -> JsValue {
    js_str(match hash {
        HashAlgorithm::Sha1 => "sha1",
        HashAlgorithm::Sha256 => "sha256",
    })
}

fn options(entries: &[(&'static str, &JsValue)]) -> Result<Object, JsValue> {
    let object = Object::new();
    for (name, value) in entries {
        set(&object, name, value)?;
    }
    Ok(object)
}

/// `{ key: <DER>, format: "der", type }`: the DER is copied into a fresh JS buffer, which
/// is returned too, so a private key's copy can be zeroed once OpenSSL has read it.
fn der_options(der: &[u8], kind: &str) -> Result<(Object, Uint8Array), JsValue> {
    let copy = Uint8Array::from(der);
    let options = options(&[
        ("key", &copy.clone().into()),
        ("format", &"der".into()),
        ("type", &kind.into()),
    ])?;
    Ok((options, copy))
}

fn refused(what: &str) -> KeyError {
    KeyError::Invalid {
        detail: format!("node:crypto refused the {what}"),
    }
}

/// A public `KeyObject` as SubjectPublicKeyInfo DER.
fn spki_der(public: &KeyObject) -> Result<Vec<u8>, KeyError> {
    let export = options(&[("type", &"spki".into()), ("format", &"der".into())])
        .map_err(|_| refused("public key"))?;
    Ok(public
        .export(&export)
        .map_err(|_| refused("public key"))?
        .to_vec())
}

/// The uncompressed P-256 public point of `key` as SubjectPublicKeyInfo DER. OpenSSL exports
/// the point in the form the private key embedded it (compressed, sometimes); `p256` always
/// writes it uncompressed, and `Signer#publicKeyPem` must be the same in every build. The
/// JWK's `x` and `y` are the point's coordinates, 32 bytes each (RFC 7518 §6.2.1).
fn ec_spki_der(key: &KeyObject) -> Result<Vec<u8>, KeyError> {
    use base64::Engine as _;
    use pkcs8::der::asn1::{AnyRef, BitStringRef, ObjectIdentifier};
    use pkcs8::der::Encode as _;
    use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
    /// `id-ecPublicKey` and `prime256v1` (RFC 5480 §2.1.1).
    const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let jwk = options(&[("format", &"jwk".into())])
        .and_then(|options| key.export_jwk(&options))
        .map_err(|_| refused("public key"))?;
    // SEC1's uncompressed point: 0x04, then x and y.
    let mut point = vec![0x04];
    for name in ["x", "y"] {
        let coordinate = js_sys::Reflect::get(&jwk, &name.into())
            .ok()
            .and_then(|value| value.as_string())
            .and_then(|text| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(text)
                    .ok()
            })
            .filter(|bytes| bytes.len() == 32)
            .ok_or_else(|| refused("public key"))?;
        point.extend(coordinate);
    }
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: EC_PUBLIC_KEY,
            parameters: Some(AnyRef::from(&P256)),
        },
        subject_public_key: BitStringRef::from_bytes(&point).map_err(|_| refused("public key"))?,
    };
    spki.to_der().map_err(|_| refused("public key"))
}

#[derive(Clone)]
pub(super) struct SigningKey {
    kind: KeyKind,
    key: KeyObject,
    /// The public half, which RSA signatures are checked against until one verifies.
    public: KeyObject,
    /// Whether a signature of this key has verified: from then on the key is known to sign
    /// right, and OpenSSL's own CRT fault check covers each signature. Shared by clones.
    proven: Rc<Cell<bool>>,
}

impl SigningKey {
    pub(super) fn from_der(
        kind: KeyKind,
        format: PrivateKeyFormat,
        der: &[u8],
    ) -> Result<Self, KeyError> {
        let wrapping = match (kind, format) {
            (KeyKind::Rsa { .. }, PrivateKeyFormat::Pkcs1) => "pkcs1",
            (KeyKind::EcdsaP256, PrivateKeyFormat::Sec1) => "sec1",
            (_, PrivateKeyFormat::Pkcs8) => "pkcs8",
            _ => return Err(refused("key encoding")),
        };
        let (options, copy) = der_options(der, wrapping).map_err(|_| refused("private key"))?;
        let key = create_private_key(&options);
        // OpenSSL has its own copy now (or refused): the JS one is wiped either way.
        copy.fill(0, 0, copy.length());
        let key = key.map_err(|_| match kind {
            // Everything but the embedded point's place on the curve was checked before.
            KeyKind::EcdsaP256 => super::not_on_curve(),
            KeyKind::Rsa { .. } => refused("private key"),
        })?;
        let public = create_public_key(&key).map_err(|_| refused("private key"))?;
        let signing = SigningKey {
            kind,
            key,
            public,
            proven: Rc::new(Cell::new(false)),
        };
        // An RSA key is OpenSSL's to judge: one whose `d` or a prime disagrees with the rest
        // still signs correctly here (OpenSSL's CRT fault check falls back to the intact
        // half), so it is taken, where the `rsa` crate refuses it (docs/security.md); each
        // signature is checked until one verifies (`sign`). An EC key's embedded point is not checked by
        // OpenSSL against its scalar, where `p256` refuses a mismatch: one signature made and
        // checked against that point (cheap for P-256) gives the same answer.
        if kind == KeyKind::EcdsaP256 {
            let probe = b"cloudfront-edge-auth pairwise consistency";
            let signature = signing
                .sign(kind, HashAlgorithm::Sha256, probe)
                .map_err(|_| refused("private key"))?;
            if !node_verify(
                &algorithm(HashAlgorithm::Sha256),
                probe,
                &signing.public,
                &signature,
            )
            .unwrap_or(false)
            {
                return Err(KeyError::Invalid {
                    detail: super::INCONSISTENT.into(),
                });
            }
        }
        Ok(signing)
    }

    pub(super) fn sign(
        &self,
        _kind: KeyKind,
        hash: HashAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, SignError> {
        let failed = || match self.kind {
            KeyKind::Rsa { .. } => SignError::Rsa {
                reason: super::RSA_SIGN_FAILED,
            },
            KeyKind::EcdsaP256 => SignError::Ecdsa {
                reason: super::ECDSA_SIGN_FAILED,
            },
        };
        let algorithm = algorithm(hash);
        let signature = node_sign(&algorithm, message, &self.key)
            .map_err(|_| failed())?
            .to_vec();
        // The `rsa` crate checks each RSA signature with the public key before returning it;
        // OpenSSL returns a wrong one for a key whose "primes" are not prime (one that passed
        // every check of its parts). Such a key never makes a signature that verifies, so
        // checking until one does (the first, for any sound key) keeps the builds alike.
        if matches!(self.kind, KeyKind::Rsa { .. }) && !self.proven.get() {
            if !node_verify(&algorithm, message, &self.public, &signature).unwrap_or(false) {
                return Err(failed());
            }
            self.proven.set(true);
        }
        Ok(signature)
    }

    pub(super) fn public_key_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        match self.kind {
            KeyKind::Rsa { .. } => spki_der(&self.public),
            KeyKind::EcdsaP256 => ec_spki_der(&self.public),
        }
    }
}

#[derive(Clone)]
pub(super) struct VerifyingKey {
    key: KeyObject,
}

impl VerifyingKey {
    pub(super) fn from_der(
        kind: KeyKind,
        format: PublicKeyFormat,
        der: &[u8],
    ) -> Result<Self, KeyError> {
        let wrapping = match format {
            PublicKeyFormat::Pkcs1 => "pkcs1",
            PublicKeyFormat::Spki => "spki",
        };
        let (options, _) = der_options(der, wrapping).map_err(|_| refused("public key"))?;
        let key = create_public_key(&options.into()).map_err(|_| match kind {
            // The SPKI and the point's encoding were checked before: what OpenSSL can still
            // refuse is a point off the curve.
            KeyKind::EcdsaP256 => super::not_on_curve(),
            KeyKind::Rsa { .. } => refused("public key"),
        })?;
        Ok(VerifyingKey { key })
    }

    pub(super) fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        // OpenSSL throws for some malformed signatures (a bad DER for ECDSA): a refusal too.
        node_verify(&algorithm(hash), message, &self.key, signature).unwrap_or(false)
    }
}

/// PBES2 decryption (RFC 8018 §6.2.2) with `node:crypto`'s PBKDF2 or scrypt and AES, the
/// scheme as `keys` read and checked it. Decrypting the ciphertext here, rather than handing
/// the PEM to `createPrivateKey`, gives the key exactly as it was encrypted, which the core
/// then checks as a plain one (OpenSSL's re-encoding hid an edited inner key), and decrypts
/// exactly the schemes the `pkcs8` crate does (OpenSSL also took PBES1 and PKCS#12's).
/// Every JS buffer that held the derived key or plaintext is filled with zeros once read.
pub(super) fn decrypt_pbes2(
    scheme: &pkcs8::pkcs5::pbes2::Parameters,
    ciphertext: &[u8],
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let key = derive_key(scheme, passphrase).ok_or(KeyError::Decrypt)?;
    let plaintext = decipher(scheme, &key, ciphertext);
    key.fill(0, 0, key.length());
    plaintext.ok_or(KeyError::Decrypt)
}

fn derive_key(scheme: &pkcs8::pkcs5::pbes2::Parameters, passphrase: &[u8]) -> Option<Uint8Array> {
    use pkcs8::pkcs5::pbes2::{Kdf, Pbkdf2Prf};
    let length = u32::try_from(scheme.encryption.key_size()).ok()?;
    match &scheme.kdf {
        Kdf::Pbkdf2(params) => {
            let digest = match params.prf {
                Pbkdf2Prf::HmacWithSha1 => "sha1",
                Pbkdf2Prf::HmacWithSha224 => "sha224",
                Pbkdf2Prf::HmacWithSha256 => "sha256",
                Pbkdf2Prf::HmacWithSha384 => "sha384",
                Pbkdf2Prf::HmacWithSha512 => "sha512",
                // Refused by `keys` before any backend.
                _ => return None,
            };
            let salt = params.salt.as_bytes();
            pbkdf2_sync(
                passphrase,
                salt,
                params.iteration_count,
                length,
                &js_str(digest),
            )
            .ok()
        }
        Kdf::Scrypt(params) => {
            // Node refuses a cost over its `maxmem` (32 MiB by default), the `scrypt` crate
            // does not: allow what the parameters need, 128 * N * r bytes and a margin.
            let needed = 128.0 * params.cost_parameter as f64 * f64::from(params.block_size);
            let options = options(&[
                ("N", &(params.cost_parameter as f64).into()),
                ("r", &f64::from(params.block_size).into()),
                ("p", &f64::from(params.parallelization).into()),
                ("maxmem", &(2.0 * needed + 1_048_576.0).into()),
            ])
            .ok()?;
            scrypt_sync(passphrase, params.salt.as_bytes(), length, &options).ok()
        }
        _ => None,
    }
}

fn decipher(
    scheme: &pkcs8::pkcs5::pbes2::Parameters,
    key: &Uint8Array,
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    use pkcs8::pkcs5::pbes2::EncryptionScheme;
    /// AES-GCM's tag, at the end of the ciphertext (RFC 5084 §3.2, the `pkcs5` crate's 16 bytes).
    const TAG: usize = 16;
    let (cipher, iv, body, tag): (&str, &[u8], &[u8], Option<&[u8]>) = match &scheme.encryption {
        EncryptionScheme::Aes128Cbc { iv } => ("aes-128-cbc", iv, ciphertext, None),
        EncryptionScheme::Aes192Cbc { iv } => ("aes-192-cbc", iv, ciphertext, None),
        EncryptionScheme::Aes256Cbc { iv } => ("aes-256-cbc", iv, ciphertext, None),
        EncryptionScheme::Aes128Gcm { nonce } | EncryptionScheme::Aes256Gcm { nonce } => {
            let cipher = if scheme.encryption.key_size() == 16 {
                "aes-128-gcm"
            } else {
                "aes-256-gcm"
            };
            let at = ciphertext.len().checked_sub(TAG)?;
            (cipher, nonce, &ciphertext[..at], Some(&ciphertext[at..]))
        }
        _ => return None,
    };
    let decipher = create_decipheriv(&JsValue::from_str(cipher), key, iv).ok()?;
    if let Some(tag) = tag {
        decipher.set_auth_tag(tag).ok()?;
    }
    let head = decipher.decipher_update(body).ok()?;
    let tail = decipher.decipher_final();
    let mut plaintext = Zeroizing::new(head.to_vec());
    head.fill(0, 0, head.length());
    let tail = tail.ok()?;
    plaintext.extend(tail.to_vec());
    tail.fill(0, 0, tail.length());
    Some(plaintext)
}

/// SHA-256 of `parts`, one after another, with `createHash("sha256")`.
pub(super) fn sha256(parts: &[&[u8]]) -> Option<[u8; 32]> {
    let hash = create_hash(&js_str("sha256")).ok()?;
    for part in parts {
        hash.update(part).ok()?;
    }
    hash.digest().ok()?.to_vec().try_into().ok()
}

/// Node decrypts the PBES2 schemes `keys` lets through, as the native build does.
pub(super) const CAN_DECRYPT: bool = true;
