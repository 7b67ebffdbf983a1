//! Why a request's credentials were refused: one typed reason per failed check, with the
//! stable codes of the JS API.

use crate::request::Malformation;

/// Why credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denied {
    /// No signed-URL parameters and no `CloudFront-*` cookies.
    Missing,
    /// Credentials present but unreadable.
    Malformed(Malformation),
    /// `Key-Pair-Id` names no key of the group.
    UnknownKey {
        /// The id presented (validated as a key id, so safe to log).
        key_pair_id: String,
    },
    /// The signature does not match the policy under that key.
    BadSignature,
    /// The policy expired at `at` (epoch seconds).
    Expired {
        /// `DateLessThan`.
        at: u64,
    },
    /// The policy's window starts at `from` (epoch seconds).
    NotYetValid {
        /// `DateGreaterThan`.
        from: u64,
    },
    /// The policy's `Resource` does not cover this URL.
    ResourceMismatch,
    /// The viewer's IP is outside the policy's `AWS:SourceIp`.
    IpMismatch,
}

impl Denied {
    /// The stable reason code of the JS API: `missing`, `malformed`, `unknown-key`,
    /// `bad-signature`, `expired`, `not-yet-valid`, `resource-mismatch`, `ip-mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            Denied::Missing => "missing",
            Denied::Malformed(_) => "malformed",
            Denied::UnknownKey { .. } => "unknown-key",
            Denied::BadSignature => "bad-signature",
            Denied::Expired { .. } => "expired",
            Denied::NotYetValid { .. } => "not-yet-valid",
            Denied::ResourceMismatch => "resource-mismatch",
            Denied::IpMismatch => "ip-mismatch",
        }
    }
}

/// A denial is a value of the [`crate::Verdict`], not a failure of the call; it is an
/// [`std::error::Error`] too, so `?` can pass it on as one.
impl std::error::Error for Denied {}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::Missing => f.write_str("no signed URL parameters or CloudFront cookies"),
            Denied::Malformed(m) => write!(f, "malformed credentials: {m}"),
            Denied::UnknownKey { key_pair_id } => {
                write!(
                    f,
                    "key pair id {key_pair_id} is not in the trusted key group"
                )
            }
            Denied::BadSignature => f.write_str("signature does not match"),
            Denied::Expired { at } => write!(f, "expired at {at}"),
            Denied::NotYetValid { from } => write!(f, "not valid before {from}"),
            Denied::ResourceMismatch => f.write_str("the policy does not cover this URL"),
            Denied::IpMismatch => f.write_str("the viewer IP is outside the policy's range"),
        }
    }
}
