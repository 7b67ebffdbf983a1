//! `Signer` and the free `getSignedUrl` / `getSignedCookies` of `@aws-sdk/cloudfront-signer`:
//! the SDK's behaviour by default, CloudFront's rules with `strict: true` (see `plan.rs`).

use js_sys::Object;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::crypto::HashAlgorithm;
use crate::keys::{KeyId, PrivateKey};
use crate::sdk;
use crate::sign::{PolicyCarrier, SignedPolicy, Signer};

use super::error::{invalid_argument, Caller};
use super::interop::{set, Options};
use super::key_cache;
use super::plan::{self, PolicyText, UrlPlan};

/// `new Signer(options)`'s options, in the order they are read.
const SIGNER_OPTIONS: &[&str] = &[
    "keyPairId",
    "privateKey",
    "passphrase",
    "algorithm",
    "strict",
];

/// A key parsed fresh, or (the free functions) found in the key cache by digest.
fn cached_private_key(pem: &str, passphrase: Option<&str>) -> Result<PrivateKey, JsValue> {
    key_cache::cached_private_key(pem, passphrase, |pem, passphrase| {
        Ok(PrivateKey::from_pem_with_passphrase(pem, passphrase)?)
    })
}

/// The signer's options as given, before the key is parsed.
struct Credentials {
    key_pair_id: String,
    pem: Zeroizing<String>,
    passphrase: Option<Zeroizing<String>>,
    algorithm: HashAlgorithm,
    strict: bool,
}

impl Credentials {
    fn read(options: &Options) -> Result<Credentials, JsValue> {
        let key_pair_id = options
            .string("keyPairId")?
            .ok_or_else(|| invalid_argument("keyPairId is required"))?;
        let pem = options
            .pem("privateKey")?
            .ok_or_else(|| invalid_argument("privateKey is required"))?;
        let passphrase = options.string_not_null("passphrase")?.map(Zeroizing::new);
        let algorithm = match options.string("algorithm")? {
            None => HashAlgorithm::Sha1,
            Some(name) => HashAlgorithm::from_name(&name)?,
        };
        Ok(Credentials {
            key_pair_id,
            pem,
            passphrase,
            algorithm,
            strict: options.flag("strict")?,
        })
    }

    fn passphrase(&self) -> Option<&str> {
        self.passphrase.as_deref().map(String::as_str)
    }

    /// The signer, with the key from `parse` (fresh, or from the cache).
    fn into_signer(
        self,
        parse: impl FnOnce(&str, Option<&str>) -> Result<PrivateKey, JsValue>,
    ) -> Result<JsSigner, JsValue> {
        let key = parse(&self.pem, self.passphrase())?;
        let key_pair_id = KeyId::new(self.key_pair_id)?;
        Ok(JsSigner {
            inner: Signer::new(key_pair_id, key).with_algorithm(self.algorithm),
            strict: self.strict,
        })
    }
}

/// `Signer`: parses the private key once, then signs many URLs or cookie sets.
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    inner: Signer,
    strict: bool,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    /// Parses and validates the key; throws `CloudFrontEdgeAuthError` on a bad key or id.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SignerOptions")] options: JsValue,
    ) -> Result<JsSigner, JsValue> {
        let options = Options::read(&options, SIGNER_OPTIONS, Caller::Sdk)?;
        Credentials::read(&options)?.into_signer(|pem, passphrase| {
            Ok(PrivateKey::from_pem_with_passphrase(pem, passphrase)?)
        })
    }

    /// A signed URL, byte-identical to the SDK's `getSignedUrl` for the same options.
    #[wasm_bindgen(js_name = getSignedUrl)]
    pub fn get_signed_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyOptions")] options: JsValue,
    ) -> Result<String, JsValue> {
        let options = Options::read(&options, plan::SIGNER_URL_OPTIONS, Caller::Sdk)?;
        let plan = if self.strict {
            plan::strict_url(&options)?
        } else {
            plan::sdk_url(&options)?
        };
        self.url(plan)
    }

    /// Signed cookies, equal to the SDK's `getSignedCookies` for the same options.
    #[wasm_bindgen(js_name = getSignedCookies, unchecked_return_type = "CloudfrontSignedCookiesOutput")]
    pub fn get_signed_cookies(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PolicyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let options = Options::read(&options, plan::SIGNER_COOKIE_OPTIONS, Caller::Sdk)?;
        let policy = if self.strict {
            plan::strict_cookies(&options)?
        } else {
            plan::sdk_cookies(&options)?
        };
        self.cookies(policy)
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
    fn sign(&self, policy: PolicyText) -> Result<SignedPolicy, JsValue> {
        Ok(match policy {
            PolicyText::Checked(policy) => self.inner.sign_policy(&policy)?,
            PolicyText::AsGiven {
                json,
                canned_expires,
            } => self.inner.sign_policy_text(&json, canned_expires)?,
        })
    }

    /// Signs a URL plan; the finished URL's scheme is checked last, as the SDK checks it.
    fn url(&self, plan: UrlPlan) -> Result<String, JsValue> {
        let signed_url = self.sign(plan.policy)?.to_url(&plan.base_url);
        if self.strict {
            sdk::check_url_scheme(&signed_url)?;
        } else {
            sdk::resource(&signed_url)?;
        }
        Ok(signed_url)
    }

    fn cookies(&self, policy: PolicyText) -> Result<JsValue, JsValue> {
        let signed = self.sign(policy)?;
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
}

/// `getSignedUrl(options)`, as in `@aws-sdk/cloudfront-signer`: the options are read (and,
/// by default, refused) in the SDK's order before the key is parsed.
#[wasm_bindgen(js_name = getSignedUrl)]
pub fn get_signed_url(
    #[wasm_bindgen(unchecked_param_type = "CloudfrontSignInput")] options: JsValue,
) -> Result<String, JsValue> {
    let options = Options::read(&options, plan::URL_OPTIONS, Caller::Sdk)?;
    let credentials = Credentials::read(&options)?;
    let plan = if credentials.strict {
        plan::strict_url(&options)?
    } else {
        plan::sdk_url(&options)?
    };
    credentials.into_signer(cached_private_key)?.url(plan)
}

/// `getSignedCookies(options)`, as in `@aws-sdk/cloudfront-signer`.
#[wasm_bindgen(js_name = getSignedCookies, unchecked_return_type = "CloudfrontSignedCookiesOutput")]
pub fn get_signed_cookies(
    #[wasm_bindgen(unchecked_param_type = "CloudfrontSignInput")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options = Options::read(&options, plan::COOKIE_OPTIONS, Caller::Sdk)?;
    let credentials = Credentials::read(&options)?;
    let policy = if credentials.strict {
        plan::strict_cookies(&options)?
    } else {
        plan::sdk_cookies(&options)?
    };
    credentials.into_signer(cached_private_key)?.cookies(policy)
}
