//! The JavaScript surface: `Signer` and `Verifier` classes and the `getSignedUrl` /
//! `getSignedCookies` functions of `@aws-sdk/cloudfront-signer`, with the same options and
//! byte-identical output, plus `hasSignedUrlParameters` and `limits`. Only compiled for
//! `wasm32`; the same bindings serve both npm builds (node:crypto and RustCrypto backends).

//!
//! - `signer.rs`: `Signer`, `getSignedUrl`, `getSignedCookies`; `plan.rs`: what they sign,
//!   the SDK's way or (`strict: true`) checked against CloudFront's rules
//! - `verifier.rs`: `Verifier` and its verdicts
//! - `key_cache.rs`: the free functions' parsed keys, by digest, least recently used out
//! - `interop.rs`: reading JS arguments; `error.rs`: core errors as JS errors
//! - here: the TypeScript typings, `hasSignedUrlParameters` and `limits`

mod error;
mod interop;
mod key_cache;
mod plan;
mod signer;
mod verifier;

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::keys::{MAX_KEYS_PER_GROUP, MAX_PEM_LEN};
use crate::policy::MAX_POLICY_LEN;
use crate::request::{MAX_COOKIE_HEADER_LEN, MAX_URL_LEN};

use interop::set;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** The hash algorithm signed, as in `@aws-sdk/cloudfront-signer`. Defaults to `"SHA1"`. */
export type CloudfrontSignerAlgorithm = "SHA1" | "SHA256";

/** Which key signs, as in `@aws-sdk/cloudfront-signer` (plus `strict`). */
export type CloudfrontSignerCredentials = {
  /** The CloudFront public key id (`K2JCJMDEHXQW5F`) or legacy key pair id. */
  keyPairId: string;
  /**
   * The private key as PEM text, a string or its bytes (a `Buffer` from
   * `fs.readFileSync('key.pem')`, or any `Uint8Array`), of one of the two kinds CloudFront
   * takes: RSA (2048 to 4096 bits; `PRIVATE KEY` PKCS#8 or `RSA PRIVATE KEY` PKCS#1) or
   * ECDSA P-256 (`PRIVATE KEY` PKCS#8 or `EC PRIVATE KEY` SEC1), or either as
   * `ENCRYPTED PRIVATE KEY` with `passphrase`. An ECDSA key writes DER signatures (at most
   * 72 bytes, against 256 for RSA-2048), so its cookies and URLs are shorter.
   */
  privateKey: string | Uint8Array;
  /**
   * Decrypts an `ENCRYPTED PRIVATE KEY` (the Node build, with `node:crypto`; the web build
   * cannot decrypt and throws `ERR_KEY_PASSPHRASE`: pass the decrypted key).
   */
  passphrase?: string;
  /** The digest signed: defaults to `"SHA1"`; `"SHA256"` adds `Hash-Algorithm=SHA256`. */
  algorithm?: CloudfrontSignerAlgorithm;
  /**
   * Defaults to `false`: behave as `@aws-sdk/cloudfront-signer` does (sign a `policy` as
   * given, and whatever dates and CIDR the SDK accepts; throw where it throws, with its
   * message). `true`: refuse what CloudFront would refuse (a policy not of CloudFront's
   * shape, a start not before the end, an epoch past 2147483647, an unreadable
   * `dateGreaterThan`, a CIDR that is not four decimal octets), with this package's messages.
   */
  strict?: boolean;
};

/** A policy built from a URL and dates, as in `@aws-sdk/cloudfront-signer`. */
export type CloudfrontSignParameters = {
  /** The URL to sign. */
  url: string;
  /** Expiry: anything `new Date()` takes (a number is milliseconds). */
  dateLessThan: string | number | Date;
  /** Start of validity; giving it selects a custom policy. */
  dateGreaterThan?: string | number | Date;
  /** Viewer IPv4 address or CIDR; giving it selects a custom policy. */
  ipAddress?: string;
  /** Not with the parameters above. */
  policy?: never;
};

/** A complete policy, as in `@aws-sdk/cloudfront-signer`. */
export type CloudfrontSignPolicy = {
  /** The URL to sign; optional when `policy` names a Resource (ignored by cookies). */
  url?: string;
  /** A complete custom policy as JSON text, signed byte for byte as given. */
  policy: string;
  dateLessThan?: never;
  dateGreaterThan?: never;
  ipAddress?: never;
};

/** `getSignedUrl` / `getSignedCookies` options built from a URL and dates. */
export type CloudfrontSignInputWithParameters = CloudfrontSignerCredentials & CloudfrontSignParameters;
/** `getSignedUrl` / `getSignedCookies` options with a complete policy. */
export type CloudfrontSignInputWithPolicy = CloudfrontSignerCredentials & CloudfrontSignPolicy;
/** Options of the free functions, as in `@aws-sdk/cloudfront-signer`. */
export type CloudfrontSignInput = CloudfrontSignInputWithParameters | CloudfrontSignInputWithPolicy;
/** @deprecated as in `@aws-sdk/cloudfront-signer`: use `CloudfrontSignInput`. */
export type CloudfrontSignInputBase = {
  url: string;
  keyPairId: string;
  privateKey: string | Uint8Array;
  passphrase?: string;
  dateLessThan?: string;
  ipAddress?: string;
  dateGreaterThan?: string;
};

/** The cookies `getSignedCookies` returns, named and ordered as the SDK does. */
export interface CloudfrontSignedCookiesOutput {
  "CloudFront-Key-Pair-Id": string;
  "CloudFront-Signature": string;
  "CloudFront-Expires"?: number;
  "CloudFront-Policy"?: string;
  "CloudFront-Hash-Algorithm"?: string;
}

/** `new Signer(options)`: the credentials of the free functions. */
export type SignerOptions = CloudfrontSignerCredentials;
/** What `Signer#getSignedUrl` / `#getSignedCookies` sign. */
export type PolicyOptions = CloudfrontSignParameters | CloudfrontSignPolicy;
/** The free functions' options (`CloudfrontSignInput`). */
export type SignOptions = CloudfrontSignInput;
/** `CloudfrontSignedCookiesOutput`, under this package's earlier name. */
export type CloudfrontSignedCookies = CloudfrontSignedCookiesOutput;

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
  /**
   * The viewer's IP; a policy with an IP condition never matches without one. An
   * IPv4-mapped IPv6 address (`::ffff:203.0.113.9`, what a dual-stack Node server reports)
   * is compared as the IPv4 address it carries.
   */
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
 * - `ERR_INVALID_ARGUMENT`: an option of the wrong type or shape, or (`cause`) something
 *   other than an `Error` thrown by your own code while an option was read.
 * - `ERR_KEY_FORMAT`: not PEM, an unexpected PEM label, or a key that is neither RSA nor
 *   ECDSA P-256 (P-384, Ed25519, ...).
 * - `ERR_KEY_SIZE`: an RSA key under 2048 or over 4096 bits.
 * - `ERR_KEY_PASSPHRASE`: an encrypted key with a wrong or missing passphrase, one the web
 *   build cannot decrypt, or a key under OpenSSL's legacy PEM encryption (`Proc-Type:
 *   4,ENCRYPTED`, RSA or EC): convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`.
 * - `ERR_KEY_ID`, `ERR_KEY_GROUP`: a key id CloudFront would not issue; an empty key group,
 *   one over five keys, or a repeated id.
 * - `ERR_POLICY_JSON`, `ERR_POLICY_DATE`, `ERR_POLICY_IP`, `ERR_POLICY_STATEMENTS`,
 *   `ERR_POLICY_TOO_LONG`, `ERR_BASE64`: a `policy` CloudFront would not accept.
 * - `ERR_SIGN_URL`, `ERR_SIGN_DATE`, `ERR_SIGN_ALGORITHM`: no usable `url`, date or
 *   `algorithm`.
 * - `ERR_SIGN_RSA`, `ERR_SIGN_ECDSA`: the RSA or ECDSA signature operation itself failed.
 */
export type CloudFrontEdgeAuthErrorCode =
  | "ERR_INVALID_ARGUMENT"
  | "ERR_KEY_FORMAT" | "ERR_KEY_SIZE" | "ERR_KEY_PASSPHRASE" | "ERR_KEY_ID" | "ERR_KEY_GROUP"
  | "ERR_POLICY_JSON" | "ERR_POLICY_DATE" | "ERR_POLICY_IP" | "ERR_POLICY_STATEMENTS"
  | "ERR_POLICY_TOO_LONG" | "ERR_BASE64"
  | "ERR_SIGN_URL" | "ERR_SIGN_DATE" | "ERR_SIGN_ALGORITHM" | "ERR_SIGN_RSA"
  | "ERR_SIGN_ECDSA";
"#;

/// `hasSignedUrlParameters(querystring)`: whether a query string (without `?`) carries
/// CloudFront signed-URL parameters, which then win over cookies. The verifier's own answer.
/// Throws `ERR_INVALID_ARGUMENT` for anything but a string.
#[wasm_bindgen(js_name = hasSignedUrlParameters)]
pub fn has_signed_url_parameters(
    // Taken as a value and checked here: wasm-bindgen's `&str` glue reads a non-string's
    // `length` and `charCodeAt` after allocating that many bytes in the module, so a hostile
    // object could leak the module's memory or throw between its steps.
    #[wasm_bindgen(unchecked_param_type = "string")] querystring: JsValue,
) -> Result<bool, JsValue> {
    let querystring = querystring
        .as_string()
        .ok_or_else(|| error::invalid_argument("querystring must be a string"))?;
    Ok(crate::request::has_signed_url_parameters(&querystring))
}

/// `limits`: the core's size caps (see the `Limits` typing).
#[wasm_bindgen(js_name = limits, unchecked_return_type = "Limits")]
pub fn limits() -> Result<JsValue, JsValue> {
    let out = Object::new();
    for (name, value) in [
        ("maxKeysPerGroup", MAX_KEYS_PER_GROUP),
        ("maxUrlBytes", MAX_URL_LEN),
        ("maxCookieHeaderBytes", MAX_COOKIE_HEADER_LEN),
        ("maxPolicyBytes", MAX_POLICY_LEN),
        ("maxPemBytes", MAX_PEM_LEN),
    ] {
        set(&out, name, &(value as f64).into())?;
    }
    Ok(out.into())
}
