//! `Verifier`: the trusted key group parsed once, requests checked like CloudFront, verdicts
//! as plain JS objects (a denial is a value, not a throw).

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::keys::{KeyGroup, KeyId, PublicKey};
use crate::policy::Policy;
use crate::request::CredentialSource;
use crate::verify::{Request, Verifier};

use super::error::{caller_threw, invalid_argument, Caller};
use super::interop::{date_now, js_str, object_entries, set, Options};

/// `verify(input)`'s fields, in the order they are read.
const VERIFY_INPUT: &[&str] = &["url", "cookie", "clientIp", "now"];

/// `Verifier`: parses the trusted key group once, then checks requests like CloudFront.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: Verifier,
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// Parses every public key; throws `CloudFrontEdgeAuthError` on a bad key or group.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "VerifierOptions")] options: JsValue,
    ) -> Result<JsVerifier, JsValue> {
        let options = Options::read(&options, &["keys"], Caller::Package)?;
        let keys = options
            .field("keys")
            .filter(|keys| keys.is_object())
            .ok_or_else(|| {
                invalid_argument("keys must be an object of key id -> public key PEM")
            })?;
        // Object.entries runs the caller's getters and Proxy traps: a `catch` binding. Each
        // entry it returns is a fresh [key, value] array of its own making.
        let entries = object_entries(keys).map_err(|e| caller_threw(e, "keys", Caller::Package))?;
        let mut group = Vec::new();
        for entry in entries.iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let id = entry.get(0).as_string().unwrap_or_default();
            let pem = entry
                .get(1)
                .as_string()
                .ok_or_else(|| invalid_argument(&format!("keys[{id:?}] must be a PEM string")))?;
            group.push((KeyId::new(id)?, PublicKey::from_pem(&pem)?));
        }
        let group = KeyGroup::new(group)?;
        Ok(JsVerifier {
            inner: Verifier::new(group),
        })
    }

    /// Checks one request; never throws for bad credentials, only for a bad `input`.
    #[wasm_bindgen(unchecked_return_type = "Verdict")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "VerifyInput")] input: JsValue,
    ) -> Result<JsValue, JsValue> {
        let input = Options::read(&input, VERIFY_INPUT, Caller::Package)?;
        let url = input
            .string("url")?
            .ok_or_else(|| invalid_argument("url is required"))?;
        let cookie = input.string("cookie")?;
        let client_ip = match input.string("clientIp")? {
            None => None,
            Some(ip) => Some(
                ip.parse()
                    .map_err(|_| invalid_argument("clientIp must be an IPv4 or IPv6 address"))?,
            ),
        };
        let now_ms = match input.field("now") {
            None => date_now().map_err(|e| caller_threw(e, "Date.now", Caller::Package))?,
            Some(v) => v
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .ok_or_else(|| invalid_argument("now must be milliseconds since the epoch"))?,
        };
        let mut request = Request::new(&url, (now_ms / 1000.0).floor() as u64);
        request.cookie_header = cookie.as_deref();
        request.client_ip = client_ip;
        let verdict = self.inner.verify(&request);
        let out = Object::new();
        match verdict {
            Ok(accepted) => {
                set(&out, "ok", &true.into())?;
                set(&out, "keyPairId", &accepted.key_pair_id().into())?;
                let expires_ms = accepted.expires_at() as f64 * 1000.0;
                set(&out, "expiresAt", &expires_ms.into())?;
                let source = match accepted.source() {
                    CredentialSource::SignedUrl => "url",
                    CredentialSource::Cookies => "cookie",
                };
                set(&out, "source", &js_str(source))?;
                set(&out, "policy", &verified_policy(accepted.policy())?)?;
            }
            Err(denied) => {
                set(&out, "ok", &false.into())?;
                set(&out, "reason", &js_str(denied.code()))?;
                set(&out, "message", &denied.to_string().into())?;
            }
        }
        Ok(out.into())
    }
}

/// The verified policy as the `VerifiedPolicy` typing describes it.
fn verified_policy(policy: &Policy) -> Result<JsValue, JsValue> {
    let out = Object::new();
    let ms = |seconds: u64| JsValue::from(seconds as f64 * 1000.0);
    let (kind, resource, not_before, ip) = match policy {
        Policy::Canned(canned) => ("canned", Some(canned.resource()), None, None),
        Policy::Custom(custom) => (
            "custom",
            custom.resource(),
            custom.date_greater_than(),
            custom.ip_address(),
        ),
    };
    set(&out, "kind", &js_str(kind))?;
    set(
        &out,
        "resource",
        &resource.map_or(JsValue::NULL, JsValue::from),
    )?;
    set(&out, "expiresAtMs", &ms(policy.expires()))?;
    set(&out, "notBeforeMs", &not_before.map_or(JsValue::NULL, ms))?;
    let ip = ip.map_or(JsValue::NULL, |network| network.to_string().into());
    set(&out, "ipAddress", &ip)?;
    Ok(out.into())
}
