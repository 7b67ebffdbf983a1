//! `@aws-sdk/cloudfront-signer` (v3.1166) reproduced where the JS API must behave as it does:
//! here its URL handling (`encodeUrlPath`, `getResource`), so `getSignedUrl` output is
//! byte-identical; in `policy.rs` the policy it builds from options and the errors it throws
//! (`error.rs`), with `Number()` for its CIDR check in `number.rs`.
//!
//! The SDK re-encodes each path segment (`encodeURIComponent(decodeURIComponent(s))`) and
//! each query key and value before signing, so a space becomes `%20` and the signed
//! `Resource` is the normalised URL. botocore signs the URL as given; see the README.

mod error;
mod number;
mod policy;
#[cfg(test)]
mod tests;

// For the wasm32 bindings (and the tests).
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use error::SdkError;
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use policy::{
    build as build_policy, resource, resource_to_sign, SdkDate, SdkPolicyOptions,
};

use crate::error::SignError;

/// Schemes the SDK signs (RTMP distributions were retired in 2020 and are refused here).
const SCHEMES: [&str; 4] = ["http:", "https:", "ws:", "wss:"];

/// Checks a URL's scheme the way `@aws-sdk/cloudfront-signer`'s `getResource` does: the text
/// before the first `//` must be `http:`, `https:`, `ws:` or `wss:`.
///
/// ```
/// use cloudfront_edge_auth::check_url_scheme;
/// assert!(check_url_scheme("https://d.example/a.png").is_ok());
/// assert!(check_url_scheme("rtmp://d.example/a.flv").is_err());
/// ```
pub fn check_url_scheme(url: &str) -> Result<(), SignError> {
    let scheme = url.find("//").map(|end| &url[..end]);
    match scheme {
        Some(s) if SCHEMES.contains(&s) => Ok(()),
        _ => Err(SignError::UnsupportedScheme {
            url: url.chars().take(100).collect(),
        }),
    }
}

/// The SDK's `encodeUrlPath`: percent-encodes path segments and query components the way
/// `getSignedUrl` does before it signs.
// Used by the JS `getSignedUrl` (wasm32) and the fuzz targets only.
#[cfg_attr(
    not(any(target_arch = "wasm32", feature = "fuzzing")),
    allow(dead_code)
)]
pub(crate) fn normalize_url(url: &str) -> String {
    let Some(protocol_end) = url.find("//") else {
        return url.to_string();
    };
    let authority_start = protocol_end + 2;
    let Some(path_start) = url[authority_start..]
        .find('/')
        .map(|i| i + authority_start)
    else {
        return url.to_string();
    };
    let (origin, rest) = url.split_at(path_start);
    let (raw_path, raw_query) = match rest.find('?') {
        Some(q) => rest.split_at(q),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(url.len() + 16);
    out.push_str(origin);
    for (i, segment) in raw_path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if !segment.is_empty() {
            match percent_decode_utf8(segment) {
                Some(decoded) => encode_uri_component(&decoded, &mut out),
                None => encode_uri_component(segment, &mut out),
            }
        }
    }
    if !raw_query.is_empty() {
        let pairs: Vec<String> = raw_query[1..]
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let mut encoded = String::new();
                encode_query_component(key, &mut encoded);
                encoded.push('=');
                encode_query_component(value, &mut encoded);
                encoded
            })
            .collect();
        if !pairs.is_empty() {
            out.push('?');
            out.push_str(&pairs.join("&"));
        }
    }
    out
}

/// JS `decodeURIComponent`, or `None` where it would throw (bad escape, invalid UTF-8).
fn percent_decode_utf8(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits exactly: `u8::from_str_radix` would also take a sign (`%+F`),
            // where `decodeURIComponent` throws.
            let [high, low] = bytes.get(i + 1..i + 3)? else {
                return None;
            };
            out.push(hex_digit(*high)? << 4 | hex_digit(*low)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_digit(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

/// JS `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as UTF-8 `%XX`.
fn encode_uri_component(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// The SDK's `encodeQueryComponent`: existing `%XX` escapes are kept (upper-cased), `+` is
/// kept, the rest goes through `encodeURIComponent` with `'` as `%27`.
fn encode_query_component(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    let flush = |from: usize, to: usize, out: &mut String| {
        let mut part = String::new();
        encode_uri_component(&text[from..to], &mut part);
        out.push_str(&part.replace('\'', "%27"));
    };
    while i < bytes.len() {
        let is_escape = bytes[i] == b'%'
            && bytes.len() > i + 2
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit();
        if is_escape {
            flush(plain_start, i, out);
            out.push_str(&text[i..i + 3].to_ascii_uppercase());
            i += 3;
            plain_start = i;
        } else if bytes[i] == b'+' {
            flush(plain_start, i, out);
            out.push('+');
            i += 1;
            plain_start = i;
        } else {
            i += 1;
        }
    }
    flush(plain_start, bytes.len(), out);
}
