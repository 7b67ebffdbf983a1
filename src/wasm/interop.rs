//! Reading JS arguments: option fields, strings and dates, with the SDK's notion of absent.
//!
//! Every JS operation here that can run the caller's code (a getter, a `Proxy` trap,
//! `Symbol.toPrimitive` / `valueOf` / `toString` inside `new Date()`, an iterator) goes
//! through a `catch` binding, so a JS exception comes back as a `Result` and never unwinds
//! through the wasm: an exception that does leaves the module's stack pointer where it was,
//! and after enough of them every later call fails ("memory access out of bounds"). Reads
//! that run no JS (`typeof`, `!value`, `instanceof` on our side of a `try`) stay plain.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use crate::error::{KeyError, SignError};
pub(super) use crate::js::{js_str, set};
use crate::sdk::SdkDate;

use super::error::{caller_threw, invalid_argument, Caller};

#[wasm_bindgen]
extern "C" {
    /// `Reflect.get(target, name)`: runs a getter or a `Proxy`'s `get` trap.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, name: &JsValue) -> Result<JsValue, JsValue>;

    /// A `Date` made from a caller's value (js-sys's `Date::new` cannot report a throw).
    #[wasm_bindgen(js_name = Date)]
    type CallerDate;

    /// `new Date(value)`: runs the value's `Symbol.toPrimitive`, `valueOf` or `toString`, and
    /// throws for a Symbol or a BigInt.
    #[wasm_bindgen(catch, constructor, js_class = "Date")]
    fn new(value: &JsValue) -> Result<CallerDate, JsValue>;

    #[wasm_bindgen(method, js_class = "Date", js_name = getTime)]
    fn get_time(this: &CallerDate) -> f64;

    /// A copy of a caller's bytes.
    #[wasm_bindgen(js_name = Uint8Array)]
    type CallerBytes;

    /// `new Uint8Array(source)`: a copy of a typed array read through its internal slots (an
    /// own `length` getter is never called); anything else (a `Proxy` that passed
    /// `instanceof`) is read through its iterator, which may throw.
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(source: &JsValue) -> Result<CallerBytes, JsValue>;

    /// `Date.now()`, which a test's fake clock may replace.
    #[wasm_bindgen(catch, js_namespace = Date, js_name = now)]
    pub(super) fn date_now() -> Result<f64, JsValue>;

    /// `Object.entries(object)`: runs `Proxy` traps (`ownKeys`, `getOwnPropertyDescriptor`,
    /// `get`) and getters.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    pub(super) fn object_entries(object: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// An options object read once: each named property got once, in the order given (the
/// SDK's destructuring order where there is an SDK function to match), so a getter runs
/// exactly as often as the SDK runs it, and the caller's code runs nowhere else.
pub(super) struct Options {
    values: Vec<(&'static str, JsValue)>,
    caller: Caller,
}

impl Options {
    /// Reads `names` from `options`, which must be an object. An exception from a getter or
    /// a trap is answered as `caller` says (see [`caller_threw`]).
    pub(super) fn read(
        options: &JsValue,
        names: &[&'static str],
        caller: Caller,
    ) -> Result<Options, JsValue> {
        if !options.is_object() {
            return Err(invalid_argument("options must be an object"));
        }
        let mut values = Vec::with_capacity(names.len());
        for &name in names {
            let value =
                reflect_get(options, &js_str(name)).map_err(|e| caller_threw(e, name, caller))?;
            values.push((name, value));
        }
        Ok(Options { values, caller })
    }

    /// `options[name]` as read; `undefined` and `null` are absent. A name not read is absent.
    pub(super) fn field(&self, name: &'static str) -> Option<&JsValue> {
        self.values
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, value)| value)
            .filter(|value| !value.is_undefined() && !value.is_null())
    }

    /// The SDK's `if (value)`: present and truthy (`!value` runs no JS).
    pub(super) fn is_truthy(&self, name: &'static str) -> bool {
        self.field(name).is_some_and(JsValue::is_truthy)
    }

    pub(super) fn string(&self, name: &'static str) -> Result<Option<String>, JsValue> {
        self.field(name)
            .map(|value| as_string(value, name))
            .transpose()
    }

    /// A string where only `undefined` is absent: `passphrase: null` reaches `node:crypto` in
    /// the SDK, which throws; here it is a mistyped option.
    pub(super) fn string_not_null(&self, name: &'static str) -> Result<Option<String>, JsValue> {
        match self.values.iter().find(|(known, _)| *known == name) {
            None => Ok(None),
            Some((_, value)) if value.is_undefined() => Ok(None),
            Some((_, value)) => as_string(value, name).map(Some),
        }
    }

    /// `options[name]` as a boolean flag; absent is `false`.
    pub(super) fn flag(&self, name: &'static str) -> Result<bool, JsValue> {
        match self.field(name) {
            None => Ok(false),
            Some(value) => value
                .as_bool()
                .ok_or_else(|| invalid_argument(&format!("{name} must be a boolean"))),
        }
    }

    /// `privateKey`: PEM text, as a string or as its bytes (a `Buffer` or any `Uint8Array`,
    /// what `fs.readFileSync('key.pem')` returns), as `@aws-sdk/cloudfront-signer` takes it.
    /// The copies are zeroed when dropped.
    pub(super) fn pem(&self, name: &'static str) -> Result<Option<Zeroizing<String>>, JsValue> {
        let Some(value) = self.field(name) else {
            return Ok(None);
        };
        if let Some(text) = value.as_string() {
            return Ok(Some(Zeroizing::new(text)));
        }
        if !value.is_instance_of::<Uint8Array>() {
            return Err(invalid_argument(&format!(
                "{name} must be a string, a Buffer or a Uint8Array"
            )));
        }
        let copy: Uint8Array = CallerBytes::new(value)
            .map_err(|e| caller_threw(e, name, self.caller))?
            .unchecked_into();
        let bytes = Zeroizing::new(copy.to_vec());
        copy.fill(0, 0, copy.length());
        match std::str::from_utf8(&bytes) {
            Ok(text) => Ok(Some(Zeroizing::new(text.to_string()))),
            Err(_) => Err(KeyError::Pem {
                detail: format!("{name} bytes are not PEM text (not UTF-8)"),
            }
            .into()),
        }
    }

    /// The SDK's `parseDate`: falsy is absent; otherwise `new Date(value)`, rounded to
    /// seconds. Unlike the SDK, an unreadable date is an error rather than silently ignored.
    pub(super) fn date(&self, name: &'static str) -> Result<Option<u64>, JsValue> {
        let Some(value) = self.field(name).filter(|value| value.is_truthy()) else {
            return Ok(None);
        };
        let millis = self.date_millis(value, name)?;
        if !millis.is_finite() || millis < 0.0 {
            return Err(SignError::InvalidDate {
                input: shown(value),
            }
            .into());
        }
        Ok(Some((millis / 1000.0).round() as u64))
    }

    /// A date option read the SDK's way (`parseDate`): falsy is absent, else
    /// `new Date(value)` rounded to seconds, an invalid date kept as such (the SDK decides
    /// what it means).
    pub(super) fn sdk_date(&self, name: &'static str) -> Result<SdkDate, JsValue> {
        Ok(match self.field(name) {
            Some(value) if value.is_truthy() => {
                SdkDate::from_millis(self.date_millis(value, name)?)
            }
            _ => SdkDate::Absent,
        })
    }

    /// `new Date(value).getTime()`; the caller's exception as [`caller_threw`] answers it.
    fn date_millis(&self, value: &JsValue, name: &'static str) -> Result<f64, JsValue> {
        let date = CallerDate::new(value).map_err(|e| caller_threw(e, name, self.caller))?;
        Ok(date.get_time())
    }
}

fn as_string(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| invalid_argument(&format!("{name} must be a string")))
}

/// A caller's value for an error message, without running any of its code: a string or a
/// number as it is, anything else by its `typeof`.
fn shown(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text.chars().take(100).collect();
    }
    if let Some(number) = value.as_f64() {
        return number.to_string();
    }
    format!("<{}>", value.js_typeof().as_string().unwrap_or_default())
}
