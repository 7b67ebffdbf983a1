//! ID-token verification for `/auth`: RS256 JSON Web Tokens (RFC 7519, JWS compact
//! serialisation of RFC 7515 §7.1) checked against an RSA JSON Web Key Set (RFC 7517), with
//! Amazon Cognito's `token_use` and `cognito:groups` claims.
//!
//! The checks run in a fixed order and nothing cryptographic happens before the algorithm
//! and key id are known to be acceptable: size cap -> three parts -> header -> `alg`
//! (RS256 only) -> `kid` in the key set -> signature -> `iss` -> `token_use` -> `aud` ->
//! `exp` -> `nbf` -> `iat`.
//!
//! AWS: *Verifying a JSON Web Token* (Amazon Cognito developer guide).
//!
//! ```
//! # fn demo(jwks_json: &str, token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use cloudfront_edge_auth::jwt::{Jwks, JwtValidation, JwtVerifier};
//! let verifier = JwtVerifier::new(
//!     Jwks::from_json(jwks_json)?,
//!     JwtValidation::new("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc", ["client-id"])?,
//! );
//! match verifier.verify(token, 1_800_000_000) {
//!     Ok(claims) => println!("{} is in {:?}", claims.sub(), claims.groups()),
//!     Err(refused) => println!("refused: {}", refused.code()),
//! }
//! # Ok(()) }
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::json::{Json, JsonError};
use crate::keys::{PublicKey, MAX_BITS, MIN_BITS};
use crate::sign::HashAlgorithm;

#[path = "jwt_error.rs"]
mod error;
pub use error::{JwksError, JwtConfigError, JwtError, JwtMalformation, JwtPart};

/// Longest token [`JwtVerifier::verify`] looks at. Cognito ID tokens with many groups stay
/// well under 8 KiB.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// Longest JWKS text [`Jwks::from_json`] parses.
pub const MAX_JWKS_LEN: usize = 64 * 1024;
/// Most keys one key set may hold (Cognito publishes two).
pub const MAX_JWKS_KEYS: usize = 16;
/// Longest `kid` accepted, in bytes.
pub const MAX_KID_LEN: usize = 256;
/// Default clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;
/// Largest clock skew a configuration may allow, in seconds.
pub const MAX_LEEWAY_SECS: u64 = 300;

/// The only signing algorithm accepted.
const RS256: &str = "RS256";

/// A JSON Web Key Set of RSA signing keys, parsed and validated once.
#[derive(Debug, Clone)]
pub struct Jwks {
    keys: Vec<(String, PublicKey)>,
}

struct RawJwks {
    keys: Vec<RawJwk>,
}

struct RawJwk {
    kty: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    use_: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl FromJson for RawJwks {
    /// `{"keys": [...]}`; members other than the ones read are ignored (RFC 7517 §4).
    fn read(root: &Json) -> Result<Self, JsonError> {
        root.members("the key set")?;
        let keys = match root.required("keys")? {
            Json::Array(keys) => keys.iter().map(RawJwk::read).collect::<Result<_, _>>()?,
            _ => return Err(JsonError::expected("keys", "an array")),
        };
        Ok(RawJwks { keys })
    }
}

impl FromJson for RawJwk {
    fn read(jwk: &Json) -> Result<Self, JsonError> {
        jwk.members("a key")?;
        Ok(RawJwk {
            kty: jwk.optional_string("kty")?,
            kid: jwk.optional_string("kid")?,
            alg: jwk.optional_string("alg")?,
            use_: jwk.optional_string("use")?,
            n: jwk.optional_string("n")?,
            e: jwk.optional_string("e")?,
        })
    }
}

impl Jwks {
    /// Parses `{"keys":[{"kty":"RSA","kid":..,"n":..,"e":..}, ..]}`. Every key must be an
    /// RSA key with a `kid`, 2048 to 4096 bits; `alg`, if present, must be `RS256` and `use`,
    /// if present, `sig`. A key set that says anything else is a configuration error rather
    /// than something to skip silently.
    pub fn from_json(json: &str) -> Result<Self, JwksError> {
        if json.len() > MAX_JWKS_LEN {
            return Err(JwksError::TooLong {
                len: json.len(),
                max: MAX_JWKS_LEN,
            });
        }
        let raw = Json::parse(json)
            .and_then(|root| RawJwks::read(&root))
            .map_err(|e| JwksError::Json {
                detail: e.to_string(),
            })?;
        if raw.keys.is_empty() {
            return Err(JwksError::Empty);
        }
        if raw.keys.len() > MAX_JWKS_KEYS {
            return Err(JwksError::TooManyKeys {
                count: raw.keys.len(),
                max: MAX_JWKS_KEYS,
            });
        }
        let mut keys: Vec<(String, PublicKey)> = Vec::with_capacity(raw.keys.len());
        for (index, jwk) in raw.keys.into_iter().enumerate() {
            let (kid, key) = parse_jwk(index, jwk)?;
            if keys.iter().any(|(other, _)| *other == kid) {
                return Err(JwksError::DuplicateKid { kid });
            }
            keys.push((kid, key));
        }
        Ok(Jwks { keys })
    }

    /// The key ids, in the order given.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(kid, _)| kid.as_str())
    }

    /// Number of keys (at least one).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false: a key set holds at least one key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn get(&self, kid: &str) -> Option<&PublicKey> {
        self.keys.iter().find(|(k, _)| k == kid).map(|(_, key)| key)
    }
}

fn parse_jwk(index: usize, jwk: RawJwk) -> Result<(String, PublicKey), JwksError> {
    let invalid = |detail: &str| JwksError::InvalidKey {
        index,
        detail: detail.to_string(),
    };
    match jwk.kty.as_deref() {
        Some("RSA") => {}
        Some(other) => {
            return Err(JwksError::UnsupportedKeyType {
                index,
                kty: other.chars().take(16).collect(),
            })
        }
        None => return Err(invalid("\"kty\" is missing")),
    }
    let kid = jwk.kid.ok_or_else(|| invalid("\"kid\" is missing"))?;
    if kid.is_empty() || kid.len() > MAX_KID_LEN {
        return Err(invalid("\"kid\" must be 1 to 256 bytes"));
    }
    if let Some(alg) = jwk.alg.filter(|alg| alg != RS256) {
        return Err(JwksError::UnsupportedAlgorithm {
            index,
            alg: alg.chars().take(16).collect(),
        });
    }
    if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err(invalid("\"use\" must be \"sig\""));
    }
    let n = jwk.n.ok_or_else(|| invalid("\"n\" is missing"))?;
    let e = jwk.e.ok_or_else(|| invalid("\"e\" is missing"))?;
    let n = decode_uint(&n, MAX_BITS).ok_or_else(|| invalid("\"n\" is not base64url"))?;
    let e = decode_uint(&e, 64).ok_or_else(|| invalid("\"e\" is not base64url"))?;
    let key = PublicKey::from_components(&n, &e).map_err(|err| JwksError::InvalidKey {
        index,
        detail: format!("not a usable RSA key ({MIN_BITS} to {MAX_BITS} bits): {err}"),
    })?;
    Ok((kid, key))
}

/// An unsigned big-endian integer in base64url, leading zero bytes ignored, at most
/// `max_bits` wide.
fn decode_uint(text: &str, max_bits: usize) -> Option<Vec<u8>> {
    if text.len() > max_bits / 6 + 8 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let start = bytes.iter().position(|b| *b != 0)?;
    let bytes = &bytes[start..];
    if bytes.len() * 8 > max_bits {
        return None;
    }
    Some(bytes.to_vec())
}

/// Which tokens are acceptable beyond their signature. The defaults are the safe ones: an ID
/// token (`token_use` is `"id"`), `exp` required, 60 s of clock skew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtValidation {
    issuer: String,
    audience: Vec<String>,
    token_use: Option<String>,
    leeway: u64,
}

impl JwtValidation {
    /// Tokens from `issuer` (compared byte for byte with `iss`) for one of `audience` (the
    /// app client ids, compared with `aud`). Both are required and non-empty.
    pub fn new<I, A>(issuer: impl Into<String>, audience: I) -> Result<Self, JwtConfigError>
    where
        I: IntoIterator<Item = A>,
        A: Into<String>,
    {
        let issuer = issuer.into();
        if issuer.is_empty() {
            return Err(JwtConfigError::MissingIssuer);
        }
        let audience: Vec<String> = audience.into_iter().map(Into::into).collect();
        if audience.is_empty() || audience.iter().any(String::is_empty) {
            return Err(JwtConfigError::MissingAudience);
        }
        Ok(JwtValidation {
            issuer,
            audience,
            token_use: Some("id".into()),
            leeway: DEFAULT_LEEWAY_SECS,
        })
    }

    /// Clock skew allowed on `exp`, `nbf` and `iat`. Defaults to 60 s; at most 300 s.
    pub fn with_leeway(mut self, seconds: u64) -> Result<Self, JwtConfigError> {
        if seconds > MAX_LEEWAY_SECS {
            return Err(JwtConfigError::LeewayTooLarge {
                seconds,
                max: MAX_LEEWAY_SECS,
            });
        }
        self.leeway = seconds;
        Ok(self)
    }

    /// Drops the `token_use` check, for identity providers other than Cognito (which do not
    /// send the claim). Defaults to requiring `"id"`; `aud` is still checked, and Cognito
    /// access tokens carry no `aud`, so they stay refused.
    pub fn without_token_use(mut self) -> Self {
        self.token_use = None;
        self
    }

    /// The clock skew, in seconds.
    pub fn leeway(&self) -> u64 {
        self.leeway
    }
}

/// The claims of a verified ID token that `/auth` needs. Only [`JwtVerifier`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    sub: String,
    email: Option<String>,
    groups: Vec<String>,
    exp: u64,
}

impl Claims {
    /// The user's stable id.
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// `email`, when the token carries one.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// `cognito:groups` (empty when absent).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// When the token expires, epoch seconds.
    pub fn exp(&self) -> u64 {
        self.exp
    }
}

/// The JOSE header members read; others are ignored (RFC 7515 §4), `crit` is refused.
struct Header {
    alg: Option<String>,
    kid: Option<String>,
    crit: bool,
}

enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims read; others are ignored (RFC 7519 §4).
struct RawClaims {
    iss: Option<String>,
    aud: Option<Audience>,
    token_use: Option<String>,
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    sub: Option<String>,
    email: Option<String>,
    groups: Option<Vec<String>>,
}

/// A JSON object (a JWT part, a key set), read into its typed form.
trait FromJson: Sized {
    fn read(object: &Json) -> Result<Self, JsonError>;
}

impl FromJson for Header {
    fn read(header: &Json) -> Result<Self, JsonError> {
        header.members("the header")?;
        Ok(Header {
            alg: header.optional_string("alg")?,
            kid: header.optional_string("kid")?,
            crit: header.optional("crit").is_some(),
        })
    }
}

impl FromJson for RawClaims {
    fn read(claims: &Json) -> Result<Self, JsonError> {
        claims.members("the payload")?;
        let date = |name: &str| claims.optional(name).map(|v| v.as_f64(name)).transpose();
        let aud = match claims.optional("aud") {
            None => None,
            Some(Json::String(aud)) => Some(Audience::One(aud.clone())),
            Some(auds) => Some(Audience::Many(auds.as_strings("aud")?)),
        };
        Ok(RawClaims {
            iss: claims.optional_string("iss")?,
            aud,
            token_use: claims.optional_string("token_use")?,
            exp: date("exp")?,
            nbf: date("nbf")?,
            iat: date("iat")?,
            sub: claims.optional_string("sub")?,
            email: claims.optional_string("email")?,
            groups: claims
                .optional("cognito:groups")
                .map(|v| v.as_strings("cognito:groups"))
                .transpose()?,
        })
    }
}

/// Checks ID tokens against one key set and one [`JwtValidation`].
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    jwks: Jwks,
    validation: JwtValidation,
}

impl JwtVerifier {
    /// A verifier for tokens signed by a key of `jwks` and matching `validation`.
    pub fn new(jwks: Jwks, validation: JwtValidation) -> Self {
        JwtVerifier { jwks, validation }
    }

    /// The key set.
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// Verifies `token` at `now` (epoch seconds) and returns its claims.
    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, JwtError> {
        if token.is_empty() {
            return Err(JwtError::Missing);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::TooLong {
                len: token.len(),
                max: MAX_TOKEN_LEN,
            });
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            let count = token.split('.').count();
            return Err(JwtError::Malformed(JwtMalformation::PartCount { count }));
        };

        let header: Header = decode_json(header_b64, JwtPart::Header)?;
        match header.alg.as_deref() {
            Some(RS256) => {}
            Some(alg) => {
                return Err(JwtError::UnsupportedAlgorithm {
                    alg: alg.chars().take(16).collect(),
                })
            }
            None => return Err(JwtError::Malformed(JwtMalformation::MissingAlg)),
        }
        // RFC 7515 §4.1.11: a critical extension we do not understand makes the token invalid.
        if header.crit {
            return Err(JwtError::Malformed(JwtMalformation::CriticalHeader));
        }
        let kid = header.kid.ok_or(JwtError::MissingKid)?;
        let key = self.jwks.get(&kid).ok_or_else(|| JwtError::UnknownKid {
            kid: kid.chars().take(64).collect(),
        })?;
        let signature = decode_part(signature_b64, JwtPart::Signature)?;
        let signed_len = header_b64.len() + 1 + payload_b64.len();
        let digest = HashAlgorithm::Sha256.digest(&token.as_bytes()[..signed_len]);
        if !key.verify_pkcs1v15(HashAlgorithm::Sha256, &digest, &signature) {
            return Err(JwtError::BadSignature);
        }

        let claims: RawClaims = decode_json(payload_b64, JwtPart::Payload)?;
        self.check_claims(claims, now)
    }

    fn check_claims(&self, claims: RawClaims, now: u64) -> Result<Claims, JwtError> {
        let rules = &self.validation;
        let iss = claims.iss.ok_or(JwtError::MissingClaim { name: "iss" })?;
        if iss != rules.issuer {
            return Err(JwtError::WrongIssuer);
        }
        if let Some(expected) = &rules.token_use {
            let token_use = claims
                .token_use
                .ok_or(JwtError::MissingClaim { name: "token_use" })?;
            if token_use != *expected {
                return Err(JwtError::WrongTokenUse);
            }
        }
        let audience_ok = match claims.aud.ok_or(JwtError::MissingClaim { name: "aud" })? {
            Audience::One(aud) => rules.audience.contains(&aud),
            Audience::Many(auds) => auds.iter().any(|aud| rules.audience.contains(aud)),
        };
        if !audience_ok {
            return Err(JwtError::WrongAudience);
        }
        let exp = numeric_date(claims.exp, "exp")?.ok_or(JwtError::MissingClaim { name: "exp" })?;
        if now >= exp.saturating_add(rules.leeway) {
            return Err(JwtError::Expired { at: exp });
        }
        if let Some(nbf) = numeric_date(claims.nbf, "nbf")? {
            if now.saturating_add(rules.leeway) < nbf {
                return Err(JwtError::NotYetValid { from: nbf });
            }
        }
        if let Some(iat) = numeric_date(claims.iat, "iat")? {
            if iat > now.saturating_add(rules.leeway) {
                return Err(JwtError::IssuedInFuture { at: iat });
            }
        }
        let sub = claims.sub.ok_or(JwtError::MissingClaim { name: "sub" })?;
        Ok(Claims {
            sub,
            email: claims.email,
            groups: claims.groups.unwrap_or_default(),
            exp,
        })
    }
}

fn decode_part(text: &str, part: JwtPart) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JwtError::Malformed(JwtMalformation::Base64 { part }))
}

fn decode_json<T: FromJson>(text: &str, part: JwtPart) -> Result<T, JwtError> {
    let bytes = decode_part(text, part)?;
    let malformed = |detail: String| JwtError::Malformed(JwtMalformation::Json { part, detail });
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed("not UTF-8".into()))?;
    // The reader refuses a repeated key, so `{"iss":a,"iss":b}` cannot smuggle a second
    // issuer past the check.
    Json::parse(text)
        .and_then(|json| T::read(&json))
        .map_err(|e| malformed(e.to_string()))
}

/// RFC 7519 NumericDate: seconds, possibly fractional; we keep whole seconds.
fn numeric_date(value: Option<f64>, name: &'static str) -> Result<Option<u64>, JwtError> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && (0.0..=9_007_199_254_740_991.0).contains(&v) => {
            Ok(Some(v.floor() as u64))
        }
        Some(_) => Err(JwtError::Malformed(JwtMalformation::Claim { name })),
    }
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
