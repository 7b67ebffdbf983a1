//! What `getSignedUrl` / `getSignedCookies` sign, read from their options in one of two modes:
//!
//! - the default, `@aws-sdk/cloudfront-signer`'s: the caller's `policy` signed as given, the
//!   policy the SDK would build from `url` and dates, and the SDK's errors (its messages, our
//!   codes), in the SDK's order ([`crate::sdk`]);
//! - `strict: true`: a [`Policy`] checked against CloudFront's rules (a start before the end,
//!   epochs in range, a CIDR CloudFront takes, a policy of CloudFront's shape), this package's
//!   own errors.

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::error::{PolicyError, SignError};
use crate::policy::{CannedPolicy, CustomPolicy, Policy};
use crate::sdk::{self, SdkError, SdkPolicyOptions};

use super::error::js_error;
use super::interop::{js_str, Options};

/// `getSignedUrl`'s options in the order the SDK destructures them (so a getter runs when,
/// and as often as, it runs there), then `strict`, which the SDK does not read.
pub(super) const URL_OPTIONS: &[&str] = &[
    "dateLessThan",
    "dateGreaterThan",
    "url",
    "keyPairId",
    "privateKey",
    "ipAddress",
    "policy",
    "passphrase",
    "algorithm",
    "strict",
];
/// `getSignedCookies`' options in the SDK's destructuring order, then `strict`.
pub(super) const COOKIE_OPTIONS: &[&str] = &[
    "ipAddress",
    "url",
    "privateKey",
    "keyPairId",
    "dateLessThan",
    "dateGreaterThan",
    "policy",
    "passphrase",
    "algorithm",
    "strict",
];
/// `Signer#getSignedUrl`'s options: the policy part of [`URL_OPTIONS`], in its order.
pub(super) const SIGNER_URL_OPTIONS: &[&str] = &[
    "dateLessThan",
    "dateGreaterThan",
    "url",
    "ipAddress",
    "policy",
];
/// `Signer#getSignedCookies`' options: the policy part of [`COOKIE_OPTIONS`], in its order.
pub(super) const SIGNER_COOKIE_OPTIONS: &[&str] = &[
    "ipAddress",
    "url",
    "dateLessThan",
    "dateGreaterThan",
    "policy",
];

/// The policy to sign: built and checked by this crate, or text signed as given.
pub(super) enum PolicyText {
    /// Strict mode's typed policy.
    Checked(Policy),
    /// The SDK's text (or the caller's `policy`), with the expiry when canned.
    AsGiven {
        json: String,
        canned_expires: Option<u64>,
    },
}

/// A signed URL's plan: the URL the parameters are appended to, and the policy.
pub(super) struct UrlPlan {
    pub(super) base_url: String,
    pub(super) policy: PolicyText,
}

/// `url` and `policy`, with the SDK's `if (url)` / `if (policy)`: empty strings are absent.
fn url_and_policy(options: &Options) -> Result<(Option<String>, Option<String>), JsValue> {
    let url = options.string("url")?.filter(|url| !url.is_empty());
    let policy = options
        .string("policy")?
        .filter(|policy| !policy.is_empty());
    Ok((url, policy))
}

/// `getSignedUrl`'s plan, the SDK's way.
pub(super) fn sdk_url(options: &Options) -> Result<UrlPlan, JsValue> {
    let (url, policy) = url_and_policy(options)?;
    let base_url = match (&url, &policy) {
        (Some(url), _) => sdk::normalize_url(url),
        (None, Some(policy)) => sdk_resource_of(policy)?.replacen("*://", "https://", 1),
        (None, None) => return Err(SdkError::NoUrlOrPolicy.into()),
    };
    let policy = match policy {
        Some(json) => as_given(json),
        None => sdk_policy(options, Some(&base_url))?,
    };
    Ok(UrlPlan { base_url, policy })
}

/// `getSignedCookies`' policy, the SDK's way (a `policy` makes it ignore `url`).
pub(super) fn sdk_cookies(options: &Options) -> Result<PolicyText, JsValue> {
    let (url, policy) = url_and_policy(options)?;
    match policy {
        Some(json) => Ok(as_given(json)),
        None => sdk_policy(options, url.as_deref()),
    }
}

fn as_given(json: String) -> PolicyText {
    PolicyText::AsGiven {
        json,
        canned_expires: None,
    }
}

/// The SDK's `setPolicyParameters`, for `url`.
fn sdk_policy(options: &Options, url: Option<&str>) -> Result<PolicyText, JsValue> {
    let ip_address = options.string("ipAddress")?.filter(|ip| !ip.is_empty());
    // The SDK checks the URL and its scheme before it reads a date: a date whose conversion
    // throws is never converted without a usable URL.
    sdk::resource_to_sign(url, options.is_truthy("dateLessThan"))?;
    let built = sdk::build_policy(SdkPolicyOptions {
        url,
        date_less_than: options.sdk_date("dateLessThan")?,
        date_greater_than: options.sdk_date("dateGreaterThan")?,
        ip_address: ip_address.as_deref(),
    })?;
    Ok(PolicyText::AsGiven {
        json: built.json,
        canned_expires: built.canned_expires,
    })
}

/// The SDK's `getPolicyResources(policy)[0]`: `JSON.parse` (a syntax error keeps the
/// platform's message), then the first statement's `Resource`.
fn sdk_resource_of(policy: &str) -> Result<String, JsValue> {
    let parsed = JSON::parse(policy).map_err(|error| {
        let message = Reflect::get(&error, &js_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "policy is not JSON".to_string());
        js_error("ERR_POLICY_JSON", &message)
    })?;
    // `parsedPolicy?.Statement ?? []`: a primitive or a policy without Statement has none.
    let statements = if parsed.is_object() {
        Reflect::get(&parsed, &js_str("Statement"))?
    } else {
        JsValue::UNDEFINED
    };
    let first = if statements.is_undefined() || statements.is_null() {
        JsValue::UNDEFINED
    } else if let Some(statements) = statements.dyn_ref::<Array>() {
        // The SDK reads every statement's Resource (`.map(s => s.Resource)`): one that is
        // null makes it throw a TypeError.
        if statements.iter().any(|s| s.is_null() || s.is_undefined()) {
            return Err(not_statements());
        }
        let first = statements.get(0);
        if first.is_object() {
            Reflect::get(&first, &js_str("Resource"))?
        } else {
            JsValue::UNDEFINED
        }
    } else {
        return Err(not_statements());
    };
    if !first.is_truthy() {
        return Err(SdkError::NoResource.into());
    }
    // A truthy Resource that is not a string: the SDK's `.replace` throws a TypeError.
    first
        .as_string()
        .ok_or_else(|| js_error("ERR_POLICY_JSON", "policy Resource must be a string"))
}

/// Where the SDK fails with a TypeError of its own code (not a message it chose).
fn not_statements() -> JsValue {
    js_error(
        "ERR_POLICY_JSON",
        "policy Statement must be an array of statement objects",
    )
}

/// `getSignedUrl`'s plan in strict mode.
pub(super) fn strict_url(options: &Options) -> Result<UrlPlan, JsValue> {
    let (url, policy) = url_and_policy(options)?;
    let base_url = match (&url, &policy) {
        (Some(url), _) => sdk::normalize_url(url),
        (None, Some(policy)) => strict_resource_of(policy)?.replacen("*://", "https://", 1),
        (None, None) => return Err(JsValue::from(SignError::MissingUrl)),
    };
    let policy = strict_policy(options, &base_url, policy)?;
    Ok(UrlPlan { base_url, policy })
}

/// `getSignedCookies`' policy in strict mode.
pub(super) fn strict_cookies(options: &Options) -> Result<PolicyText, JsValue> {
    let url = options.string("url")?.unwrap_or_default();
    let (_, policy) = url_and_policy(options)?;
    strict_policy(options, &url, policy)
}

/// The first statement's `Resource` of a policy given without a URL, read strictly.
fn strict_resource_of(policy: &str) -> Result<String, JsValue> {
    let parsed = CustomPolicy::from_json(policy.as_bytes())?;
    parsed
        .resource()
        .map(str::to_string)
        .ok_or_else(|| SignError::MissingUrl.into())
}

/// A `policy` checked against CloudFront's rules and signed as given, or a policy built from
/// `url` and the dates, every value checked.
fn strict_policy(
    options: &Options,
    url: &str,
    policy: Option<String>,
) -> Result<PolicyText, JsValue> {
    if let Some(json) = policy {
        CustomPolicy::from_json(json.as_bytes())?;
        return Ok(as_given(json));
    }
    if url.is_empty() {
        return Err(SignError::MissingUrl.into());
    }
    if !options.is_truthy("dateLessThan") {
        return Err(SignError::MissingDateLessThan.into());
    }
    // The URL before the dates, in the SDK's order.
    sdk::check_url_scheme(url)?;
    let date_less_than = options
        .date("dateLessThan")?
        .ok_or(SignError::MissingDateLessThan)?;
    let date_greater_than = options.date("dateGreaterThan")?.filter(|s| *s != 0);
    let ip_address = options.string("ipAddress")?.filter(|ip| !ip.is_empty());
    let policy = if date_greater_than.is_none() && ip_address.is_none() {
        Policy::Canned(CannedPolicy::new(url, date_less_than)?)
    } else {
        let mut custom = CustomPolicy::new(Some(url.to_string()), date_less_than)?;
        if let Some(start) = date_greater_than {
            custom = custom.with_date_greater_than(start)?;
        }
        if let Some(ip) = ip_address {
            let network = ip.parse().map_err(PolicyError::IpAddress)?;
            custom = custom.with_ip_address(network);
        }
        Policy::Custom(custom)
    };
    Ok(PolicyText::Checked(policy))
}
