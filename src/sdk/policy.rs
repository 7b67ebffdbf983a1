//! The policy `@aws-sdk/cloudfront-signer` builds from `url`, `dateLessThan`,
//! `dateGreaterThan` and `ipAddress` (its `CloudfrontSignBuilder.setPolicyParameters`,
//! v3.1166), step for step, so the JS API's default mode signs the same bytes and throws the
//! same errors as the SDK for the same options.
//!
//! The SDK checks little: a start after the end, a canned expiry past 2038 and a CIDR such as
//! `0x1.2.3.4/24.0` are all signed (CloudFront then refuses them). The strict mode of the JS
//! API, and the Rust API, build a [`crate::Policy`] instead, which refuses them.

use super::error::{CidrFault, Missing, SdkError};
use super::number::js_number;
use crate::policy::push_sdk_json_string;

/// A date option as the SDK reads it (`parseDate`: `new Date(value)`, rounded to seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SdkDate {
    /// Absent or falsy (`undefined`, `null`, `0`, `""`): the SDK's `if (!date)`.
    Absent,
    /// `new Date(value)` is an invalid date.
    Unreadable,
    /// Epoch seconds, `Math.round(ms / 1000)`; may be 0 or negative.
    Seconds(i64),
}

impl SdkDate {
    /// The SDK's `epochTime`: `Math.round(ms / 1000)` of a valid date's milliseconds.
    // Made from a JS Date by the wasm32 bindings (and the tests).
    #[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
    pub(crate) fn from_millis(ms: f64) -> SdkDate {
        if !ms.is_finite() {
            return SdkDate::Unreadable;
        }
        let seconds = ms / 1000.0;
        // Math.round: halves go up (towards +infinity), unlike f64::round.
        let floor = seconds.floor();
        let rounded = if seconds - floor >= 0.5 {
            floor + 1.0
        } else {
            floor
        };
        // A JS Date is within 8.64e15 ms of 1970: the seconds fit an i64 exactly.
        SdkDate::Seconds(rounded as i64)
    }

    /// The SDK's parsed value, where 0 counts as absent (`if (!dateLessThan)`).
    fn seconds(self) -> Option<i64> {
        match self {
            SdkDate::Seconds(s) if s != 0 => Some(s),
            _ => None,
        }
    }
}

/// The options the SDK builds a policy from, already read from JS with its notion of absent
/// (`url` and `ipAddress`: empty strings are absent).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SdkPolicyOptions<'a> {
    /// The URL: normalised by `getSignedUrl`, as given by `getSignedCookies`.
    pub(crate) url: Option<&'a str>,
    /// `dateLessThan`.
    pub(crate) date_less_than: SdkDate,
    /// `dateGreaterThan`.
    pub(crate) date_greater_than: SdkDate,
    /// `ipAddress`.
    pub(crate) ip_address: Option<&'a str>,
}

/// The policy text the SDK signs, and the canned expiry when it chose a canned policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SdkPolicy {
    /// `JSON.stringify` of the SDK's policy object.
    pub(crate) json: String,
    /// `Some(expiry)` for a canned policy (sent as `Expires`), `None` for a custom one.
    pub(crate) canned_expires: Option<u64>,
}

/// The SDK's `setPolicyParameters` + `buildPolicy`: the same checks in the same order.
// Called by the wasm32 bindings (and the tests).
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
pub(crate) fn build(options: SdkPolicyOptions<'_>) -> Result<SdkPolicy, SdkError> {
    let resource = resource_to_sign(options.url, options.date_less_than != SdkDate::Absent)?;
    let end = options
        .date_less_than
        .seconds()
        .ok_or(SdkError::InvalidDateLessThan)?;
    // An unreadable or epoch-0 start is dropped, silently, as the SDK drops it.
    let start = options.date_greater_than.seconds();
    let custom = start.is_some() || options.ip_address.is_some();

    let mut json = String::with_capacity(resource.len() + 160);
    json.push_str(r#"{"Statement":[{"Resource":"#);
    push_sdk_json_string(&mut json, resource);
    json.push_str(&format!(
        r#","Condition":{{"DateLessThan":{{"AWS:EpochTime":{end}}}"#
    ));
    if let Some(start) = start {
        json.push_str(&format!(
            r#","DateGreaterThan":{{"AWS:EpochTime":{start}}}"#
        ));
    }
    if let Some(ip) = options.ip_address {
        json.push_str(r#","IpAddress":{"AWS:SourceIp":"#);
        push_sdk_json_string(&mut json, &cidr(ip)?);
        json.push('}');
    }
    json.push_str("}}]}");

    let canned_expires = match (custom, u64::try_from(end)) {
        (true, _) => None,
        (false, Ok(end)) => Some(end),
        (false, Err(_)) => return Err(SdkError::ExpiresBefore1970 { seconds: end }),
    };
    Ok(SdkPolicy {
        json,
        canned_expires,
    })
}

/// The checks `setPolicyParameters` makes before it reads a date: a URL, a `dateLessThan`
/// given (truthy), then the URL's scheme. The JS bindings run them before they convert a
/// date (`new Date()` runs the caller's code), as the SDK does; [`build`] runs them first.
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
pub(crate) fn resource_to_sign(
    url: Option<&str>,
    date_less_than_given: bool,
) -> Result<&str, SdkError> {
    let Some(url) = url else {
        return Err(SdkError::InvalidPolicy(Missing::Url));
    };
    if !date_less_than_given {
        return Err(SdkError::InvalidPolicy(Missing::DateLessThan));
    }
    resource(url)
}

/// The SDK's `getResource` for the schemes it signs as URLs: the URL itself, or its error.
/// The protocol is the text before the first `//` (or, with none, all but the last UTF-16
/// unit: JavaScript's `slice(0, -1)`, which cuts a character outside the BMP in half, so its
/// protocol is never one of the schemes).
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
pub(crate) fn resource(url: &str) -> Result<&str, SdkError> {
    let protocol = match url.find("//") {
        Some(end) => &url[..end],
        None => match url.char_indices().last() {
            // `slice(0, -1)` keeps the high surrogate: no scheme ends in one.
            Some((_, last)) if last.len_utf16() > 1 => return Err(SdkError::InvalidScheme),
            Some((at, _)) => &url[..at],
            None => "",
        },
    };
    match protocol {
        "http:" | "https:" | "ws:" | "wss:" => Ok(url),
        "rtmp:" => Err(SdkError::Rtmp),
        _ => Err(SdkError::InvalidScheme),
    }
}

/// The SDK's `parseCIDR`: `a.b.c.d` or `a.b.c.d/m` as given, checked with `Number()` per
/// part; a bare address gets `/32`. With two or more `/` the SDK checks the address only and
/// writes `/32`.
fn cidr(input: &str) -> Result<String, SdkError> {
    let fail = |fault| SdkError::InvalidIpAddress {
        input: input.to_string(),
        fault,
    };
    let parts: Vec<&str> = input.split('/').collect();
    if parts.iter().any(|part| part.is_empty()) {
        return Err(fail(CidrFault::MissingPart));
    }
    let octets: Vec<&str> = parts[0].split('.').collect();
    if octets.len() != 4 {
        return Err(fail(CidrFault::NotFourOctets));
    }
    if !octets.iter().all(|octet| is_integer_within(octet, 255.0)) {
        return Err(fail(CidrFault::Octets));
    }
    let mask = if parts.len() == 2 {
        if !is_integer_within(parts[1], 32.0) {
            return Err(fail(CidrFault::Mask));
        }
        parts[1]
    } else {
        "32"
    };
    Ok(format!("{}/{mask}", parts[0]))
}

/// `Number.isInteger(Number(text)) && n >= 0 && n <= max`.
fn is_integer_within(text: &str, max: f64) -> bool {
    let n = js_number(text);
    n.is_finite() && n.trunc() == n && (0.0..=max).contains(&n)
}
