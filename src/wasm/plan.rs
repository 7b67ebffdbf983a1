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
use super::interop::{date_field, js_str, sdk_date_field, string_field};

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
fn url_and_policy(options: &JsValue) -> Result<(Option<String>, Option<String>), JsValue> {
    let url = string_field(options, "url")?.filter(|url| !url.is_empty());
    let policy = string_field(options, "policy")?.filter(|policy| !policy.is_empty());
    Ok((url, policy))
}

/// `getSignedUrl`'s plan, the SDK's way.
pub(super) fn sdk_url(options: &JsValue) -> Result<UrlPlan, JsValue> {
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
pub(super) fn sdk_cookies(options: &JsValue) -> Result<PolicyText, JsValue> {
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
fn sdk_policy(options: &JsValue, url: Option<&str>) -> Result<PolicyText, JsValue> {
    let ip_address = string_field(options, "ipAddress")?.filter(|ip| !ip.is_empty());
    let built = sdk::build_policy(SdkPolicyOptions {
        url,
        date_less_than: sdk_date_field(options, "dateLessThan")?,
        date_greater_than: sdk_date_field(options, "dateGreaterThan")?,
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
pub(super) fn strict_url(options: &JsValue) -> Result<UrlPlan, JsValue> {
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
pub(super) fn strict_cookies(options: &JsValue) -> Result<PolicyText, JsValue> {
    let url = string_field(options, "url")?.unwrap_or_default();
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
    options: &JsValue,
    url: &str,
    policy: Option<String>,
) -> Result<PolicyText, JsValue> {
    if let Some(json) = policy {
        CustomPolicy::from_json(json.as_bytes())?;
        return Ok(as_given(json));
    }
    let date_less_than = date_field(options, "dateLessThan")?;
    let (false, Some(date_less_than)) = (url.is_empty(), date_less_than) else {
        return Err(JsValue::from(if url.is_empty() {
            SignError::MissingUrl
        } else {
            SignError::MissingDateLessThan
        }));
    };
    sdk::check_url_scheme(url)?;
    let date_greater_than = date_field(options, "dateGreaterThan")?.filter(|s| *s != 0);
    let ip_address = string_field(options, "ipAddress")?.filter(|ip| !ip.is_empty());
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
