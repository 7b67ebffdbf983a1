//! Errors, one enum per concern, joined in [`Error`] so `?` works across them.
//!
//! Verification failures are not errors: they are [`crate::Denied`] reasons inside a
//! [`crate::Verdict`]. Errors here mean bad configuration (a key, a URL to sign) or bytes
//! that could not be parsed.

use thiserror::Error as ThisError;

/// Any error this crate returns.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that are not CloudFront base64.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// A policy that CloudFront would not accept.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A key or key group that cannot be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A signing request that cannot be honoured.
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl Error {
    /// A stable, machine-readable code (`"ERR_POLICY_JSON"`, ...) for logs and the JS API.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Encoding(e) => e.code(),
            Error::Policy(e) => e.code(),
            Error::Key(e) => e.code(),
            Error::Sign(e) => e.code(),
        }
    }
}

/// CloudFront base64 that cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum EncodingError {
    /// The input was empty.
    #[error("base64 value is empty")]
    Empty,
    /// The input was longer than the cap applied before decoding.
    #[error("base64 value is {len} bytes, over the {max} byte limit")]
    TooLong {
        /// Length of the input.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A character outside `A-Z a-z 0-9 - _ ~`.
    #[error("invalid character in CloudFront base64 at byte {index}")]
    InvalidCharacter {
        /// Byte offset of the character.
        index: usize,
    },
    /// Characters of the right alphabet that do not form base64 (bad length or padding).
    #[error("malformed CloudFront base64 (bad length or padding)")]
    Malformed,
}

impl EncodingError {
    fn code(&self) -> &'static str {
        "ERR_BASE64"
    }
}

/// An IPv4 CIDR that CloudFront's `AWS:SourceIp` would not accept.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum CidrError {
    /// Not four dotted decimal octets of 0-255; IPv6 lands here too, since CloudFront
    /// policies take IPv4 only.
    #[error("invalid IPv4 address {input:?} (CloudFront policies accept IPv4 only)")]
    InvalidAddress {
        /// What was given.
        input: String,
    },
    /// A prefix length that is not a number from 0 to 32.
    #[error("invalid CIDR prefix length in {input:?} (expected /0 to /32)")]
    InvalidPrefix {
        /// What was given.
        input: String,
    },
}

/// A policy that is malformed or outside CloudFront's rules.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy text is over the size cap.
    #[error("policy is {len} bytes, over the {max} byte limit")]
    TooLong {
        /// Length of the policy.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The `Policy` value is not CloudFront base64.
    #[error("policy is not CloudFront base64: {0}")]
    Encoding(#[from] EncodingError),
    /// The decoded policy is not UTF-8.
    #[error("policy is not UTF-8")]
    NotUtf8,
    /// Whitespace outside a string. AWS: "Remove all white space (including tabs and newline
    /// characters) from the policy statement."
    #[error("policy contains whitespace at byte {index}; CloudFront requires it removed")]
    Whitespace {
        /// Byte offset of the whitespace.
        index: usize,
    },
    /// Not JSON, or JSON not of the policy's shape (unknown or duplicated fields included).
    #[error("policy JSON is invalid: {detail}")]
    Json {
        /// What the JSON parser reported.
        detail: String,
    },
    /// CloudFront accepts exactly one statement.
    #[error("policy has {count} statements; CloudFront accepts exactly one")]
    StatementCount {
        /// How many statements there were.
        count: usize,
    },
    /// An `AWS:EpochTime` that is zero or past 2147483647.
    #[error("epoch time {value} is out of range (1 to 2147483647)")]
    EpochOutOfRange {
        /// The value.
        value: u64,
    },
    /// `DateGreaterThan` is not before `DateLessThan`.
    #[error("DateGreaterThan ({start}) is not before DateLessThan ({end})")]
    EmptyWindow {
        /// `DateGreaterThan`.
        start: u64,
        /// `DateLessThan`.
        end: u64,
    },
    /// An `AWS:SourceIp` that is not a single IPv4 CIDR.
    #[error(transparent)]
    IpAddress(#[from] CidrError),
}

impl PolicyError {
    fn code(&self) -> &'static str {
        match self {
            PolicyError::TooLong { .. } => "ERR_POLICY_TOO_LONG",
            PolicyError::Encoding(_) => "ERR_BASE64",
            PolicyError::NotUtf8 | PolicyError::Json { .. } | PolicyError::Whitespace { .. } => {
                "ERR_POLICY_JSON"
            }
            PolicyError::StatementCount { .. } => "ERR_POLICY_STATEMENTS",
            PolicyError::EpochOutOfRange { .. } | PolicyError::EmptyWindow { .. } => {
                "ERR_POLICY_DATE"
            }
            PolicyError::IpAddress(_) => "ERR_POLICY_IP",
        }
    }
}

/// A key or key group that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum KeyError {
    /// Not PEM at all, or PEM whose body is not valid base64/DER.
    #[error("not a valid PEM key: {detail}")]
    Pem {
        /// What the parser reported.
        detail: String,
    },
    /// PEM of a type we do not take here (a certificate, a public key where a private key
    /// is needed, ...).
    #[error("PEM type {label:?} is not accepted here; expected {expected}")]
    UnsupportedLabel {
        /// The PEM label found.
        label: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// A key that is neither RSA nor ECDSA on P-256, the two kinds CloudFront accepts.
    #[error("key is neither RSA nor ECDSA P-256 (CloudFront accepts RSA 2048 and ECDSA 256 keys)")]
    UnsupportedKeyType,
    /// A key whose values cannot be used: an even modulus, an exponent out of range, primes
    /// whose product is not the modulus, a multi-prime key, an EC public point that is not
    /// the private scalar's.
    #[error("not a usable key: {detail}")]
    Invalid {
        /// What is wrong.
        detail: String,
    },
    /// An RSA key under 2048 bits, which CloudFront rejects.
    #[error("RSA key is {bits} bits; CloudFront requires 2048 bits or more")]
    TooSmall {
        /// The modulus size.
        bits: usize,
    },
    /// An RSA key over 4096 bits.
    #[error("RSA key is {bits} bits; keys over 4096 bits are not accepted")]
    TooLarge {
        /// The modulus size.
        bits: usize,
    },
    /// An encrypted private key and no passphrase.
    #[error("private key is encrypted; a passphrase is required")]
    PassphraseRequired,
    /// The passphrase did not decrypt the key.
    #[error("could not decrypt the private key (wrong passphrase or unsupported cipher)")]
    Decrypt,
    /// This build cannot decrypt keys (the npm package's web build).
    #[error(
        "encrypted private keys (ENCRYPTED PRIVATE KEY) cannot be decrypted by this build: \
         decrypt the key first (e.g. `openssl pkcs8 -in key.pem -out plain.pem`, or \
         node:crypto's createPrivateKey on a server) and pass the plain PRIVATE KEY PEM"
    )]
    DecryptUnsupported,
    /// A key under OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED` headers in an
    /// `RSA PRIVATE KEY` or `EC PRIVATE KEY` block): MD5-derived keys, refused.
    #[error(
        "legacy OpenSSL-encrypted PEM keys (Proc-Type: 4,ENCRYPTED) are not supported; convert \
         with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pkcs8.pem` and pass \
         the ENCRYPTED PRIVATE KEY with its passphrase"
    )]
    LegacyEncryption,
    /// A key id that CloudFront would not issue.
    #[error("invalid key id {id:?}: expected 1 to 128 ASCII letters and digits")]
    InvalidKeyId {
        /// The id given.
        id: String,
    },
    /// A key group with no keys.
    #[error("key group is empty")]
    EmptyKeyGroup,
    /// A key group over CloudFront's limit.
    #[error("key group has {count} keys; CloudFront allows at most {max}")]
    TooManyKeys {
        /// Keys given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The same key id twice in one key group.
    #[error("key id {id:?} appears twice in the key group")]
    DuplicateKeyId {
        /// The repeated id.
        id: String,
    },
}

impl KeyError {
    fn code(&self) -> &'static str {
        match self {
            KeyError::Pem { .. }
            | KeyError::UnsupportedLabel { .. }
            | KeyError::UnsupportedKeyType
            | KeyError::Invalid { .. } => "ERR_KEY_FORMAT",
            KeyError::TooSmall { .. } | KeyError::TooLarge { .. } => "ERR_KEY_SIZE",
            KeyError::PassphraseRequired
            | KeyError::Decrypt
            | KeyError::DecryptUnsupported
            | KeyError::LegacyEncryption => "ERR_KEY_PASSPHRASE",
            KeyError::InvalidKeyId { .. } => "ERR_KEY_ID",
            KeyError::EmptyKeyGroup
            | KeyError::TooManyKeys { .. }
            | KeyError::DuplicateKeyId { .. } => "ERR_KEY_GROUP",
        }
    }
}

/// A signing request that cannot be honoured (caller misuse, not untrusted input).
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum SignError {
    /// A URL whose scheme CloudFront signed URLs do not use.
    #[error("URL scheme must be http, https, ws or wss (or a wildcard), got {url:?}")]
    UnsupportedScheme {
        /// The URL, cut to 100 characters.
        url: String,
    },
    /// Neither a URL nor a policy with a `Resource` to derive one from.
    #[error("a url, or a policy whose statement names a Resource, is required")]
    MissingUrl,
    /// No expiry and no policy.
    #[error("dateLessThan is required unless a policy is given")]
    MissingDateLessThan,
    /// A date that could not be read.
    #[error("invalid date {input:?}: expected epoch seconds or an ISO 8601 time")]
    InvalidDate {
        /// What was given.
        input: String,
    },
    /// A hash algorithm other than SHA1 or SHA256.
    #[error("unsupported hash algorithm {name:?}: expected \"SHA1\" or \"SHA256\"")]
    UnsupportedAlgorithm {
        /// What was given.
        name: String,
    },
    /// The crypto backend could not make an RSA signature: the system random number
    /// generator, which RSA blinding needs, failed, or the backend refused the key.
    #[error("signing failed: {reason}")]
    Rsa {
        /// Why, in the same words from every backend, without key material.
        reason: &'static str,
    },
    /// The crypto backend could not make an ECDSA P-256 signature.
    #[error("signing failed: {reason}")]
    Ecdsa {
        /// Why, in the same words from every backend, without key material.
        reason: &'static str,
    },
}

impl SignError {
    fn code(&self) -> &'static str {
        match self {
            SignError::UnsupportedScheme { .. } | SignError::MissingUrl => "ERR_SIGN_URL",
            SignError::MissingDateLessThan | SignError::InvalidDate { .. } => "ERR_SIGN_DATE",
            SignError::UnsupportedAlgorithm { .. } => "ERR_SIGN_ALGORITHM",
            SignError::Rsa { .. } => "ERR_SIGN_RSA",
            SignError::Ecdsa { .. } => "ERR_SIGN_ECDSA",
        }
    }
}

// The codes above, and `Denied::code`'s reasons, are what JS callers branch on; the TypeScript
// unions in the bindings' typings must name exactly these. Read from the sources, so a code
// added on either side without the other fails here.
#[cfg(test)]
mod js_typings_name_every_code {
    use std::collections::BTreeSet;

    const TYPINGS: &str = include_str!("wasm/mod.rs");

    /// The string literals of `text`.
    fn literals(text: &str) -> BTreeSet<&str> {
        text.split('"').skip(1).step_by(2).collect()
    }

    /// The members of `export type <name> = "a" | "b" ...;` in the typings.
    fn union(name: &str) -> BTreeSet<&'static str> {
        let start = TYPINGS
            .find(&format!("export type {name} ="))
            .unwrap_or_else(|| panic!("no union {name} in the typings"));
        let body = &TYPINGS[start..];
        literals(&body[..body.find(';').expect("union ends with ;")])
    }

    /// The literals returned by every `fn code` in `source`.
    fn code_bodies(source: &str) -> BTreeSet<&str> {
        let mut codes = BTreeSet::new();
        for (at, _) in source.match_indices("fn code(") {
            let open = at + source[at..].find('{').expect("fn body");
            let mut depth = 0;
            let close = source[open..]
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(i, _)| open + i)
                .expect("fn body closes");
            codes.extend(literals(&source[open..close]));
        }
        codes
    }

    #[test]
    fn error_codes_equal_the_typescript_union() {
        // This file, up to this test module (whose own text names `fn code(`).
        let source = include_str!("error.rs");
        let source = &source[..source
            .find("mod js_typings_name_every_code")
            .expect("this module")];
        let mut rust = code_bodies(source);
        // The bindings' own code, for a misused JS API (a missing or mistyped argument).
        let bindings = include_str!("wasm/error.rs");
        rust.extend(
            literals(bindings)
                .into_iter()
                .filter(|s| s.starts_with("ERR_")),
        );
        assert!(rust.contains("ERR_KEY_FORMAT") && rust.contains("ERR_INVALID_ARGUMENT"));
        assert_eq!(rust, union("CloudFrontEdgeAuthErrorCode"));
    }

    #[test]
    fn deny_reasons_equal_the_typescript_union() {
        let rust = code_bodies(include_str!("verify/denied.rs"));
        assert!(rust.contains("missing") && rust.contains("bad-signature"));
        assert_eq!(rust, union("DenyReason"));
    }
}
