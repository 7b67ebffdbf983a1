//! # cloudfront-edge-auth
//!
//! Sign and verify Amazon CloudFront signed URLs and signed cookies, natively and in
//! WebAssembly.
//!
//! - [`Policy`] ([`CannedPolicy`], [`CustomPolicy`]) builds the exact JSON bytes that
//!   `@aws-sdk/cloudfront-signer` and botocore sign, and parses policies back.
//! - [`Signer`] signs a policy (RSASSA-PKCS1-v1_5 or ECDSA P-256; SHA-1 by default, SHA-256 on
//!   request) and turns it into a signed URL or a [`CookieSet`]. The signature itself comes from
//!   a reviewed implementation: RustCrypto's `rsa` and `p256` natively and in the npm package's
//!   web build, Node's `node:crypto` (OpenSSL) in its Node build (feature `node-crypto`).
//! - [`Verifier`] checks a request against a [`KeyGroup`] the way CloudFront does, in a fixed
//!   order (parse, key id, signature, time window, resource, viewer IP), and answers a
//!   [`Verdict`]: [`Accepted`] or a typed [`Denied`] reason.
//!
//! ```
//! # fn demo(private_pem: &str, public_pem: &str) -> Result<(), cloudfront_edge_auth::Error> {
//! use cloudfront_edge_auth::*;
//! let id = KeyId::new("K2JCJMDEHXQW5F")?;
//! let signer = Signer::new(id.clone(), PrivateKey::from_pem(private_pem)?);
//! let policy = CustomPolicy::new(Some("https://d.example/private/*".into()), 1_900_000_000)?;
//! let cookies = signer.sign_policy(&Policy::Custom(policy))?.to_cookies();
//!
//! let verifier = Verifier::new(KeyGroup::new(vec![(id, PublicKey::from_pem(public_pem)?)])?);
//! let header = cookies.to_cookie_header();
//! let mut request = Request::new("https://d.example/private/movie.mp4", 1_800_000_000);
//! request.cookie_header = Some(&header);
//! let verdict = verifier.verify(&request);
//! assert!(verdict.is_ok());
//! # Ok(()) }
//! ```
//!
//! Nothing here panics on untrusted input: cookies, URLs, policies and PEM text all have size
//! caps and typed errors.

#![forbid(unsafe_code)]
#![deny(unreachable_pub)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cidr;
// The raw keys are `pub` for the `fuzzing` feature (tests/wycheproof.rs drives the backend
// with them); without it they are crate-internal.
#[cfg_attr(not(feature = "fuzzing"), allow(unreachable_pub))]
mod crypto;
mod encoding;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
#[cfg(target_arch = "wasm32")]
mod js;
mod keys;
mod policy;
mod request;
mod resource;
mod sdk;
mod sign;
mod verify;
// The JS API: `#[wasm_bindgen]` exports must be `pub`, though no Rust path reaches them.
#[cfg(target_arch = "wasm32")]
#[allow(unreachable_pub)]
mod wasm;

// The public API, each item at one path.
pub use cidr::Ipv4Cidr;
pub use crypto::{HashAlgorithm, KeyKind};
pub use encoding::MAX_ENCODED_LEN;
pub use error::{CidrError, EncodingError, Error, KeyError, PolicyError, SignError};
pub use keys::{
    KeyGroup, KeyId, PrivateKey, PublicKey, MAX_KEYS_PER_GROUP, MAX_PEM_LEN, MAX_RSA_BITS,
    MIN_RSA_BITS,
};
pub use policy::{CannedPolicy, CustomPolicy, Policy, SignerStyle, MAX_EPOCH, MAX_POLICY_LEN};
pub use request::{
    has_signed_url_parameters, CredentialSource, Malformation, MAX_COOKIE_HEADER_LEN, MAX_URL_LEN,
};
pub use sdk::check_url_scheme;
pub use sign::{CookieSet, PolicyCarrier, SignedPolicy, Signer};
pub use verify::{Accepted, Denied, Request, Unverified, Verdict, Verifier};
