//! What `sign-url` takes as `--url` (and each `--batch` line) and as `--policy-resource`:
//! the rules of `aws cloudfront sign` in AWS CLI v2 (AWS CLI Command Reference, `cloudfront
//! sign`: "an absolute http:// or https:// URL without a fragment, with non-ASCII characters
//! and spaces percent-encoded, and without the CloudFront signing parameters").
//!
//! v2's checks (awscli/customizations/cloudfront/sign.py at 0162b2aa, `_validate_resource`
//! and `_is_http_url`, lines 297-339), in v2's order: not empty; no `"`, `\` or control
//! character (they would have to be escaped inside the policy JSON); ASCII without spaces
//! (CloudFront compares the resource with the URL as the viewer sends it, percent-encoded, so
//! a raw space or `ü` never matches); no `#` (never sent to CloudFront); then an http(s) URL
//! with a host and a valid port, which a resource is excused from when it has a `*`. AWS CLI
//! v1 checks none of this and signs URLs CloudFront can never accept.

use std::fmt;

/// Why a `--url` or `--policy-resource` value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceError {
    /// Nothing given.
    Empty,
    /// A `"`, `\` or control character, which the policy JSON would have to escape.
    UnsafeCharacter,
    /// A non-ASCII character or a space, never in a URL as a viewer sends it.
    NotAscii,
    /// A `#fragment`, never sent to CloudFront.
    Fragment,
    /// Not an absolute `http://` or `https://` URL with a host (and a port, if any, in range).
    NotHttpUrl,
    /// The URL already carries `Expires`, `Policy`, `Signature`, `Key-Pair-Id` or
    /// `Hash-Algorithm`.
    SigningParameters,
}

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceError::Empty => "empty",
            ResourceError::UnsafeCharacter => {
                "must not contain double quotes, backslashes or control characters"
            }
            ResourceError::NotAscii => {
                "must be ASCII without spaces: percent-encode other characters (a viewer's \
                 request arrives percent-encoded, so CloudFront would never match it) and use \
                 the xn-- form of an internationalised domain name"
            }
            ResourceError::Fragment => {
                "must not contain a fragment ('#'), which is never sent to CloudFront"
            }
            ResourceError::NotHttpUrl => {
                "not an absolute http:// or https:// URL, for example \
                 https://d111111abcdef8.cloudfront.net/image.jpg"
            }
            ResourceError::SigningParameters => {
                "already carries CloudFront signing parameters (Expires, Policy, Signature, \
                 Key-Pair-Id or Hash-Algorithm): remove them before signing"
            }
        })
    }
}

/// A URL to sign: checked, and written into the signed URL (and a canned policy) as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlToSign(String);

impl UrlToSign {
    /// Checks `text` as v2 checks `--url` (`_validate_resource(url, allow_wildcards=False)`,
    /// then the signing parameters of its query; sign.py lines 227-238).
    pub fn parse(text: &str) -> Result<Self, ResourceError> {
        check_characters(text)?;
        if !is_http_url(text) {
            return Err(ResourceError::NotHttpUrl);
        }
        // v2 asks `parse_qsl`, which skips `Expires` without a value and decodes `%2D` in a
        // name; we ask the verifier's rule (a name with or without a value, as written), the
        // one answer CloudFront's "signed URL wins over cookies" rests on. The two differ only
        // on such spellings, which no real URL has.
        let query = text.split_once('?').map_or("", |(_, query)| query);
        if cloudfront_edge_auth::has_signed_url_parameters(query) {
            return Err(ResourceError::SigningParameters);
        }
        Ok(UrlToSign(text.to_string()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A `--policy-resource`: a URL, or a pattern with `*` (any run of characters) and `?`
/// (exactly one character), written into a custom policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyResource(String);

impl PolicyResource {
    /// Checks `text` as v2 checks `--policy-resource` (`_validate_resource(resource)`; a `*`
    /// excuses it from being a URL, since wildcards may stand anywhere, `http*://` included).
    pub fn parse(text: &str) -> Result<Self, ResourceError> {
        check_characters(text)?;
        if !text.contains('*') && !is_http_url(text) {
            return Err(ResourceError::NotHttpUrl);
        }
        Ok(PolicyResource(text.to_string()))
    }

    /// The resource.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The checks v2 makes of every resource before asking whether it is a URL.
fn check_characters(text: &str) -> Result<(), ResourceError> {
    if text.is_empty() {
        Err(ResourceError::Empty)
    } else if text
        .chars()
        .any(|c| c == '"' || c == '\\' || (c as u32) < 0x20 || c == '\x7f')
    {
        Err(ResourceError::UnsafeCharacter)
    } else if !text.is_ascii() || text.contains(' ') {
        Err(ResourceError::NotAscii)
    } else if text.contains('#') {
        Err(ResourceError::Fragment)
    } else {
        Ok(())
    }
}

/// Whether Python's `urlsplit` finds an `http` or `https` scheme (any case), a host, and a
/// port that is absent, empty or a number up to 65535: v2's `_is_http_url`. `text` is ASCII
/// without spaces, controls or `#` (checked first).
fn is_http_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    let Some(after_slashes) = rest.strip_prefix("//") else {
        return false;
    };
    let netloc = &after_slashes[..after_slashes
        .find(['/', '?'])
        .unwrap_or(after_slashes.len())];
    // urlsplit refuses an unbalanced `[` or `]`, and a bracketed host that is not IPv6. (It
    // also takes an IPvFuture `[v1.x]` and an IPv6 zone `%eth0`; no CloudFront URL has
    // either, and they are refused here.)
    if netloc.contains('[') != netloc.contains(']') {
        return false;
    }
    let host_and_port = netloc.rsplit_once('@').map_or(netloc, |(_, host)| host);
    let (host, port) = match host_and_port.split_once('[') {
        Some((_, bracketed)) => {
            let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return false;
            }
            (host, after.split_once(':').map_or("", |(_, port)| port))
        }
        None => host_and_port.split_once(':').unwrap_or((host_and_port, "")),
    };
    // `int()` of ASCII digits, leading zeros allowed, then 0-65535.
    let significant = port.trim_start_matches('0');
    let port_ok = port.bytes().all(|b| b.is_ascii_digit())
        && significant.len() <= 5
        && significant
            .parse::<u32>()
            .map_or(significant.is_empty(), |n| n <= 65_535);
    !host.is_empty() && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each answer is what v2's `_validate_resource(value, 'url', allow_wildcards=False)`
    /// returns under Python 3.11's `urlsplit` (sign.py at 0162b2aa, lines 297-339).
    #[test]
    fn urls_are_checked_as_aws_cli_v2_checks_them() {
        use ResourceError::*;
        for (url, expected) in [
            ("https://d111111abcdef8.cloudfront.net/a.mp4", Ok(())),
            ("HTTP://d.example:8080/a?b=c&d", Ok(())),
            ("https://d.example:/a", Ok(())),
            ("https://user:pw@d.example:443/a", Ok(())),
            ("https://[2001:db8::1]:8443/a", Ok(())),
            ("https://d.example/private/*", Ok(())),
            ("https://d.example/a%20b/%C3%BC.png", Ok(())),
            ("https://d.example:000080/a", Ok(())),
            ("", Err(Empty)),
            ("https://d.example/a\"b", Err(UnsafeCharacter)),
            ("https://d.example/a\\b", Err(UnsafeCharacter)),
            ("https://d.example/a\tb", Err(UnsafeCharacter)),
            ("https://d.example/a\x7f", Err(UnsafeCharacter)),
            ("https://d.example/a b", Err(NotAscii)),
            ("https://d.example/ü.png", Err(NotAscii)),
            ("https://d.example/a#top", Err(Fragment)),
            ("ftp://d.example/a", Err(NotHttpUrl)),
            ("d.example/a", Err(NotHttpUrl)),
            ("https:/d.example/a", Err(NotHttpUrl)),
            ("https:///a", Err(NotHttpUrl)),
            ("https://:443/a", Err(NotHttpUrl)),
            ("https://d.example:99999/a", Err(NotHttpUrl)),
            ("https://d.example:8o/a", Err(NotHttpUrl)),
            ("https://d.example:-1/a", Err(NotHttpUrl)),
            ("https://[2001:db8::1/a", Err(NotHttpUrl)),
            ("https://[d.example]/a", Err(NotHttpUrl)),
            ("https://d.example/a?Expires=1", Err(SigningParameters)),
            (
                "https://d.example/a?x=1&Signature=abc",
                Err(SigningParameters),
            ),
            ("https://d.example/a?Key-Pair-Id", Err(SigningParameters)),
        ] {
            assert_eq!(UrlToSign::parse(url).map(|_| ()), expected, "{url:?}");
        }
    }

    #[test]
    fn a_policy_resource_may_be_a_pattern_anywhere_but_not_anything() {
        use ResourceError::*;
        for (resource, expected) in [
            ("https://d.example/videos/*", Ok(())),
            ("http*://d.example/*.mp4", Ok(())),
            ("*", Ok(())),
            ("https://d.example/v?deos/a.mp4", Ok(())),
            ("https://d.example/a?Expires=1", Ok(())),
            ("d.example/videos/a.mp4", Err(NotHttpUrl)),
            ("https://d.example/a b/*", Err(NotAscii)),
            ("https://d.example/*#x", Err(Fragment)),
            ("", Err(Empty)),
        ] {
            assert_eq!(
                PolicyResource::parse(resource).map(|_| ()),
                expected,
                "{resource:?}"
            );
        }
    }
}
