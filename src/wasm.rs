//! The JavaScript surface: `Signer` and `Verifier` classes and the `getSignedUrl` /
//! `getSignedCookies` functions of `@aws-sdk/cloudfront-signer`, with the same options and
//! byte-identical output, plus `hasSignedUrlParameters` and `limits`. Only compiled for
//! `wasm32`; the same bindings serve both npm builds (node:crypto and RustCrypto backends).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use std::cell::RefCell;

use zeroize::Zeroizing;

use crate::crypto::HashAlgorithm;
use crate::error::{Error, SignError};
use crate::js::{js_str, set};
use crate::keys::{KeyGroup, KeyId, PrivateKey, PublicKey};
use crate::policy::{CannedPolicy, CustomPolicy, Policy};
use crate::request::CredentialSource;
use crate::sign::{PolicyCarrier, SignedPolicy};
use crate::{sdk, verify};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Which key signs, as in `@aws-sdk/cloudfront-signer`. */
export interface SignerOptions {
  /** The CloudFront public key id (`K2JCJMDEHXQW5F`) or legacy key pair id. */
  keyPairId: string;
  /**
   * The private key as PEM, of one of the two kinds CloudFront takes: RSA (2048 to 4096
   * bits; `PRIVATE KEY` PKCS#8 or `RSA PRIVATE KEY` PKCS#1) or ECDSA P-256 (`PRIVATE KEY`
   * PKCS#8 or `EC PRIVATE KEY` SEC1), or either as `ENCRYPTED PRIVATE KEY` with
   * `passphrase`. An ECDSA key writes DER signatures (at most 72 bytes, against 256 for
   * RSA-2048), so its cookies and URLs are shorter.
   */
  privateKey: string;
  /**
   * Decrypts an `ENCRYPTED PRIVATE KEY` (the Node build, with `node:crypto`; the web build
   * cannot decrypt and throws `ERR_KEY_PASSPHRASE`: pass the decrypted key).
   */
  passphrase?: string;
  /** The digest signed: defaults to `"SHA1"`; `"SHA256"` adds `Hash-Algorithm=SHA256`. */
  algorithm?: "SHA1" | "SHA256";
}

/** What to sign, as in `@aws-sdk/cloudfront-signer`. */
export interface PolicyOptions {
  /** The URL to sign; optional when `policy` names a Resource. */
  url?: string;
  /** Expiry: anything `new Date()` takes (a number is milliseconds). */
  dateLessThan?: string | number | Date;
  /** Start of validity; giving it selects a custom policy. */
  dateGreaterThan?: string | number | Date;
  /** Viewer IPv4 address or CIDR; giving it selects a custom policy. */
  ipAddress?: string;
  /** A complete custom policy as JSON text, signed as given (after validation). */
  policy?: string;
}

/** Options of the free functions: the signer's and the policy's together. */
export type SignOptions = SignerOptions & PolicyOptions;

/** The cookies `getSignedCookies` returns, named and ordered as the SDK does. */
export interface CloudfrontSignedCookies {
  "CloudFront-Key-Pair-Id": string;
  "CloudFront-Signature": string;
  "CloudFront-Expires"?: number;
  "CloudFront-Policy"?: string;
  "CloudFront-Hash-Algorithm"?: "SHA256";
}

/** The trusted key group, as CloudFront's: one to five public keys. */
export interface VerifierOptions {
  /**
   * Key id -> public key PEM: RSA (2048 to 4096 bits; `PUBLIC KEY` SPKI or `RSA PUBLIC KEY`
   * PKCS#1) or ECDSA P-256 (`PUBLIC KEY` SPKI). A signature verifies only under its own id.
   */
  keys: Record<string, string>;
}

/** One request to check. */
export interface VerifyInput {
  /** Full viewer URL with query string; signed-URL parameters in it win over cookies. */
  url: string;
  /** The raw `Cookie` header. */
  cookie?: string;
  /** The viewer's IP; a policy with an IP condition never matches without one. */
  clientIp?: string;
  /** Milliseconds since the epoch; defaults to `Date.now()`. */
  now?: number;
}

/** Why a request was refused. */
export type DenyReason =
  | "missing" | "malformed" | "unknown-key" | "bad-signature"
  | "expired" | "not-yet-valid" | "resource-mismatch" | "ip-mismatch";

/** The verified policy of an accepted request. */
export interface VerifiedPolicy {
  /** `canned` (rebuilt from the URL and `Expires`) or `custom` (decoded from `Policy`). */
  kind: "canned" | "custom";
  /** The policy's `Resource` (the URL itself for a canned policy); null: every URL. */
  resource: string | null;
  /** `DateLessThan`, milliseconds since the epoch. */
  expiresAtMs: number;
  /** `DateGreaterThan`, milliseconds since the epoch, or null. */
  notBeforeMs: number | null;
  /** `AWS:SourceIp` as `a.b.c.d/n`, or null. */
  ipAddress: string | null;
}

/**
 * The verdict: accepted with the key, the expiry (ms since the epoch), where the credentials
 * came from and the policy that was verified; or refused with a reason.
 */
export type Verdict =
  | { ok: true; keyPairId: string; expiresAt: number; source: "url" | "cookie"; policy: VerifiedPolicy }
  | { ok: false; reason: DenyReason; message: string };

/** The core's size limits, so callers never re-type them. */
export interface Limits {
  /** Public keys in one key group (CloudFront's quota). */
  maxKeysPerGroup: number;
  /** Longest viewer URL read, bytes. */
  maxUrlBytes: number;
  /** Longest `Cookie` header read, bytes. */
  maxCookieHeaderBytes: number;
  /** Longest policy JSON read, bytes. */
  maxPolicyBytes: number;
  /** Longest PEM text read, bytes. */
  maxPemBytes: number;
}

/**
 * Errors thrown by this package are `Error`s named `CloudFrontEdgeAuthError` with a stable
 * `code`, the same from both builds for the same input (a bad credential in a request never
 * throws: `Verifier#verify` returns a refusal instead).
 */
export interface CloudFrontEdgeAuthError extends Error {
  name: "CloudFrontEdgeAuthError";
  code: CloudFrontEdgeAuthErrorCode;
}

/**
 * - `ERR_INVALID_ARGUMENT`: an option of the wrong type or shape.
 * - `ERR_KEY_FORMAT`: not PEM, an unexpected PEM label, or a key that is neither RSA nor
 *   ECDSA P-256 (P-384, Ed25519, ...).
 * - `ERR_KEY_SIZE`: an RSA key under 2048 or over 4096 bits.
 * - `ERR_KEY_PASSPHRASE`: an encrypted key with a wrong or missing passphrase, one the web
 *   build cannot decrypt, or a legacy OpenSSL-encrypted PKCS#1 key (`Proc-Type`).
 * - `ERR_KEY_ID`, `ERR_KEY_GROUP`: a key id CloudFront would not issue; an empty key group,
 *   one over five keys, or a repeated id.
 * - `ERR_POLICY_JSON`, `ERR_POLICY_DATE`, `ERR_POLICY_IP`, `ERR_POLICY_STATEMENTS`,
 *   `ERR_POLICY_TOO_LONG`, `ERR_BASE64`: a `policy` CloudFront would not accept.
 * - `ERR_SIGN_URL`, `ERR_SIGN_DATE`, `ERR_SIGN_ALGORITHM`: no usable `url`, date or
 *   `algorithm`.
 * - `ERR_SIGN_RSA`: the signature operation itself failed (RSA or ECDSA).
 */
export type CloudFrontEdgeAuthErrorCode =
  | "ERR_INVALID_ARGUMENT"
  | "ERR_KEY_FORMAT" | "ERR_KEY_SIZE" | "ERR_KEY_PASSPHRASE" | "ERR_KEY_ID" | "ERR_KEY_GROUP"
  | "ERR_POLICY_JSON" | "ERR_POLICY_DATE" | "ERR_POLICY_IP" | "ERR_POLICY_STATEMENTS"
  | "ERR_POLICY_TOO_LONG" | "ERR_BASE64"
  | "ERR_SIGN_URL" | "ERR_SIGN_DATE" | "ERR_SIGN_ALGORITHM" | "ERR_SIGN_RSA";
"#;

pub(crate) fn js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("CloudFrontEdgeAuthError");
    // Reflect::set on a fresh Error cannot fail.
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}

fn core_error(error: impl Into<Error>) -> JsValue {
    let error = error.into();
    js_error(error.code(), &error.to_string())
}

pub(crate) fn invalid_argument(message: &str) -> JsValue {
    js_error("ERR_INVALID_ARGUMENT", message)
}

/// Reads `options[name]`; `undefined` and `null` are absent.
pub(crate) fn field(options: &JsValue, name: &'static str) -> Result<Option<JsValue>, JsValue> {
    if !options.is_object() {
        return Err(invalid_argument("options must be an object"));
    }
    let value = Reflect::get(options, &js_str(name))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

pub(crate) fn string_field(
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
fn date_field(options: &JsValue, name: &'static str) -> Result<Option<u64>, JsValue> {
    let Some(value) = field(options, name)? else {
        return Ok(None);
    };
    if !value.is_truthy() {
        return Ok(None);
    }
    let millis = js_sys::Date::new(&value).get_time();
    if !millis.is_finite() || millis < 0.0 {
        let shown = value.as_string().unwrap_or_else(|| format!("{value:?}"));
        return Err(core_error(SignError::InvalidDate { input: shown }));
    }
    Ok(Some((millis / 1000.0).round() as u64))
}

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
    let key = PrivateKey::from_pem_with_passphrase(pem, passphrase).map_err(core_error)?;
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
    inner: crate::sign::Signer,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    /// Parses and validates the key; throws `CloudFrontEdgeAuthError` on a bad key or id.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SignerOptions")] options: JsValue,
    ) -> Result<JsSigner, JsValue> {
        Self::with_key_source(options, |pem, passphrase| {
            PrivateKey::from_pem_with_passphrase(pem, passphrase).map_err(core_error)
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
            (None, None) => return Err(core_error(SignError::MissingUrl)),
        };
        let signed = self.sign(&options, &base_url, policy.as_deref())?;
        let signed_url = signed.to_url(&base_url);
        sdk::check_url_scheme(&signed_url).map_err(core_error)?;
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
        self.inner
            .private_key()
            .public_key_pem()
            .map_err(core_error)
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
            Some(name) => HashAlgorithm::from_name(&name).map_err(core_error)?,
        };
        let key = parse(&pem, passphrase.as_deref())?;
        let key_pair_id = KeyId::new(key_pair_id).map_err(core_error)?;
        Ok(JsSigner {
            inner: crate::sign::Signer::new(key_pair_id, key).with_algorithm(algorithm),
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
            CustomPolicy::from_json(json.as_bytes()).map_err(core_error)?;
            return self.inner.sign_policy_json(json).map_err(core_error);
        }
        let date_less_than = date_field(options, "dateLessThan")?;
        let (false, Some(date_less_than)) = (url.is_empty(), date_less_than) else {
            return Err(core_error(if url.is_empty() {
                SignError::MissingUrl
            } else {
                SignError::MissingDateLessThan
            }));
        };
        sdk::check_url_scheme(url).map_err(core_error)?;
        let date_greater_than = date_field(options, "dateGreaterThan")?.filter(|s| *s != 0);
        let ip_address = string_field(options, "ipAddress")?.filter(|ip| !ip.is_empty());
        let policy = if date_greater_than.is_none() && ip_address.is_none() {
            Policy::Canned(CannedPolicy::new(url, date_less_than).map_err(core_error)?)
        } else {
            let mut custom =
                CustomPolicy::new(Some(url.to_string()), date_less_than).map_err(core_error)?;
            if let Some(start) = date_greater_than {
                custom = custom.with_date_greater_than(start).map_err(core_error)?;
            }
            if let Some(ip) = ip_address {
                let network = ip
                    .parse()
                    .map_err(|e| core_error(crate::error::PolicyError::IpAddress(e)))?;
                custom = custom.with_ip_address(network);
            }
            Policy::Custom(custom)
        };
        self.inner.sign_policy(&policy).map_err(core_error)
    }
}

/// The first statement's `Resource` of a policy given without a URL.
fn resource_of(policy: &str) -> Result<String, JsValue> {
    let parsed = CustomPolicy::from_json(policy.as_bytes()).map_err(core_error)?;
    parsed
        .resource()
        .map(str::to_string)
        .ok_or_else(|| core_error(SignError::MissingUrl))
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

/// `hasSignedUrlParameters(querystring)`: whether a query string (without `?`) carries
/// CloudFront signed-URL parameters, which then win over cookies. The verifier's own answer.
#[wasm_bindgen(js_name = hasSignedUrlParameters)]
pub fn has_signed_url_parameters(querystring: &str) -> bool {
    crate::request::has_signed_url_parameters(querystring)
}

/// `limits`: the core's size caps (see the `Limits` typing).
#[wasm_bindgen(js_name = limits, unchecked_return_type = "Limits")]
pub fn limits() -> Result<JsValue, JsValue> {
    let out = Object::new();
    for (name, value) in [
        ("maxKeysPerGroup", crate::keys::MAX_KEYS_PER_GROUP),
        ("maxUrlBytes", crate::request::MAX_URL_LEN),
        (
            "maxCookieHeaderBytes",
            crate::request::MAX_COOKIE_HEADER_LEN,
        ),
        ("maxPolicyBytes", crate::policy::MAX_POLICY_LEN),
        ("maxPemBytes", crate::keys::MAX_PEM_LEN),
    ] {
        set(&out, name, &(value as f64).into())?;
    }
    Ok(out.into())
}

/// `Verifier`: parses the trusted key group once, then checks requests like CloudFront.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: verify::Verifier,
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// Parses every public key; throws `CloudFrontEdgeAuthError` on a bad key or group.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "VerifierOptions")] options: JsValue,
    ) -> Result<JsVerifier, JsValue> {
        let keys = field(&options, "keys")?
            .filter(JsValue::is_object)
            .ok_or_else(|| {
                invalid_argument("keys must be an object of key id -> public key PEM")
            })?;
        let mut group = Vec::new();
        for entry in Object::entries(&Object::from(keys)).iter() {
            let entry = js_sys::Array::from(&entry);
            let id = entry.get(0).as_string().unwrap_or_default();
            let pem = entry
                .get(1)
                .as_string()
                .ok_or_else(|| invalid_argument(&format!("keys[{id:?}] must be a PEM string")))?;
            group.push((
                KeyId::new(id).map_err(core_error)?,
                PublicKey::from_pem(&pem).map_err(core_error)?,
            ));
        }
        let group = KeyGroup::new(group).map_err(core_error)?;
        Ok(JsVerifier {
            inner: verify::Verifier::new(group),
        })
    }

    /// Checks one request; never throws for bad credentials, only for a bad `input`.
    #[wasm_bindgen(unchecked_return_type = "Verdict")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "VerifyInput")] input: JsValue,
    ) -> Result<JsValue, JsValue> {
        let url =
            string_field(&input, "url")?.ok_or_else(|| invalid_argument("url is required"))?;
        let cookie = string_field(&input, "cookie")?;
        let client_ip = match string_field(&input, "clientIp")? {
            None => None,
            Some(ip) => Some(
                ip.parse()
                    .map_err(|_| invalid_argument("clientIp must be an IPv4 or IPv6 address"))?,
            ),
        };
        let now_ms = match field(&input, "now")? {
            None => js_sys::Date::now(),
            Some(v) => v
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .ok_or_else(|| invalid_argument("now must be milliseconds since the epoch"))?,
        };
        let verdict = self.inner.verify(&verify::Request {
            url: &url,
            cookie_header: cookie.as_deref(),
            client_ip,
            now: (now_ms / 1000.0).floor() as u64,
        });
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
