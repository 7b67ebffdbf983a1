//! Reading JS arguments: option fields, strings and dates, with the SDK's notion of absent.

use wasm_bindgen::JsValue;

use crate::error::SignError;
pub(super) use crate::js::{js_str, set};

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
