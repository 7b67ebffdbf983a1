//! Pulling CloudFront credentials out of a request: signed-URL query parameters, or the
//! `CloudFront-*` cookies of a `Cookie` header. Parsing only; deciding is in `verify`.
//!
//! AWS: *Use signed cookies* — "If a signed URL and signed cookies are both present,
//! CloudFront uses the signed URL".

use crate::error::{EncodingError, PolicyError};

/// Longest URL we look at (CloudFront's own limit is 8,192 bytes).
pub const MAX_URL_LEN: usize = 8 * 1024;
/// Longest `Cookie` header we look at (CloudFront's limit on all headers is 20,480 bytes).
pub const MAX_COOKIE_HEADER_LEN: usize = 20 * 1024;

/// Where the credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// Signed-URL query parameters.
    SignedUrl,
    /// `CloudFront-*` cookies.
    Cookies,
}

/// What exactly was unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformation {
    /// The URL is over [`MAX_URL_LEN`].
    #[error("URL is {len} bytes, over the limit")]
    UrlTooLong {
        /// Its length.
        len: usize,
    },
    /// The `Cookie` header is over [`MAX_COOKIE_HEADER_LEN`].
    #[error("Cookie header is {len} bytes, over the limit")]
    CookieHeaderTooLong {
        /// Its length.
        len: usize,
    },
    /// A signed-URL parameter appears twice.
    #[error("{name} appears more than once")]
    Duplicate {
        /// The parameter.
        name: &'static str,
    },
    /// A required value is absent.
    #[error("{name} is missing")]
    Incomplete {
        /// What is missing.
        name: &'static str,
    },
    /// Both `Expires` and `Policy` were given.
    #[error("both Expires and Policy are present")]
    ExpiresAndPolicy,
    /// `Expires` is not epoch seconds in range.
    #[error("Expires is not an epoch time from 1 to 2147483647")]
    Expires,
    /// The policy does not parse.
    #[error("{0}")]
    Policy(PolicyError),
    /// The signature is not CloudFront base64.
    #[error("signature: {0}")]
    Signature(EncodingError),
    /// `Key-Pair-Id` is not a key id.
    #[error("Key-Pair-Id is not a valid key id")]
    KeyPairId,
    /// `Hash-Algorithm` is neither SHA1 nor SHA256.
    #[error("Hash-Algorithm must be SHA1 or SHA256")]
    HashAlgorithm,
}

/// The raw credential values, not yet decoded or checked.
#[derive(Debug, Default)]
pub(crate) struct RawCredentials<'a> {
    pub expires: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub key_pair_id: Option<&'a str>,
    pub hash_algorithm: Option<&'a str>,
}

/// The names CloudFront reads as signing parameters, in a query string as they are and in a
/// cookie after `CloudFront-`. Case-sensitive, as CloudFront's own parameters are.
const SIGNING_PARAMETERS: [&str; 5] = [
    "Expires",
    "Policy",
    "Signature",
    "Key-Pair-Id",
    "Hash-Algorithm",
];

/// Whether `query` (a query string without its `?`) carries any signed-URL parameter:
/// `Expires`, `Policy`, `Signature`, `Key-Pair-Id` or `Hash-Algorithm` as a parameter name,
/// with or without a value. When it does, the verifier reads the URL's parameters and never
/// the cookies (CloudFront: "If a signed URL and signed cookies are both present, CloudFront
/// uses the signed URL"). This is the one answer to that question; the verifier uses it too.
///
/// ```
/// use cloudfront_edge_auth::has_signed_url_parameters;
/// assert!(has_signed_url_parameters("x=1&Hash-Algorithm=SHA256"));
/// assert!(has_signed_url_parameters("Key-Pair-Id"));
/// assert!(!has_signed_url_parameters("policy=1&Expiresx=2"));
/// ```
pub fn has_signed_url_parameters(query: &str) -> bool {
    query
        .split('&')
        .any(|pair| signing_parameter(parameter_name(pair)).is_some())
}

fn parameter_name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(name, _)| name)
}

fn signing_parameter(name: &str) -> Option<usize> {
    SIGNING_PARAMETERS.iter().position(|known| *known == name)
}

impl<'a> RawCredentials<'a> {
    fn slot(&mut self, name: &str, url: bool) -> Option<&mut Option<&'a str>> {
        let name = if url {
            name
        } else {
            name.strip_prefix("CloudFront-")?
        };
        Some(match signing_parameter(name)? {
            0 => &mut self.expires,
            1 => &mut self.policy,
            2 => &mut self.signature,
            3 => &mut self.key_pair_id,
            _ => &mut self.hash_algorithm,
        })
    }
}

/// A request URL split into the resource CloudFront compares (the URL without the signing
/// parameters) and any signed-URL credentials it carried.
pub(crate) struct ParsedUrl<'a> {
    pub resource: String,
    pub credentials: Option<RawCredentials<'a>>,
}

pub(crate) fn parse_url(url: &str) -> Result<ParsedUrl<'_>, Malformation> {
    if url.len() > MAX_URL_LEN {
        return Err(Malformation::UrlTooLong { len: url.len() });
    }
    let Some((base, query)) = url.split_once('?') else {
        return Ok(ParsedUrl {
            resource: url.to_string(),
            credentials: None,
        });
    };
    let mut credentials = RawCredentials::default();
    let mut found = false;
    let mut kept: Vec<&str> = Vec::new();
    for pair in query.split('&') {
        let name = parameter_name(pair);
        let value = pair.get(name.len() + 1..).unwrap_or("");
        match credentials.slot(name, true) {
            Some(slot) => {
                if slot.is_some() {
                    return Err(Malformation::Duplicate {
                        name: url_param_name(name),
                    });
                }
                *slot = Some(value);
                found = true;
            }
            None => kept.push(pair),
        }
    }
    if !found {
        return Ok(ParsedUrl {
            resource: url.to_string(),
            credentials: None,
        });
    }
    let resource = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(ParsedUrl {
        resource,
        credentials: Some(credentials),
    })
}

/// Reads the `CloudFront-*` cookies of a `Cookie` header. When a name repeats, the first
/// wins: browsers send the cookie with the longest `Path` first (RFC 6265 §5.4), which is
/// the most specific tier. What CloudFront itself does with duplicates is not documented.
pub(crate) fn parse_cookie_header(
    header: &str,
) -> Result<Option<RawCredentials<'_>>, Malformation> {
    if header.len() > MAX_COOKIE_HEADER_LEN {
        return Err(Malformation::CookieHeaderTooLong { len: header.len() });
    }
    let mut credentials = RawCredentials::default();
    let mut found = false;
    for pair in header.split(';') {
        let pair = pair.trim_matches(|c| c == ' ' || c == '\t');
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        if let Some(slot) = credentials.slot(name, false) {
            if slot.is_none() {
                *slot = Some(value.trim_matches('"'));
            }
            found = true;
        }
    }
    Ok(found.then_some(credentials))
}

fn url_param_name(name: &str) -> &'static str {
    signing_parameter(name).map_or("Hash-Algorithm", |i| SIGNING_PARAMETERS[i])
}

#[cfg(test)]
mod tests;
