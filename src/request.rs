//! Pulling CloudFront credentials out of a request: signed-URL query parameters, or the
//! `CloudFront-*` cookies of a `Cookie` header. Parsing only; deciding is in `verify`.
//!
//! AWS: *Use signed cookies* — "If a signed URL and signed cookies are both present,
//! CloudFront uses the signed URL".

use crate::verify::Malformation;

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

/// The raw credential values, not yet decoded or checked.
#[derive(Debug, Default)]
pub(crate) struct RawCredentials<'a> {
    pub expires: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub key_pair_id: Option<&'a str>,
    pub hash_algorithm: Option<&'a str>,
}

impl<'a> RawCredentials<'a> {
    fn slot(&mut self, name: &str, url: bool) -> Option<&mut Option<&'a str>> {
        let name = if url {
            name
        } else {
            name.strip_prefix("CloudFront-")?
        };
        Some(match name {
            "Expires" => &mut self.expires,
            "Policy" => &mut self.policy,
            "Signature" => &mut self.signature,
            "Key-Pair-Id" => &mut self.key_pair_id,
            "Hash-Algorithm" => &mut self.hash_algorithm,
            _ => return None,
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
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
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
    match name {
        "Expires" => "Expires",
        "Policy" => "Policy",
        "Signature" => "Signature",
        "Key-Pair-Id" => "Key-Pair-Id",
        _ => "Hash-Algorithm",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_signing_parameters_from_the_resource() {
        let parsed =
            parse_url("https://d.example/a.png?x=1&Expires=9&Signature=s&Key-Pair-Id=K&y=2")
                .unwrap();
        assert_eq!(parsed.resource, "https://d.example/a.png?x=1&y=2");
        let c = parsed.credentials.unwrap();
        assert_eq!(
            (c.expires, c.signature, c.key_pair_id),
            (Some("9"), Some("s"), Some("K"))
        );
    }

    #[test]
    fn a_url_without_signing_parameters_is_its_own_resource() {
        let parsed = parse_url("https://d.example/a.png?x=1").unwrap();
        assert_eq!(parsed.resource, "https://d.example/a.png?x=1");
        assert!(parsed.credentials.is_none());
        let parsed = parse_url("https://d.example/a.png?Policy=p").unwrap();
        assert_eq!(parsed.resource, "https://d.example/a.png");
    }

    #[test]
    fn rejects_repeated_url_parameters_and_long_urls() {
        assert!(matches!(
            parse_url("https://d.example/?Signature=a&Signature=b"),
            Err(Malformation::Duplicate { name: "Signature" })
        ));
        let long = format!("https://d.example/{}", "a".repeat(MAX_URL_LEN));
        assert!(matches!(
            parse_url(&long),
            Err(Malformation::UrlTooLong { .. })
        ));
    }

    #[test]
    fn reads_cloudfront_cookies_and_ignores_others() {
        let c = parse_cookie_header(
            "session=abc; CloudFront-Policy=p;CloudFront-Signature=\"s\"; CloudFront-Key-Pair-Id=K; junk",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (c.policy, c.signature, c.key_pair_id),
            (Some("p"), Some("s"), Some("K"))
        );
        assert!(parse_cookie_header("session=abc; theme=dark")
            .unwrap()
            .is_none());
        assert!(parse_cookie_header("").unwrap().is_none());
    }

    #[test]
    fn first_duplicate_cookie_wins() {
        let c = parse_cookie_header("CloudFront-Signature=first; CloudFront-Signature=second")
            .unwrap()
            .unwrap();
        assert_eq!(c.signature, Some("first"));
    }

    #[test]
    fn rejects_oversized_cookie_headers() {
        let header = "a=b; ".repeat(MAX_COOKIE_HEADER_LEN);
        assert!(matches!(
            parse_cookie_header(&header),
            Err(Malformation::CookieHeaderTooLong { .. })
        ));
    }
}
