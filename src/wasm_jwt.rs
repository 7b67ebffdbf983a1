//! The JavaScript `JwtVerifier` class: ID-token verification against a JWKS, for the edge
//! handler's `/auth`. Only compiled for `wasm32`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::jwt::{Jwks, JwtValidation, JwtVerifier};
use crate::wasm::{field, invalid_argument, js_error, string_field};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** One RSA key of a JSON Web Key Set (RFC 7517). */
export interface RsaJwk {
  kty: "RSA";
  kid: string;
  /** Modulus, base64url. */
  n: string;
  /** Public exponent, base64url. */
  e: string;
  /** If present, must be "RS256". */
  alg?: "RS256";
  /** If present, must be "sig". */
  use?: "sig";
}

/** What the identity provider publishes at `.well-known/jwks.json`. */
export interface JsonWebKeySet {
  keys: RsaJwk[];
}

/** Which ID tokens are accepted. */
export interface JwtVerifierOptions {
  /** The key set, as an object or its JSON text. */
  jwks: JsonWebKeySet | string;
  /** Compared byte for byte with `iss`. */
  issuer: string;
  /** The app client id(s), compared with `aud`. */
  audience: string | string[];
  /** Defaults to `"id"`; `null` skips the check (identity providers other than Cognito). */
  tokenUse?: "id" | null;
  /** Clock skew on `exp`, `nbf`, `iat`; defaults to 60, at most 300. */
  leewaySeconds?: number;
}

/** The claims `/auth` needs from a verified ID token. */
export interface IdTokenClaims {
  sub: string;
  email?: string;
  /** `cognito:groups`, empty when absent. */
  groups: string[];
  /** Expiry, epoch seconds (as in the token). */
  exp: number;
}

/** Why a token was refused. */
export type JwtRejectReason =
  | "missing" | "too-long" | "malformed" | "unsupported-alg" | "missing-kid" | "unknown-kid"
  | "bad-signature" | "missing-claim" | "wrong-issuer" | "wrong-token-use" | "wrong-audience"
  | "expired" | "not-yet-valid" | "issued-in-future";

/** The outcome of `JwtVerifier.verify`. */
export type JwtVerdict =
  | { ok: true; claims: IdTokenClaims }
  | { ok: false; reason: JwtRejectReason; message: string };
"#;

/// `JwtVerifier`: parses the JWKS and the rules once, then checks many ID tokens.
#[wasm_bindgen(js_name = JwtVerifier)]
pub struct JsJwtVerifier {
    inner: JwtVerifier,
}

#[wasm_bindgen(js_class = JwtVerifier)]
impl JsJwtVerifier {
    /// Validates the options and parses every key; throws `CloudFrontEdgeAuthError`
    /// (`ERR_JWKS`, `ERR_JWT_CONFIG` or `ERR_INVALID_ARGUMENT`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "JwtVerifierOptions")] options: JsValue,
    ) -> Result<JsJwtVerifier, JsValue> {
        let jwks = field(&options, "jwks")?.ok_or_else(|| invalid_argument("jwks is required"))?;
        let jwks_text = match jwks.as_string() {
            Some(text) => text,
            None if jwks.is_object() => js_sys::JSON::stringify(&jwks)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| invalid_argument("jwks must be JSON-serialisable"))?,
            None => return Err(invalid_argument("jwks must be an object or JSON text")),
        };
        let jwks = Jwks::from_json(&jwks_text).map_err(|e| js_error(e.code(), &e.to_string()))?;

        let issuer = string_field(&options, "issuer")?.unwrap_or_default();
        let audience = audience(&options)?;
        let config = |e: crate::jwt::JwtConfigError| js_error(e.code(), &e.to_string());
        let mut validation = JwtValidation::new(issuer, audience).map_err(config)?;
        if let Some(leeway) = field(&options, "leewaySeconds")? {
            let seconds = leeway
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0 && s.fract() == 0.0)
                .ok_or_else(|| invalid_argument("leewaySeconds must be a whole number >= 0"))?;
            validation = validation.with_leeway(seconds as u64).map_err(config)?;
        }
        // `null` turns the check off explicitly; leaving it out keeps the safe default.
        let token_use = Reflect::get(&options, &"tokenUse".into())?;
        if token_use.is_null() {
            validation = validation.without_token_use();
        } else if !token_use.is_undefined() && token_use.as_string().as_deref() != Some("id") {
            return Err(invalid_argument("tokenUse must be \"id\" or null"));
        }
        Ok(JsJwtVerifier {
            inner: JwtVerifier::new(jwks, validation),
        })
    }

    /// Checks one token (the bare JWT, without `Bearer `) at `nowMs` (milliseconds since the
    /// epoch, default `Date.now()`); never throws for a bad token, only for a bad argument.
    #[wasm_bindgen(unchecked_return_type = "JwtVerdict")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let token = if token.is_undefined() || token.is_null() {
            String::new()
        } else {
            token
                .as_string()
                .ok_or_else(|| invalid_argument("token must be a string"))?
        };
        let now_ms = match now_ms {
            None => js_sys::Date::now(),
            Some(ms) if ms.is_finite() && ms >= 0.0 => ms,
            Some(_) => {
                return Err(invalid_argument(
                    "nowMs must be milliseconds since the epoch",
                ))
            }
        };
        let out = Object::new();
        match self.inner.verify(&token, (now_ms / 1000.0).floor() as u64) {
            Ok(claims) => {
                let c = Object::new();
                Reflect::set(&c, &"sub".into(), &claims.sub().into())?;
                if let Some(email) = claims.email() {
                    Reflect::set(&c, &"email".into(), &email.into())?;
                }
                let groups: Array = claims.groups().iter().map(JsValue::from).collect();
                Reflect::set(&c, &"groups".into(), &groups)?;
                Reflect::set(&c, &"exp".into(), &(claims.exp() as f64).into())?;
                Reflect::set(&out, &"ok".into(), &true.into())?;
                Reflect::set(&out, &"claims".into(), &c)?;
            }
            Err(refused) => {
                Reflect::set(&out, &"ok".into(), &false.into())?;
                Reflect::set(&out, &"reason".into(), &refused.code().into())?;
                Reflect::set(&out, &"message".into(), &refused.to_string().into())?;
            }
        }
        Ok(out.into())
    }

    /// The key ids of the key set, in the order given.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn kids(&self) -> Array {
        self.inner.jwks().kids().map(JsValue::from).collect()
    }
}

/// `audience`: one client id or an array of them.
fn audience(options: &JsValue) -> Result<Vec<String>, JsValue> {
    let bad = || invalid_argument("audience must be a string or an array of strings");
    match field(options, "audience")? {
        None => Ok(Vec::new()),
        Some(value) if value.is_string() => Ok(value.as_string().into_iter().collect()),
        Some(value) if Array::is_array(&value) => Array::from(&value)
            .iter()
            .map(|v| v.as_string().ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}
