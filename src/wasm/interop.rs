//! Reading JS arguments: option fields, strings and dates, with the SDK's notion of absent.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use crate::error::{KeyError, SignError};
pub(super) use crate::js::{js_str, set};
use crate::sdk::SdkDate;

use super::error::invalid_argument;
use js_sys::Reflect;

/// Reads `options[name]`; `undefined` and `null` are absent.
pub(super) fn field(options: &JsValue, name: &'static str) -> Result<Option<JsValue>, JsValue> {
    if !options.is_object() {
        return Err(invalid_argument("options must be an object"));
    }
    let value = Reflect::get(options, &js_str(name))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

pub(super) fn string_field(
    options: &JsValue,
    name: &'static str,
) -> Result<Option<String>, JsValue> {
    match field(options, name)? {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid_argument(&format!("{name} must be a string"))),
    }
}

/// The SDK's `parseDate`: falsy is absent; otherwise `new Date(value)`, rounded to seconds.
/// Unlike the SDK, an unreadable date is an error rather than silently ignored.
pub(super) fn date_field(options: &JsValue, name: &'static str) -> Result<Option<u64>, JsValue> {
    let Some(value) = field(options, name)? else {
        return Ok(None);
    };
    if !value.is_truthy() {
        return Ok(None);
    }
    let millis = js_sys::Date::new(&value).get_time();
    if !millis.is_finite() || millis < 0.0 {
        let shown = value.as_string().unwrap_or_else(|| format!("{value:?}"));
        return Err(SignError::InvalidDate { input: shown }.into());
    }
    Ok(Some((millis / 1000.0).round() as u64))
}

/// `options[name]` as a boolean flag; absent is `false`.
pub(super) fn bool_field(options: &JsValue, name: &'static str) -> Result<bool, JsValue> {
    match field(options, name)? {
        None => Ok(false),
        Some(value) => value
            .as_bool()
            .ok_or_else(|| invalid_argument(&format!("{name} must be a boolean"))),
    }
}

/// `privateKey`: PEM text, as a string or as its bytes (a `Buffer` or any `Uint8Array`, what
/// `fs.readFileSync('key.pem')` returns), as `@aws-sdk/cloudfront-signer` takes it. The copy
/// is zeroed when dropped.
pub(super) fn pem_field(
    options: &JsValue,
    name: &'static str,
) -> Result<Option<Zeroizing<String>>, JsValue> {
    let Some(value) = field(options, name)? else {
        return Ok(None);
    };
    if let Some(text) = value.as_string() {
        return Ok(Some(Zeroizing::new(text)));
    }
    let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
        return Err(invalid_argument(&format!(
            "{name} must be a string, a Buffer or a Uint8Array"
        )));
    };
    let bytes = Zeroizing::new(bytes.to_vec());
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Some(Zeroizing::new(text.to_string()))),
        Err(_) => Err(KeyError::Pem {
            detail: format!("{name} bytes are not PEM text (not UTF-8)"),
        }
        .into()),
    }
}

/// A date option read the SDK's way (`parseDate`): falsy is absent, else `new Date(value)`
/// rounded to seconds, an invalid date kept as such (the SDK decides what it means).
pub(super) fn sdk_date_field(options: &JsValue, name: &'static str) -> Result<SdkDate, JsValue> {
    Ok(match field(options, name)? {
        Some(value) if value.is_truthy() => {
            SdkDate::from_millis(js_sys::Date::new(&value).get_time())
        }
        _ => SdkDate::Absent,
    })
}
