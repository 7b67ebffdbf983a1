//! Hazardous materials: the raw RSA operations under the signer and the verifier.
//!
//! - [`RsaPublicOperation`]: RSAVP1 and RSASSA-PKCS1-v1_5 verification (RFC 8017 §5.2.2,
//!   §8.2.2). Every input is public, so the exponentiation may take variable time.
//! - [`RsaPrivateOperation`]: RSASP1 in CRT form and RSASSA-PKCS1-v1_5 signing (§5.2.1,
//!   §8.2.1), constant time, blinded, and checked with the public key before a signature
//!   leaves.
//!
//! Both sit on one Montgomery arithmetic with 28-bit limbs tuned for wasm32 (`modulus.rs`).
//! Why they exist: the `rsa` crate's crypto-bigint backend made one WASM verification ~15x
//! and one signature ~50x `node:crypto`'s, and its private-key parse cost ~15 ms of a cold
//! start (bench/notes.md). tests/hazmat.rs compares both operations with the `rsa` crate on
//! thousands of random, valid, tampered and near-miss inputs, natively and in WASM.
//!
//! Use the safe types ([`crate::Signer`], [`crate::Verifier`]) unless you know why not.

mod modulus;
mod private;
mod public;

pub use private::{
    InvalidPrivateKey, PrivateKeyComponents, RsaPrivateOperation, SignFailure, BLINDING_REFRESH,
};
pub use public::RsaPublicOperation;
