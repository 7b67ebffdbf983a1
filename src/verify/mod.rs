//! Verifying signed URLs and signed cookies the way CloudFront does, in a fixed order:
//! parse -> key id -> signature -> time window -> resource -> viewer IP.
//!
//! AWS: *Restrict access to files ... using signed URLs and signed cookies* and *How
//! CloudFront verifies ...*. Every failure is a typed [`Denied`] reason; a bad signature says
//! nothing about why (no oracle).

mod denied;
mod unverified;

use std::net::IpAddr;

pub use denied::Denied;
pub use unverified::Unverified;

use crate::keys::KeyGroup;
use crate::policy::Policy;
use crate::request::CredentialSource;

/// What a request presented, for [`Verifier::verify`]. Made with [`Request::new`], then
/// the optional parts set (more may be added, so it cannot be written as a literal).
///
/// ```
/// use cloudfront_edge_auth::Request;
/// let mut request = Request::new("https://d.example/private/a.png", 1_800_000_000);
/// request.cookie_header = Some("CloudFront-Expires=1900000000; ...");
/// request.client_ip = "::ffff:203.0.113.9".parse().ok();
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Request<'a> {
    /// The full viewer URL, `https://host/path?query`, as the viewer sent it.
    pub url: &'a str,
    /// The raw `Cookie` header, if any.
    pub cookie_header: Option<&'a str>,
    /// The viewer's address, if known. A policy with an IP condition never matches `None`.
    pub client_ip: Option<IpAddr>,
    /// The current time, epoch seconds.
    pub now: u64,
}

impl<'a> Request<'a> {
    /// A request for `url` (the full viewer URL) at `now` (epoch seconds), with no cookies
    /// and no known viewer address.
    pub fn new(url: &'a str, now: u64) -> Self {
        Request {
            url,
            cookie_header: None,
            client_ip: None,
            now,
        }
    }
}

/// The outcome of a verification.
pub type Verdict = Result<Accepted, Denied>;

/// Proof that a request's credentials passed every check. Only [`Verifier`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    key_pair_id: String,
    expires_at: u64,
    source: CredentialSource,
    policy: Policy,
}

impl Accepted {
    /// The key that signed the policy.
    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    /// When the policy stops being valid, epoch seconds.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Whether the signed URL or the cookies were used.
    pub fn source(&self) -> CredentialSource {
        self.source
    }

    /// The verified policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}
/// Verifies requests against one trusted key group.
///
/// ```
/// # fn demo(group: cloudfront_edge_auth::KeyGroup, cookie: &str) {
/// use cloudfront_edge_auth::{Request, Verifier};
/// let verifier = Verifier::new(group);
/// let mut request = Request::new("https://d.example/private/a.png", 1_800_000_000);
/// request.cookie_header = Some(cookie);
/// request.client_ip = "203.0.113.9".parse().ok();
/// let verdict = verifier.verify(&request);
/// match verdict {
///     Ok(accepted) => println!("valid until {}", accepted.expires_at()),
///     Err(denied) => println!("refused: {} ({denied})", denied.code()),
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    group: KeyGroup,
}
impl Verifier {
    /// A verifier trusting every key of `group`.
    pub fn new(group: KeyGroup) -> Self {
        Verifier { group }
    }

    /// The trusted key group.
    pub fn key_group(&self) -> &KeyGroup {
        &self.group
    }

    /// Decides whether `request` may have the URL. Signed-URL parameters win over cookies.
    pub fn verify(&self, request: &Request<'_>) -> Verdict {
        let unverified = Unverified::read(request.url, request.cookie_header)?;

        let key = self
            .group
            .get(unverified.key_pair_id())
            .ok_or_else(|| Denied::UnknownKey {
                key_pair_id: unverified.key_pair_id().to_string(),
            })?;
        if !key.verifying_key().verify(
            unverified.algorithm(),
            unverified.signed_bytes(),
            unverified.signature(),
        ) {
            return Err(Denied::BadSignature);
        }

        unverified.check_conditions(request.client_ip, request.now)?;
        let (key_pair_id, source, policy) = unverified.into_parts();
        Ok(Accepted {
            key_pair_id,
            expires_at: policy.expires(),
            source,
            policy,
        })
    }
}
