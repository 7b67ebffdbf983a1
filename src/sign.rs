//! Signing: policy bytes -> RSASSA-PKCS1-v1_5 signature -> signed URL or cookie set.
//!
//! AWS: *Create a signed URL using a canned policy*, step "Sign the policy statement ... by
//! using SHA-1 (or SHA-256) and RSA" (or ECDSA with a P-256 key). The signature itself comes
//! from the crypto backend ([`crate::crypto`]): `node:crypto` in the Node build, RustCrypto
//! elsewhere.

use crate::crypto::HashAlgorithm;
use crate::encoding;
use crate::error::SignError;
use crate::keys::{KeyId, PrivateKey};
use crate::policy::{Policy, SignerStyle};

/// How the policy travels: as an expiry (canned) or as the base64 policy (custom).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyCarrier {
    /// `Expires` / `CloudFront-Expires`: epoch seconds.
    Expires(u64),
    /// `Policy` / `CloudFront-Policy`: CloudFront base64 of the policy JSON.
    Policy(String),
}

/// A signed policy: everything that goes into a signed URL's query or a cookie set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPolicy {
    carrier: PolicyCarrier,
    signature: String,
    key_pair_id: KeyId,
    algorithm: HashAlgorithm,
    style: SignerStyle,
}

impl SignedPolicy {
    /// The expiry or the encoded policy.
    pub fn carrier(&self) -> &PolicyCarrier {
        &self.carrier
    }

    /// The signature, CloudFront base64.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The key id.
    pub fn key_pair_id(&self) -> &KeyId {
        &self.key_pair_id
    }

    /// Appends the signing parameters to `base_url` in the order the chosen signer does:
    /// the JS SDK writes `Expires|Policy, Key-Pair-Id, Signature[, Hash-Algorithm]`,
    /// botocore `Expires|Policy, Signature, Key-Pair-Id`.
    pub fn to_url(&self, base_url: &str) -> String {
        let mut url = String::with_capacity(base_url.len() + self.signature.len() + 80);
        url.push_str(base_url);
        url.push(if base_url.contains('?') { '&' } else { '?' });
        match &self.carrier {
            PolicyCarrier::Expires(at) => url.push_str(&format!("Expires={at}")),
            PolicyCarrier::Policy(policy) => url.push_str(&format!("Policy={policy}")),
        }
        let key = format!("&Key-Pair-Id={}", self.key_pair_id);
        let signature = format!("&Signature={}", self.signature);
        match self.style {
            SignerStyle::AwsSdkJs => {
                url.push_str(&key);
                url.push_str(&signature);
            }
            SignerStyle::Botocore => {
                url.push_str(&signature);
                url.push_str(&key);
            }
        }
        if self.algorithm == HashAlgorithm::Sha256 {
            url.push_str("&Hash-Algorithm=SHA256");
        }
        url
    }

    /// The cookie set, named as `getSignedCookies` names it.
    pub fn to_cookies(&self) -> CookieSet {
        let mut cookies = vec![
            ("CloudFront-Key-Pair-Id", self.key_pair_id.to_string()),
            ("CloudFront-Signature", self.signature.clone()),
        ];
        cookies.push(match &self.carrier {
            PolicyCarrier::Expires(at) => ("CloudFront-Expires", at.to_string()),
            PolicyCarrier::Policy(policy) => ("CloudFront-Policy", policy.clone()),
        });
        if self.algorithm == HashAlgorithm::Sha256 {
            cookies.push(("CloudFront-Hash-Algorithm", "SHA256".to_string()));
        }
        CookieSet { cookies }
    }
}

/// Signed cookies, in the order `@aws-sdk/cloudfront-signer` returns them:
/// `CloudFront-Key-Pair-Id`, `CloudFront-Signature`, `CloudFront-Expires` or
/// `CloudFront-Policy`, then `CloudFront-Hash-Algorithm` when not SHA-1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSet {
    cookies: Vec<(&'static str, String)>,
}

impl CookieSet {
    /// `(name, value)` pairs, values already cookie-safe.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.cookies.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// The value of one cookie.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The set as a `Cookie` request header, as a browser would send it back.
    pub fn to_cookie_header(&self) -> String {
        self.iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Signs policies with one private key under one key id. Parse the key once, sign many times.
///
/// ```
/// # fn demo(pem: &str) -> Result<(), cloudfront_edge_auth::Error> {
/// use cloudfront_edge_auth::{CannedPolicy, KeyId, Policy, PrivateKey, Signer};
/// let signer = Signer::new(KeyId::new("K2JCJMDEHXQW5F")?, PrivateKey::from_pem(pem)?);
/// let url = "https://d111111abcdef8.cloudfront.net/image.jpg";
/// let policy = Policy::Canned(CannedPolicy::new(url, 1_900_000_000)?);
/// let signed = signer.sign_policy(&policy)?.to_url(url);
/// assert!(signed.starts_with("https://d111111abcdef8.cloudfront.net/image.jpg?Expires=1900000000&Key-Pair-Id="));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    key_pair_id: KeyId,
    key: PrivateKey,
    algorithm: HashAlgorithm,
    style: SignerStyle,
}

impl Signer {
    /// A SHA-1 signer producing `@aws-sdk/cloudfront-signer` bytes.
    pub fn new(key_pair_id: KeyId, key: PrivateKey) -> Self {
        Signer {
            key_pair_id,
            key,
            algorithm: HashAlgorithm::Sha1,
            style: SignerStyle::AwsSdkJs,
        }
    }

    /// Signs with `algorithm` instead of SHA-1.
    pub fn with_algorithm(mut self, algorithm: HashAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Reproduces another signer's bytes (botocore for the CLI).
    pub fn with_style(mut self, style: SignerStyle) -> Self {
        self.style = style;
        self
    }

    /// The key id written into URLs and cookies.
    pub fn key_pair_id(&self) -> &KeyId {
        &self.key_pair_id
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// Raw signature of `message`: RSASSA-PKCS1-v1_5 for an RSA key, DER-encoded ECDSA for a
    /// P-256 key, over its SHA-1 or SHA-256 digest.
    // Not public: a raw signature over arbitrary bytes is not a CloudFront operation, and the
    // key is a signing key for policies only.
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.key.signing_key().sign(self.algorithm, message)
    }

    /// The signing key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// Signs a policy, choosing the carrier by its kind.
    pub fn sign_policy(&self, policy: &Policy) -> Result<SignedPolicy, SignError> {
        let json = policy.to_json_with(self.style);
        let signature = encoding::encode(&self.sign_bytes(json.as_bytes())?);
        let carrier = match policy {
            Policy::Canned(p) => PolicyCarrier::Expires(p.expires()),
            Policy::Custom(_) => PolicyCarrier::Policy(encoding::encode(json.as_bytes())),
        };
        Ok(self.finish(carrier, signature))
    }

    /// Signs policy JSON given verbatim (the SDK's `policy` option). The caller validates it
    /// first with [`crate::CustomPolicy::from_json`]; the bytes are signed as given.
    pub fn sign_policy_json(&self, json: &str) -> Result<SignedPolicy, SignError> {
        self.sign_policy_text(json, None)
    }

    /// Signs policy text as given, carried as `Expires` when `canned_expires` is given (the
    /// text is then the canned policy of that expiry, as the SDK builds it) or as `Policy`.
    pub(crate) fn sign_policy_text(
        &self,
        json: &str,
        canned_expires: Option<u64>,
    ) -> Result<SignedPolicy, SignError> {
        let signature = encoding::encode(&self.sign_bytes(json.as_bytes())?);
        let carrier = match canned_expires {
            Some(at) => PolicyCarrier::Expires(at),
            None => PolicyCarrier::Policy(encoding::encode(json.as_bytes())),
        };
        Ok(self.finish(carrier, signature))
    }

    fn finish(&self, carrier: PolicyCarrier, signature: String) -> SignedPolicy {
        SignedPolicy {
            carrier,
            signature,
            key_pair_id: self.key_pair_id.clone(),
            algorithm: self.algorithm,
            style: self.style,
        }
    }
}
