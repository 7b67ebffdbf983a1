//! `Signer` and the free `getSignedUrl` / `getSignedCookies` of `@aws-sdk/cloudfront-signer`.

use std::cell::RefCell;

use js_sys::Object;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::crypto::HashAlgorithm;
use crate::error::{PolicyError, SignError};
use crate::keys::{KeyId, PrivateKey};
use crate::policy::{CannedPolicy, CustomPolicy, Policy};
use crate::sdk;
use crate::sign::{PolicyCarrier, SignedPolicy, Signer};

use super::error::invalid_argument;
use super::interop::{date_field, set, string_field};

/// Parsed keys of the free functions `getSignedUrl` / `getSignedCookies`, which take a PEM on
/// every call, as the SDK's do: a small cache keyed by the exact PEM text and passphrase, so
/// a PEM is parsed (and handed to the backend) once, not per call. Bounded: the oldest entry
/// goes first.
const KEY_CACHE_SIZE: usize = 4;

type CachedKey = (Zeroizing<String>, Option<Zeroizing<String>>, PrivateKey);

thread_local! {
    static KEY_CACHE: RefCell<Vec<CachedKey>> = const { RefCell::new(Vec::new()) };
}

fn cached_private_key(pem: &str, passphrase: Option<&str>) -> Result<PrivateKey, JsValue> {
    let hit = KEY_CACHE.with_borrow(|cache| {
        cache
            .iter()
            .find(|(p, pass, _)| {
                p.as_str() == pem && pass.as_deref().map(String::as_str) == passphrase
            })
            .map(|(_, _, key)| key.clone())
    });
    if let Some(key) = hit {
        return Ok(key);
    }
    let key = PrivateKey::from_pem_with_passphrase(pem, passphrase)?;
    KEY_CACHE.with_borrow_mut(|cache| {
        if cache.len() == KEY_CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((
            Zeroizing::new(pem.to_string()),
            passphrase.map(|p| Zeroizing::new(p.to_string())),
            key.clone(),
        ));
    });
    Ok(key)
}

/// `Signer`: parses the private key once, then signs many URLs or cookie sets.
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    inner: Signer,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    /// Parses and validates the key; throws `CloudFrontEdgeAuthError` on a bad key or id.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SignerOptions")] options: JsValue,
    ) -> Result<JsSigner, JsValue> {
        Self::with_key_source(options, |pem, passphrase| {
            Ok(PrivateKey::from_pem_with_passphrase(pem, passphrase)?)
        })
    }

    /// A signed URL, byte-identical to the SDK's `getSignedUrl` for the same options.
    #[wasm_bindgen(js_name = getSignedUrl)]
    pub fn get_signed_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyOptions")] options: JsValue,
    ) -> Result<String, JsValue> {
        // The SDK tests `if (url)` / `if (policy)`: an empty string is absent.
        let url = string_field(&options, "url")?.filter(|url| !url.is_empty());
        let policy = string_field(&options, "policy")?.filter(|policy| !policy.is_empty());
        let base_url = match (&url, &policy) {
            (Some(url), _) => sdk::normalize_url(url),
            (None, Some(policy)) => resource_of(policy)?.replacen("*://", "https://", 1),
            (None, None) => return Err(JsValue::from(SignError::MissingUrl)),
        };
        let signed = self.sign(&options, &base_url, policy.as_deref())?;
        let signed_url = signed.to_url(&base_url);
        sdk::check_url_scheme(&signed_url)?;
        Ok(signed_url)
    }

    /// Signed cookies, equal to the SDK's `getSignedCookies` for the same options.
    #[wasm_bindgen(js_name = getSignedCookies, unchecked_return_type = "CloudfrontSignedCookies")]
    pub fn get_signed_cookies(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let url = string_field(&options, "url")?.unwrap_or_default();
        let policy = string_field(&options, "policy")?.filter(|policy| !policy.is_empty());
        let signed = self.sign(&options, &url, policy.as_deref())?;
        let cookies = Object::new();
        for (name, value) in signed.to_cookies().iter() {
            let value: JsValue = match (name, signed.carrier()) {
                // The SDK returns the expiry as a number.
                ("CloudFront-Expires", PolicyCarrier::Expires(at)) => (*at as f64).into(),
                _ => value.into(),
            };
            set(&cookies, name, &value)?;
        }
        Ok(cookies.into())
    }

    /// The key id this signer writes.
    #[wasm_bindgen(getter, js_name = keyPairId)]
    pub fn key_pair_id(&self) -> String {
        self.inner.key_pair_id().to_string()
    }

    /// The matching public key as SPKI (`PUBLIC KEY`) PEM, RSA or ECDSA P-256: what a
    /// CloudFront public key (and so a `Verifier` key group) takes.
    #[wasm_bindgen(getter, js_name = publicKeyPem)]
    pub fn public_key_pem(&self) -> Result<String, JsValue> {
        Ok(self.inner.private_key().public_key_pem()?)
    }
}

impl JsSigner {
    /// The constructor's work, with the key parsed by `parse` (fresh, or from the cache).
    fn with_key_source(
        options: JsValue,
        parse: impl FnOnce(&str, Option<&str>) -> Result<PrivateKey, JsValue>,
    ) -> Result<JsSigner, JsValue> {
        let key_pair_id = string_field(&options, "keyPairId")?
            .ok_or_else(|| invalid_argument("keyPairId is required"))?;
        let pem = string_field(&options, "privateKey")?
            .ok_or_else(|| invalid_argument("privateKey is required"))?;
        let passphrase = string_field(&options, "passphrase")?;
        let algorithm = match string_field(&options, "algorithm")? {
            None => HashAlgorithm::Sha1,
            Some(name) => HashAlgorithm::from_name(&name)?,
        };
        let key = parse(&pem, passphrase.as_deref())?;
        let key_pair_id = KeyId::new(key_pair_id)?;
        Ok(JsSigner {
            inner: Signer::new(key_pair_id, key).with_algorithm(algorithm),
        })
    }

    /// The SDK's `setCustomPolicy` / `setPolicyParameters` + `createCloudfrontAttribute`.
    fn sign(
        &self,
        options: &JsValue,
        url: &str,
        policy: Option<&str>,
    ) -> Result<SignedPolicy, JsValue> {
        if let Some(json) = policy {
            CustomPolicy::from_json(json.as_bytes())?;
            return Ok(self.inner.sign_policy_json(json)?);
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
        Ok(self.inner.sign_policy(&policy)?)
    }
}

/// The first statement's `Resource` of a policy given without a URL.
fn resource_of(policy: &str) -> Result<String, JsValue> {
    let parsed = CustomPolicy::from_json(policy.as_bytes())?;
    parsed
        .resource()
        .map(str::to_string)
        .ok_or_else(|| SignError::MissingUrl.into())
}

/// `getSignedUrl(options)`, as in `@aws-sdk/cloudfront-signer`.
#[wasm_bindgen(js_name = getSignedUrl)]
pub fn get_signed_url(
    #[wasm_bindgen(unchecked_param_type = "SignOptions")] options: JsValue,
) -> Result<String, JsValue> {
    JsSigner::with_key_source(options.clone(), cached_private_key)?.get_signed_url(options)
}

/// `getSignedCookies(options)`, as in `@aws-sdk/cloudfront-signer`.
#[wasm_bindgen(js_name = getSignedCookies, unchecked_return_type = "CloudfrontSignedCookies")]
pub fn get_signed_cookies(
    #[wasm_bindgen(unchecked_param_type = "SignOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    JsSigner::with_key_source(options.clone(), cached_private_key)?.get_signed_cookies(options)
}
