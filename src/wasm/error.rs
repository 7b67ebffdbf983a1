//! Errors thrown to JS: every core error becomes a `CloudFrontEdgeAuthError` with the core's
//! stable `code`, through `From`, so binding code uses `?`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::error::{EncodingError, Error, KeyError, PolicyError, SignError};
use crate::sdk::SdkError;

/// A JS `Error` named `CloudFrontEdgeAuthError` with `code`.
pub(super) fn js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("CloudFrontEdgeAuthError");
    // Reflect::set on a fresh Error cannot fail.
    let _ = Reflect::set(&error, &"code".into(), &code.into());
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
