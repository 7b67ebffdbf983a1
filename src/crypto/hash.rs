//! The digest a policy is signed with. AWS: *Create a signed URL using a canned policy* — SHA-1
//! by default, SHA-256 when the URL carries `Hash-Algorithm=SHA256` (cookie
//! `CloudFront-Hash-Algorithm=SHA256`).

use crate::error::SignError;

/// The digest signed. SHA-1 is CloudFront's default; SHA-256 is opt-in and announced with
/// `Hash-Algorithm=SHA256` / `CloudFront-Hash-Algorithm=SHA256`.
///
/// ```
/// use cloudfront_edge_auth::HashAlgorithm;
/// assert_eq!(HashAlgorithm::from_name("SHA256").unwrap(), HashAlgorithm::Sha256);
/// assert!(HashAlgorithm::from_name("sha256").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashAlgorithm {
    /// SHA-1, the default.
    #[default]
    Sha1,
    /// SHA-256.
    Sha256,
}

impl HashAlgorithm {
    /// Reads `"SHA1"` or `"SHA256"` (the names the SDK and CloudFront use).
    pub fn from_name(name: &str) -> Result<Self, SignError> {
        match name {
            "SHA1" => Ok(HashAlgorithm::Sha1),
            "SHA256" => Ok(HashAlgorithm::Sha256),
            _ => Err(SignError::UnsupportedAlgorithm {
                name: name.chars().take(32).collect(),
            }),
        }
    }

    /// `"SHA1"` or `"SHA256"`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
        }
    }
}
