//! Credentials read from a request and decoded, not yet checked: the parse step of the
//! verifier, and the conditions CloudFront checks after the signature.

use std::net::IpAddr;

use super::Denied;
use crate::crypto::HashAlgorithm;
use crate::encoding;
use crate::policy::{CannedPolicy, CustomPolicy, Policy, MAX_EPOCH};
use crate::request::{self, CredentialSource, Malformation, RawCredentials};
use crate::resource;

/// Credentials decoded and typed, ready to be checked.
#[derive(Clone)]
struct Presented {
    policy: Policy,
    signed_bytes: Vec<u8>,
    signature: Vec<u8>,
    key_pair_id: String,
    algorithm: HashAlgorithm,
}

// Signatures stay out of logs, `{:?}` included.
impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented")
            .field("policy", &self.policy)
            .field("key_pair_id", &self.key_pair_id)
            .field("algorithm", &self.algorithm)
            .field("signature_len", &self.signature.len())
            .finish_non_exhaustive()
    }
}

/// Credentials read from a request and decoded, but **not verified**: no key has been
/// used, so nothing in here may be trusted. It exists for diagnostics (the CLI's `inspect`
/// shows a policy without the public key); to decide on a request use [`Verifier::verify`](crate::Verifier::verify),
/// which goes through this same step first.
///
/// ```
/// use cloudfront_edge_auth::{CredentialSource, Denied, Policy, Unverified};
/// let url = "https://d.example/a.png?Expires=1900000000&Signature=AAAA&Key-Pair-Id=K2JCJMDEHXQW5F";
/// let unverified = Unverified::read(url, None).unwrap();
/// assert_eq!(unverified.source(), CredentialSource::SignedUrl);
/// assert_eq!(unverified.resource(), "https://d.example/a.png");
/// assert!(matches!(unverified.policy(), Policy::Canned(_)));
/// assert_eq!(
///     unverified.condition_problem(None, 1_900_000_000),
///     Some(Denied::Expired { at: 1_900_000_000 })
/// );
/// assert_eq!(Unverified::read("https://d.example/a.png", None).unwrap_err(), Denied::Missing);
/// ```
#[derive(Debug, Clone)]
pub struct Unverified {
    source: CredentialSource,
    resource: String,
    presented: Presented,
}

impl Unverified {
    /// Reads the signed-URL parameters of `url` or, when it has none, the `CloudFront-*`
    /// cookies of `cookie_header`. Fails with [`Denied::Missing`] or [`Denied::Malformed`],
    /// exactly as [`Verifier::verify`](crate::Verifier::verify) would.
    pub fn read(url: &str, cookie_header: Option<&str>) -> Result<Self, Denied> {
        let parsed = request::parse_url(url).map_err(Denied::Malformed)?;
        let (raw, source) = match parsed.credentials {
            Some(raw) => (raw, CredentialSource::SignedUrl),
            None => {
                let header = cookie_header.unwrap_or("");
                let raw = request::parse_cookie_header(header)
                    .map_err(Denied::Malformed)?
                    .ok_or(Denied::Missing)?;
                (raw, CredentialSource::Cookies)
            }
        };
        let presented = decode(raw, &parsed.resource).map_err(Denied::Malformed)?;
        Ok(Unverified {
            source,
            resource: parsed.resource,
            presented,
        })
    }

    /// Whether the signed URL or the cookies were read.
    pub fn source(&self) -> CredentialSource {
        self.source
    }

    /// The URL CloudFront compares with the policy: the request URL without its signing
    /// parameters.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The `Key-Pair-Id` presented (syntactically valid, not looked up).
    pub fn key_pair_id(&self) -> &str {
        &self.presented.key_pair_id
    }

    /// The announced hash algorithm (SHA-1 when none is announced).
    pub fn algorithm(&self) -> HashAlgorithm {
        self.presented.algorithm
    }

    /// The policy: decoded from `Policy`, or rebuilt from the URL and `Expires`.
    pub fn policy(&self) -> &Policy {
        &self.presented.policy
    }

    /// The exact policy bytes the signature has to cover.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.presented.signed_bytes
    }

    /// The decoded signature (not checked).
    pub fn signature(&self) -> &[u8] {
        &self.presented.signature
    }

    /// The key id, where the credentials came from, and the policy, for an accepted verdict.
    pub(super) fn into_parts(self) -> (String, CredentialSource, Policy) {
        (
            self.presented.key_pair_id,
            self.source,
            self.presented.policy,
        )
    }

    /// For diagnostics: the first condition the request fails, in the verifier's order (time
    /// window, resource, viewer IP; a policy with an IP condition never matches
    /// `client_ip: None`). `None` is **not** an acceptance: no signature has been checked.
    pub fn condition_problem(&self, client_ip: Option<IpAddr>, now: u64) -> Option<Denied> {
        self.check_conditions(client_ip, now).err()
    }

    /// Every check but the signature's, for the verifier once the signature has passed. Not
    /// public: its `Ok` would read as an acceptance.
    pub(super) fn check_conditions(
        &self,
        client_ip: Option<IpAddr>,
        now: u64,
    ) -> Result<(), Denied> {
        let policy = &self.presented.policy;
        check_window(policy, now)?;
        if let Policy::Custom(custom) = policy {
            if let Some(pattern) = custom.resource() {
                if !resource::matches(pattern, &self.resource) {
                    return Err(Denied::ResourceMismatch);
                }
            }
            if let Some(network) = custom.ip_address() {
                if !client_ip.is_some_and(|ip| network.contains(ip)) {
                    return Err(Denied::IpMismatch);
                }
            }
        }
        Ok(())
    }
}

fn check_window(policy: &Policy, now: u64) -> Result<(), Denied> {
    let expires = policy.expires();
    if now >= expires {
        return Err(Denied::Expired { at: expires });
    }
    if let Policy::Custom(custom) = policy {
        if let Some(start) = custom.date_greater_than() {
            // AWS: access is allowed "on or after" DateGreaterThan.
            if now < start {
                return Err(Denied::NotYetValid { from: start });
            }
        }
    }
    Ok(())
}

fn decode(raw: RawCredentials<'_>, resource: &str) -> Result<Presented, Malformation> {
    let signature = raw
        .signature
        .ok_or(Malformation::Incomplete { name: "Signature" })?;
    let key_pair_id = raw.key_pair_id.ok_or(Malformation::Incomplete {
        name: "Key-Pair-Id",
    })?;
    if crate::keys::KeyId::new(key_pair_id).is_err() {
        return Err(Malformation::KeyPairId);
    }
    let algorithm = match raw.hash_algorithm {
        None => HashAlgorithm::Sha1,
        Some(name) => HashAlgorithm::from_name(name).map_err(|_| Malformation::HashAlgorithm)?,
    };
    let (policy, signed_bytes) = match (raw.expires, raw.policy) {
        (Some(_), Some(_)) => return Err(Malformation::ExpiresAndPolicy),
        (None, None) => {
            return Err(Malformation::Incomplete {
                name: "Expires or Policy",
            })
        }
        (Some(expires), None) => {
            // A canned policy is rebuilt from the request itself, as CloudFront does.
            let expires = parse_epoch(expires).ok_or(Malformation::Expires)?;
            let canned = CannedPolicy::new(resource, expires).map_err(Malformation::Policy)?;
            let bytes = canned.to_json().into_bytes();
            (Policy::Canned(canned), bytes)
        }
        (None, Some(encoded)) => {
            let (custom, bytes) =
                CustomPolicy::from_base64(encoded).map_err(Malformation::Policy)?;
            (Policy::Custom(custom), bytes)
        }
    };
    Ok(Presented {
        policy,
        signed_bytes,
        signature: encoding::decode(signature).map_err(Malformation::Signature)?,
        key_pair_id: key_pair_id.to_string(),
        algorithm,
    })
}

fn parse_epoch(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| (1..=MAX_EPOCH).contains(n))
}
