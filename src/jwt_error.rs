//! Errors of ID-token verification: configuration ([`JwksError`], [`JwtConfigError`]) kept
//! apart from why one token was refused ([`JwtError`]).

use thiserror::Error as ThisError;

/// A key set that cannot be used (configuration, not a token's fault).
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum JwksError {
    /// The JWKS text is over the size cap.
    #[error("JWKS is {len} bytes, over the {max} byte limit")]
    TooLong {
        /// Length of the text.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// Not JSON, or not `{"keys": [...]}`.
    #[error("JWKS is not valid JSON of the form {{\"keys\":[...]}}: {detail}")]
    Json {
        /// What the JSON parser reported.
        detail: String,
    },
    /// `"keys"` is an empty array.
    #[error("JWKS has no keys")]
    Empty,
    /// More keys than we accept.
    #[error("JWKS has {count} keys; at most {max} are accepted")]
    TooManyKeys {
        /// Keys given.
        count: usize,
        /// The cap.
        max: usize,
    },
    /// A key whose `kty` is not `RSA`.
    #[error("JWKS key {index} has kty {kty:?}; only RSA keys are accepted")]
    UnsupportedKeyType {
        /// Position in `"keys"`.
        index: usize,
        /// The `kty` given.
        kty: String,
    },
    /// A key whose `alg` is not `RS256`.
    #[error("JWKS key {index} has alg {alg:?}; only RS256 is accepted")]
    UnsupportedAlgorithm {
        /// Position in `"keys"`.
        index: usize,
        /// The `alg` given.
        alg: String,
    },
    /// A key with a missing or unreadable member, or an RSA key outside 2048 to 4096 bits.
    #[error("JWKS key {index} is invalid: {detail}")]
    InvalidKey {
        /// Position in `"keys"`.
        index: usize,
        /// What is wrong.
        detail: String,
    },
    /// The same `kid` twice.
    #[error("JWKS kid {kid:?} appears twice")]
    DuplicateKid {
        /// The repeated id.
        kid: String,
    },
}

impl JwksError {
    /// The stable code of the JS API: `"ERR_JWKS"`.
    pub fn code(&self) -> &'static str {
        "ERR_JWKS"
    }
}

/// A [`crate::jwt::JwtValidation`] that would not be safe to use.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum JwtConfigError {
    /// The issuer is empty.
    #[error("issuer is required")]
    MissingIssuer,
    /// No audience (client id), or an empty one.
    #[error("audience (the app client id) is required and must not be empty")]
    MissingAudience,
    /// A clock skew over the cap.
    #[error("leeway of {seconds} s is over the {max} s limit")]
    LeewayTooLarge {
        /// What was asked.
        seconds: u64,
        /// The cap.
        max: u64,
    },
}

impl JwtConfigError {
    /// The stable code of the JS API: `"ERR_JWT_CONFIG"`.
    pub fn code(&self) -> &'static str {
        "ERR_JWT_CONFIG"
    }
}

/// Which of the three parts of a compact JWS was unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtPart {
    /// The JOSE header.
    Header,
    /// The claims.
    Payload,
    /// The signature.
    Signature,
}

impl std::fmt::Display for JwtPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JwtPart::Header => "header",
            JwtPart::Payload => "payload",
            JwtPart::Signature => "signature",
        })
    }
}

/// How a token failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum JwtMalformation {
    /// Not three dot-separated parts.
    #[error("token has {count} parts; a JWS has 3")]
    PartCount {
        /// Parts found.
        count: usize,
    },
    /// A part that is not unpadded base64url.
    #[error("token {part} is not base64url")]
    Base64 {
        /// Which part.
        part: JwtPart,
    },
    /// A header or payload that is not a JSON object of the expected shape.
    #[error("token {part} is not valid JSON: {detail}")]
    Json {
        /// Which part.
        part: JwtPart,
        /// What the JSON parser reported.
        detail: String,
    },
    /// A header without `alg`.
    #[error("token header has no alg")]
    MissingAlg,
    /// A header with `crit` (RFC 7515 §4.1.11: extensions we do not understand).
    #[error("token header has critical extensions")]
    CriticalHeader,
    /// A date claim that is not a non-negative number.
    #[error("claim {name} is not a valid NumericDate")]
    Claim {
        /// The claim.
        name: &'static str,
    },
}

/// Why a token was refused. [`JwtError::code`] is the stable reason of the JS API.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum JwtError {
    /// No token at all.
    #[error("no token")]
    Missing,
    /// A token over the size cap, refused before parsing.
    #[error("token is {len} bytes, over the {max} byte limit")]
    TooLong {
        /// Length of the token.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A token that does not parse.
    #[error("malformed token: {0}")]
    Malformed(JwtMalformation),
    /// Any `alg` but RS256 (`none`, `HS256`, ...), refused before any crypto.
    #[error("algorithm {alg:?} is not accepted; only RS256 is")]
    UnsupportedAlgorithm {
        /// The `alg` given, cut to 16 characters.
        alg: String,
    },
    /// A header without `kid`.
    #[error("token header has no kid")]
    MissingKid,
    /// A `kid` that is not in the key set.
    #[error("kid {kid:?} is not in the key set")]
    UnknownKid {
        /// The `kid` given, cut to 64 characters.
        kid: String,
    },
    /// The signature does not verify under the named key.
    #[error("signature does not verify")]
    BadSignature,
    /// A required claim is absent.
    #[error("claim {name} is missing")]
    MissingClaim {
        /// The claim.
        name: &'static str,
    },
    /// `iss` is not the configured issuer.
    #[error("issuer does not match")]
    WrongIssuer,
    /// `token_use` is not `id` (an access token, say).
    #[error("token_use is not \"id\"")]
    WrongTokenUse,
    /// `aud` names none of the configured client ids.
    #[error("audience does not match")]
    WrongAudience,
    /// `exp` (plus the leeway) has passed.
    #[error("token expired at {at}")]
    Expired {
        /// `exp`, epoch seconds.
        at: u64,
    },
    /// `nbf` (minus the leeway) is still ahead.
    #[error("token is not valid before {from}")]
    NotYetValid {
        /// `nbf`, epoch seconds.
        from: u64,
    },
    /// `iat` (minus the leeway) is in the future.
    #[error("token was issued in the future ({at})")]
    IssuedInFuture {
        /// `iat`, epoch seconds.
        at: u64,
    },
}

impl JwtError {
    /// The stable reason code: `missing`, `too-long`, `malformed`, `unsupported-alg`,
    /// `missing-kid`, `unknown-kid`, `bad-signature`, `missing-claim`, `wrong-issuer`,
    /// `wrong-token-use`, `wrong-audience`, `expired`, `not-yet-valid`, `issued-in-future`.
    pub fn code(&self) -> &'static str {
        match self {
            JwtError::Missing => "missing",
            JwtError::TooLong { .. } => "too-long",
            JwtError::Malformed(_) => "malformed",
            JwtError::UnsupportedAlgorithm { .. } => "unsupported-alg",
            JwtError::MissingKid => "missing-kid",
            JwtError::UnknownKid { .. } => "unknown-kid",
            JwtError::BadSignature => "bad-signature",
            JwtError::MissingClaim { .. } => "missing-claim",
            JwtError::WrongIssuer => "wrong-issuer",
            JwtError::WrongTokenUse => "wrong-token-use",
            JwtError::WrongAudience => "wrong-audience",
            JwtError::Expired { .. } => "expired",
            JwtError::NotYetValid { .. } => "not-yet-valid",
            JwtError::IssuedInFuture { .. } => "issued-in-future",
        }
    }
}
