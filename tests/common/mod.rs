//! Keys generated once per test binary (never committed), and small request helpers.
#![allow(dead_code)]

use std::sync::OnceLock;

use base64::Engine as _;

use cloudfront_edge_auth::{KeyGroup, KeyId, PrivateKey, PublicKey, Request, Signer};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey, LineEnding};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};

/// A generated RSA key in every PEM form the crate reads.
pub struct TestKey {
    pub pkcs8: String,
    pub pkcs1: String,
    pub spki: String,
    pub pkcs1_public: String,
    pub raw: rsa::PrivateKey,
}

fn generate(bits: usize) -> TestKey {
    let raw = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).expect("key generation");
    let public = raw.to_public_key();
    TestKey {
        pkcs8: raw.to_pkcs8_pem(LineEnding::LF).expect("pkcs8").to_string(),
        pkcs1: raw.to_pkcs1_pem(LineEnding::LF).expect("pkcs1").to_string(),
        spki: public.to_public_key_pem(LineEnding::LF).expect("spki"),
        pkcs1_public: public.to_pkcs1_pem(LineEnding::LF).expect("pkcs1 public"),
        raw,
    }
}

/// The main 2048-bit test key, id `K2JCJMDEHXQW5F`.
pub fn key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(2048))
}

/// A second 2048-bit key, id `K3ROTATEDKEY00`, for rotation and unknown-key tests.
pub fn other_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(2048))
}

/// A 1024-bit key, which CloudFront refuses.
pub fn weak_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(1024))
}

/// A generated ECDSA P-256 key in every PEM form the crate reads.
pub struct TestEcKey {
    /// `PRIVATE KEY` (PKCS#8).
    pub pkcs8: String,
    /// `EC PRIVATE KEY` (SEC1, with its curve).
    pub sec1: String,
    /// `PUBLIC KEY` (SPKI).
    pub spki: String,
}

/// The ECDSA P-256 test key.
pub fn ec_key() -> &'static TestEcKey {
    static KEY: OnceLock<TestEcKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("random bytes");
        // A random 256-bit value is below the group order but for a 2^-32 chance.
        let secret = p256::SecretKey::from_slice(&bytes).expect("EC key");
        TestEcKey {
            pkcs8: secret
                .to_pkcs8_pem(LineEnding::LF)
                .expect("pkcs8")
                .to_string(),
            sec1: secret
                .to_sec1_pem(LineEnding::LF)
                .expect("sec1")
                .to_string(),
            spki: secret
                .public_key()
                .to_public_key_pem(LineEnding::LF)
                .expect("spki"),
        }
    })
}

pub const KEY_ID: &str = "K2JCJMDEHXQW5F";
pub const OTHER_KEY_ID: &str = "K3ROTATEDKEY00";

pub fn signer() -> Signer {
    Signer::new(
        KeyId::new(KEY_ID).unwrap(),
        PrivateKey::from_pem(&key().pkcs8).unwrap(),
    )
}

pub fn other_signer() -> Signer {
    Signer::new(
        KeyId::new(OTHER_KEY_ID).unwrap(),
        PrivateKey::from_pem(&other_key().pkcs8).unwrap(),
    )
}

/// A group trusting only the main key.
pub fn group() -> KeyGroup {
    KeyGroup::new(vec![(
        KeyId::new(KEY_ID).unwrap(),
        PublicKey::from_pem(&key().spki).unwrap(),
    )])
    .unwrap()
}

pub fn cookie_request<'a>(url: &'a str, cookie: &'a str, now: u64) -> Request<'a> {
    let mut request = Request::new(url, now);
    request.cookie_header = Some(cookie);
    request
}

pub fn url_request(url: &str, now: u64) -> Request<'_> {
    Request::new(url, now)
}

/// DER wrapped as PEM with `label`, 64 characters a line.
pub fn armor(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// CloudFront's base64 (`+` -> `-`, `=` -> `_`, `/` -> `~`), written from the AWS doc
/// independently of the crate's own codec.
pub fn to_cloudfront_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .replace('+', "-")
        .replace('=', "_")
        .replace('/', "~")
}

/// The inverse of [`to_cloudfront_base64`]; panics on text that is not CloudFront base64.
pub fn from_cloudfront_base64(text: &str) -> Vec<u8> {
    let standard = text.replace('-', "+").replace('_', "=").replace('~', "/");
    base64::engine::general_purpose::STANDARD
        .decode(standard)
        .expect("CloudFront base64")
}
