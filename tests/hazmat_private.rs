//! The constant-time private-key operation (`hazmat::RsaPrivateOperation`) against the `rsa`
//! crate: PKCS#1 v1.5 signatures are deterministic, so every signature must be the same
//! bytes, across blinding refreshes and both orders of the primes; keys whose values
//! disagree are refused at parse or produce an error, never a wrong signature. Runs
//! natively and under `wasm-pack test`.

mod common;

use std::sync::OnceLock;

use cloudfront_edge_auth::hazmat::{
    InvalidPrivateKey, PrivateKeyComponents, RsaPrivateOperation, SignFailure, BLINDING_REFRESH,
};
use pkcs8::der::{Decode, Encode};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::Pkcs1v15Sign;
use sha2::Digest as _;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Signatures per key (each one compared with the `rsa` crate's).
#[cfg(not(target_arch = "wasm32"))]
const SIGNED: u32 = 2 * BLINDING_REFRESH + 6;
// The crate's own code is unoptimised in a debug WASM build: fewer, still past a refresh.
#[cfg(target_arch = "wasm32")]
const SIGNED: u32 = BLINDING_REFRESH + 3;

const SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The PKCS#1 fields of a key, owned, in `RSAPrivateKey` order.
#[derive(Clone)]
struct Fields {
    n: Vec<u8>,
    e: Vec<u8>,
    p: Vec<u8>,
    q: Vec<u8>,
    dp: Vec<u8>,
    dq: Vec<u8>,
    qinv: Vec<u8>,
}

impl Fields {
    fn of(key: &rsa::PrivateKey) -> Self {
        let der = key.to_pkcs1_der().expect("pkcs1");
        let parsed = pkcs1::RsaPrivateKeyRef::from_der(der.as_bytes()).expect("parse");
        let own = |u: pkcs1::UintRef<'_>| u.as_bytes().to_vec();
        Fields {
            n: own(parsed.modulus),
            e: own(parsed.public_exponent),
            p: own(parsed.prime1),
            q: own(parsed.prime2),
            dp: own(parsed.exponent1),
            dq: own(parsed.exponent2),
            qinv: own(parsed.coefficient),
        }
    }

    fn components(&self) -> PrivateKeyComponents<'_> {
        PrivateKeyComponents {
            modulus: &self.n,
            public_exponent: &self.e,
            prime1: &self.p,
            prime2: &self.q,
            exponent1: &self.dp,
            exponent2: &self.dq,
            coefficient: &self.qinv,
        }
    }

    fn operation(&self) -> Result<RsaPrivateOperation, InvalidPrivateKey> {
        RsaPrivateOperation::new(self.components())
    }

    /// The same key as PKCS#1 PEM (for the parser-level tests).
    fn to_pem(&self) -> String {
        let uint = |bytes| pkcs1::UintRef::new(bytes).expect("uint");
        let der = pkcs1::RsaPrivateKey {
            modulus: uint(&self.n),
            public_exponent: uint(&self.e),
            // Not used by the signer (the CRT values are); any integer parses.
            private_exponent: uint(&[1]),
            prime1: uint(&self.p),
            prime2: uint(&self.q),
            exponent1: uint(&self.dp),
            exponent2: uint(&self.dq),
            coefficient: uint(&self.qinv),
            other_prime_infos: None,
        }
        .to_der()
        .expect("der");
        common::armor("RSA PRIVATE KEY", &der)
    }
}

/// An edit to a key's fields.
type Change<'a> = &'a dyn Fn(&mut Fields);

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes
}

/// The 2048-bit test key, the 1024-bit one, a 1048-bit one (not a whole number of limbs),
/// and the 1024-bit one with its primes swapped (then q > p: m2 must be reduced mod p).
fn keys() -> Vec<(&'static str, rsa::PrivateKey)> {
    static ODD_SIZE: OnceLock<rsa::PrivateKey> = OnceLock::new();
    let odd_size = ODD_SIZE.get_or_init(|| {
        rsa::PrivateKey::new(&mut getrandom::SysRng, 1048).expect("key generation")
    });
    let weak = common::weak_key().raw.clone();
    let primes = weak.primes();
    let swapped = rsa::PrivateKey::from_components(
        weak.n().as_ref().clone(),
        weak.e().clone(),
        weak.d().clone(),
        vec![primes[1].as_ref().clone(), primes[0].as_ref().clone()],
    )
    .expect("swapped primes");
    vec![
        ("2048", common::key().raw.clone()),
        ("1024", weak),
        ("1048", odd_size.clone()),
        ("1024, primes swapped", swapped),
    ]
}

#[test]
fn signatures_are_byte_identical_to_rsa_crate_across_blinding_refreshes() {
    let mut compared = 0;
    for (name, key) in keys() {
        let operation = Fields::of(&key).operation().expect(name);
        assert_eq!(operation.public().size(), key.size(), "{name}");
        for i in 0..SIGNED {
            let message = random_bytes(1 + i as usize * 7);
            let (prefix, scheme, digest) = if i % 2 == 0 {
                let digest = sha1::Sha1::digest(&message).to_vec();
                (&SHA1_PREFIX[..], Pkcs1v15Sign::new::<sha1::Sha1>(), digest)
            } else {
                let digest = sha2::Sha256::digest(&message).to_vec();
                (
                    &SHA256_PREFIX[..],
                    Pkcs1v15Sign::new::<sha2::Sha256>(),
                    digest,
                )
            };
            let ours = operation.sign_pkcs1v15(prefix, &digest).expect(name);
            let reference = key.sign(scheme, &digest).expect("rsa crate");
            assert_eq!(ours, reference, "{name}, signature {i}");
            compared += 1;
        }
        // A clone keeps the key and starts a blinding state of its own.
        let digest = sha1::Sha1::digest(b"clone").to_vec();
        assert_eq!(
            operation.clone().sign_pkcs1v15(&SHA1_PREFIX, &digest),
            Ok(key
                .sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &digest)
                .expect("rsa crate")),
            "{name}"
        );
    }
    assert_eq!(compared, 4 * SIGNED);
}

#[test]
fn refuses_components_that_do_not_fit_together_at_construction() {
    let fields = Fields::of(&common::weak_key().raw);
    assert!(fields.operation().is_ok());
    let with = |change: &dyn Fn(&mut Fields)| {
        let mut changed = fields.clone();
        change(&mut changed);
        changed.operation().err()
    };
    assert_eq!(
        with(&|f| f.n[40] ^= 1),
        Some(InvalidPrivateKey::ModulusMismatch)
    );
    assert_eq!(
        with(&|f| f.p[10] ^= 4),
        Some(InvalidPrivateKey::ModulusMismatch)
    );
    assert_eq!(
        with(&|f| std::mem::swap(&mut f.p, &mut f.n)),
        Some(InvalidPrivateKey::ModulusMismatch)
    );
    assert_eq!(
        with(&|f| *f.n.last_mut().expect("n") ^= 1),
        Some(InvalidPrivateKey::PublicPart),
        "even n"
    );
    assert_eq!(
        with(&|f| *f.p.last_mut().expect("p") ^= 1),
        Some(InvalidPrivateKey::Prime),
        "even p"
    );
    assert_eq!(with(&|f| f.p = vec![3]), Some(InvalidPrivateKey::Prime));
    assert_eq!(
        with(&|f| f.e = vec![1]),
        Some(InvalidPrivateKey::PublicPart)
    );
    let wide = [vec![1], vec![0; fields.p.len() + 8]].concat();
    assert_eq!(
        with(&|f| f.dp = wide.clone()),
        Some(InvalidPrivateKey::CrtValue)
    );
    assert_eq!(
        with(&|f| f.qinv = wide.clone()),
        Some(InvalidPrivateKey::CrtValue)
    );
}

/// A CRT exponent or coefficient that disagrees with `n` and `e` would make a signature
/// that reveals a factor of `n` (the Bellcore attack): it must never leave.
#[test]
fn never_releases_a_signature_from_inconsistent_crt_values() {
    let fields = Fields::of(&common::weak_key().raw);
    let digest = sha1::Sha1::digest(b"policy").to_vec();
    let changes: [(&str, Change); 4] = [
        ("dp", &|f| *f.dp.last_mut().expect("dp") ^= 2),
        ("dq", &|f| f.dq[3] ^= 1),
        ("qinv", &|f| *f.qinv.last_mut().expect("qinv") ^= 1),
        ("e", &|f| f.e = vec![1, 0, 3]),
    ];
    for (name, change) in changes {
        let mut changed = fields.clone();
        change(&mut changed);
        let operation = changed.operation().expect(name);
        for _ in 0..3 {
            assert_eq!(
                operation.sign_pkcs1v15(&SHA1_PREFIX, &digest),
                Err(SignFailure::Inconsistent),
                "{name}"
            );
        }
    }
}

#[test]
fn refuses_a_modulus_too_short_for_the_digest() {
    let operation = Fields::of(&common::weak_key().raw)
        .operation()
        .expect("key");
    // 128 bytes of modulus hold a DigestInfo of at most 117 bytes.
    assert_eq!(
        operation.sign_pkcs1v15(&[0; 100], &[0; 20]),
        Err(SignFailure::MessageTooLong)
    );
}

/// Through the PEM parser and the `Signer`: shapes refused with `KeyError::Invalid`,
/// inconsistent CRT values refused at signing with `SignError::Rsa`.
#[test]
fn pem_keys_with_inconsistent_values_get_typed_errors() {
    use cloudfront_edge_auth::{KeyError, KeyId, PrivateKey, SignError, Signer};
    let fields = Fields::of(&common::key().raw);
    let pem = fields.to_pem();
    let id = || KeyId::new(common::KEY_ID).expect("id");
    let signer = Signer::new(id(), PrivateKey::from_pem(&pem).expect("valid"));
    assert_eq!(
        signer.sign_bytes(b"x").expect("sign"),
        common::key()
            .raw
            .sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(b"x"))
            .expect("rsa crate")
    );

    let mut mismatched = fields.clone();
    mismatched.n[100] ^= 1;
    assert!(matches!(
        PrivateKey::from_pem(&mismatched.to_pem()),
        Err(KeyError::Invalid { .. })
    ));
    let mut even_e = fields.clone();
    even_e.e = vec![1, 0, 0];
    assert!(matches!(
        PrivateKey::from_pem(&even_e.to_pem()),
        Err(KeyError::Invalid { .. })
    ));
    let mut bad_dp = fields.clone();
    bad_dp.dp[5] ^= 1;
    let signer = Signer::new(
        id(),
        PrivateKey::from_pem(&bad_dp.to_pem()).expect("parses"),
    );
    assert!(matches!(
        signer.sign_bytes(b"x"),
        Err(SignError::Rsa { .. })
    ));
}
