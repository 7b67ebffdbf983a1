//! Wycheproof vectors (tests/vectors/wycheproof) against this build's crypto backend: the
//! `rsa` and `p256` crates natively and in the web build, `node:crypto` in the Node build
//! (`wasm-pack test --node` with `--features node-crypto`). Signing must give Wycheproof's
//! exact signature (PKCS#1 v1.5 is deterministic, so every backend agrees byte for byte);
//! verification must accept every `valid` vector and refuse every `invalid` one. Each suite
//! also checks that it ran the number of vectors it expects, so a suite that reads nothing
//! fails.

use cloudfront_edge_auth::fuzzing::{
    check_rsa_pkcs8_primes, PrivateKeyFormat, PublicKeyFormat, SigningKey, VerifyingKey, BACKEND,
};
use cloudfront_edge_auth::{HashAlgorithm, KeyError, KeyKind};
use serde_json::Value;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {name} missing"))
}

/// SHA-1 and SHA-256, the digests CloudFront signs with; other groups are skipped.
fn hash(group: &Value) -> Option<HashAlgorithm> {
    match field(group, "sha") {
        "SHA-1" => Some(HashAlgorithm::Sha1),
        "SHA-256" => Some(HashAlgorithm::Sha256),
        _ => None,
    }
}

/// Signs every SHA-1 / SHA-256 vector of a `rsassa_pkcs1_generate` file; returns the counts
/// of vectors signed and of vectors whose key was refused.
fn sign_file(json: &str) -> (usize, usize) {
    let file: Value = serde_json::from_str(json).expect("vector file");
    let mut count = 0;
    let mut refused = 0;
    for group in file["testGroups"].as_array().expect("groups") {
        let Some(hash) = hash(group) else { continue };
        let bits = group["keySize"].as_u64().expect("keySize") as usize;
        let kind = KeyKind::Rsa { bits };
        let der = hex(field(group, "privateKeyPkcs8"));
        let key = match check_rsa_pkcs8_primes(&der)
            .and_then(|()| SigningKey::from_der(kind, PrivateKeyFormat::Pkcs8, &der))
        {
            Ok(key) => key,
            // Wycheproof's e = 3 keys have primes of unequal size (681 and 343 bits for 1024):
            // refused before either backend sees them, as `PrivateKey` refuses them.
            Err(KeyError::Invalid { detail }) if detail.contains("primes differ in size") => {
                refused += group["tests"].as_array().expect("tests").len();
                continue;
            }
            Err(error) => panic!("{BACKEND}: {bits}-bit key: {error}"),
        };
        let public =
            VerifyingKey::from_der(kind, PublicKeyFormat::Spki, &hex(field(group, "keyDer")))
                .expect("public key");
        for test in group["tests"].as_array().expect("tests") {
            let id = &test["tcId"];
            let message = hex(field(test, "msg"));
            let signature = key.sign(hash, &message).expect("sign");
            // `valid` and `acceptable` (a weak hash or size) both carry the one correct signature.
            assert_eq!(signature, hex(field(test, "sig")), "{BACKEND}: tcId {id}");
            assert!(
                public.verify(hash, &message, &signature),
                "{BACKEND}: tcId {id}"
            );
            count += 1;
        }
    }
    (count, refused)
}

/// Verifies every vector of a verification file; returns the count of `valid` + `invalid`.
fn verify_file(json: &str, kind: impl Fn(&Value) -> KeyKind) -> usize {
    let file: Value = serde_json::from_str(json).expect("vector file");
    let mut count = 0;
    for group in file["testGroups"].as_array().expect("groups") {
        let hash = hash(group).expect("a SHA-256 file");
        let der = hex(field(group, "publicKeyDer"));
        let key =
            VerifyingKey::from_der(kind(group), PublicKeyFormat::Spki, &der).expect("public key");
        for test in group["tests"].as_array().expect("tests") {
            let expected = match field(test, "result") {
                "valid" => true,
                "invalid" => false,
                _ => continue,
            };
            let verified = key.verify(hash, &hex(field(test, "msg")), &hex(field(test, "sig")));
            assert_eq!(
                verified, expected,
                "{BACKEND}: tcId {} ({})",
                test["tcId"], test["comment"]
            );
            count += 1;
        }
    }
    count
}

fn rsa(group: &Value) -> KeyKind {
    KeyKind::Rsa {
        bits: group["keySize"].as_u64().expect("keySize") as usize,
    }
}

#[test]
fn rsa_pkcs1v15_signatures_equal_wycheproofs_at_every_size() {
    let files = [
        include_str!("vectors/wycheproof/rsa_pkcs1_1024_sig_gen_test.json"),
        include_str!("vectors/wycheproof/rsa_pkcs1_2048_sig_gen_test.json"),
        include_str!("vectors/wycheproof/rsa_pkcs1_3072_sig_gen_test.json"),
        include_str!("vectors/wycheproof/rsa_pkcs1_4096_sig_gen_test.json"),
    ];
    let (signed, refused) = files
        .into_iter()
        .map(sign_file)
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    // The SHA-1 and SHA-256 groups hold 52 vectors; 4 of them use an e = 3 key.
    assert_eq!((signed, refused), (48, 4), "{BACKEND}: signing vectors run");
}

#[test]
fn rsa_pkcs1v15_verification_accepts_valid_and_refuses_invalid_vectors() {
    let count = verify_file(
        include_str!("vectors/wycheproof/rsa_signature_2048_sha256_test.json"),
        rsa,
    ) + verify_file(
        include_str!("vectors/wycheproof/rsa_signature_3072_sha256_test.json"),
        rsa,
    ) + verify_file(
        include_str!("vectors/wycheproof/rsa_signature_4096_sha256_test.json"),
        rsa,
    );
    assert_eq!(count, 773, "{BACKEND}: RSA verification vectors run");
}

#[test]
fn ecdsa_p256_verification_accepts_valid_and_refuses_invalid_vectors() {
    let count = verify_file(
        include_str!("vectors/wycheproof/ecdsa_secp256r1_sha256_test.json"),
        |_| KeyKind::EcdsaP256,
    );
    assert_eq!(count, 484, "{BACKEND}: ECDSA verification vectors run");
}
