//! Errors thrown to JS: every core error becomes a `CloudFrontEdgeAuthError` with the core's
//! stable `code`, through `From`, so binding code uses `?`.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{EncodingError, Error, KeyError, PolicyError, SignError};
use crate::js::js_str;
use crate::sdk::SdkError;

/// A JS `Error` named `CloudFrontEdgeAuthError` with `code`.
pub(super) fn js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Reflect::set (a `catch` binding) even here: a setter someone put on
    // `Error.prototype.name` must not throw through the wasm. On a fresh Error it cannot fail.
    let _ = Reflect::set(&error, &js_str("name"), &js_str("CloudFrontEdgeAuthError"));
    let _ = Reflect::set(&error, &js_str("code"), &code.into());
    error.into()
}

/// A core error as a JS `CloudFrontEdgeAuthError`: its stable `code` and its message.
impl From<Error> for JsValue {
    fn from(error: Error) -> Self {
        js_error(error.code(), &error.to_string())
    }
}

// Each area's error goes through `Error`, so `?` on any core call gives the same code and
// message as the joined enum.
macro_rules! through_error {
    ($($area:ty),*) => {$(
        impl From<$area> for JsValue {
            fn from(error: $area) -> Self {
                Error::from(error).into()
            }
        }
    )*};
}
through_error!(EncodingError, KeyError, PolicyError, SignError);

/// An `@aws-sdk/cloudfront-signer` refusal: the SDK's message, this package's code.
impl From<SdkError> for JsValue {
    fn from(error: SdkError) -> Self {
        js_error(error.code(), &error.to_string())
    }
}

/// A caller's misuse of the JS API (a missing or mistyped argument), not a core error.
pub(super) fn invalid_argument(message: &str) -> JsValue {
    js_error("ERR_INVALID_ARGUMENT", message)
}

/// Whose rules an exception from the caller's own code (a getter, a `Proxy` trap, a
/// `valueOf`) is answered by.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Caller {
    /// The SDK's functions (`getSignedUrl`, `getSignedCookies`, `Signer`): the SDK
    /// destructures its options and calls `new Date()` on the dates, so the caller's own
    /// `Error` reaches the caller unchanged, as it does from the SDK.
    Sdk,
    /// This package's own API (`Verifier`): an option that throws is a bad option.
    Package,
}

/// The answer to an exception `thrown` by the caller's code while `option` was read: with
/// [`Caller::Sdk`] an `Error` is rethrown as is; anything else thrown (a string, a Symbol,
/// an `Error` of another realm), and every exception with [`Caller::Package`], becomes
/// `ERR_INVALID_ARGUMENT` with what was thrown as its `cause`, so callers always catch an
/// `Error`.
pub(super) fn caller_threw(thrown: JsValue, option: &str, caller: Caller) -> JsValue {
    // `instanceof` in a `try` (wasm-bindgen's glue): a Proxy's getPrototypeOf trap that
    // throws makes it false.
    if caller == Caller::Sdk && thrown.is_instance_of::<js_sys::Error>() {
        return thrown;
    }
    let error = invalid_argument(&format!("reading {option} threw an exception"));
    let _ = Reflect::set(&error, &js_str("cause"), &thrown);
    error
}
