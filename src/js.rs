//! JS strings the core passes on every call, each made once (wasm32 only). Both the bindings
//! and the `node-crypto` backend name properties through here, so neither imports the other.

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

thread_local! {
    /// JS strings for the property names and codes passed on every call, each made once:
    /// turning a Rust `&str` into a JS string goes through a `TextDecoder` (~0.3 us), and a
    /// verification passes a dozen of them.
    static JS_STRINGS: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `text` as a JS string, made on first use. The cache is released before the caller uses
/// the value, so a JS getter that calls back into this module cannot find it borrowed.
pub(crate) fn js_str(text: &'static str) -> JsValue {
    JS_STRINGS.with_borrow_mut(|cache| {
        if let Some((_, value)) = cache.iter().find(|(known, _)| *known == text) {
            return value.clone();
        }
        let value = JsValue::from_str(text);
        cache.push((text, value.clone()));
        value
    })
}

/// `target[name] = value`, with `name` made once.
pub(crate) fn set(target: &Object, name: &'static str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &js_str(name), value).map(drop)
}
