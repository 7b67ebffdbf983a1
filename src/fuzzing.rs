//! What the fuzz targets and the test vectors reach below the public API (feature `fuzzing`):
//! internals with no semver promise, kept out of the default build and its docs.

pub use crate::crypto::{PrivateKeyFormat, PublicKeyFormat, SigningKey, VerifyingKey, BACKEND};
use crate::error::{EncodingError, KeyError};

/// The check `keys` makes on an RSA private key's primes (PKCS#8 DER) before any backend sees
/// it: both at most half the modulus wide. The test vectors drive [`SigningKey`] directly,
/// below `PrivateKey`'s size rules, so they call this first as `PrivateKey` does.
pub fn check_rsa_pkcs8_primes(der: &[u8]) -> Result<(), KeyError> {
    use pkcs8::der::Decode as _;
    let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(crate::keys::der_error)?;
    let key = pkcs1::RsaPrivateKeyRef::from_der(info.private_key.as_bytes())
        .map_err(crate::keys::der_error)?;
    crate::keys::check_rsa_prime_widths(&key)
}

/// Encodes bytes the way CloudFront expects in `Policy`, `Signature` and their cookies.
///
/// ```
/// use cloudfront_edge_auth::fuzzing::encode;
/// assert_eq!(encode(&[0xfb, 0xff]), "-~8_");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    crate::encoding::encode(bytes)
}

/// Decodes CloudFront base64 back to bytes: characters outside the CloudFront alphabet
/// (the standard `+`, `/` and `=` included), inputs over [`MAX_ENCODED_LEN`](crate::MAX_ENCODED_LEN)
/// and bad lengths are refused.
///
/// ```
/// use cloudfront_edge_auth::fuzzing::decode;
/// assert_eq!(decode("-~8_").unwrap(), vec![0xfb, 0xff]);
/// assert!(decode("+/8=").is_err());
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, EncodingError> {
    crate::encoding::decode(text)
}

/// Whether `url` matches a policy's wildcard `Resource` (`*`, `?`), as the verifier decides.
///
/// ```
/// use cloudfront_edge_auth::fuzzing::resource_matches;
/// assert!(resource_matches("https://d.example/private/*", "https://d.example/private/a/b.png?x=1"));
/// assert!(resource_matches("https://d.example/?.png", "https://d.example/a.png"));
/// assert!(!resource_matches("https://d.example/private/*", "https://d.example/premium/a.png"));
/// ```
pub fn resource_matches(pattern: &str, url: &str) -> bool {
    crate::resource::matches(pattern, url)
}

/// The URL `@aws-sdk/cloudfront-signer`'s `getSignedUrl` signs (its `encodeUrlPath`).
///
/// ```
/// use cloudfront_edge_auth::fuzzing::normalize_url;
/// assert_eq!(
///     normalize_url("https://d.example/my file.png?a=b c&d"),
///     "https://d.example/my%20file.png?a=b%20c&d="
/// );
/// ```
pub fn normalize_url(url: &str) -> String {
    crate::sdk::normalize_url(url)
}
