//! The variable-time public-key primitive (`hazmat`) against the `rsa` crate it replaces for
//! verification: the same answer on thousands of random signatures, on valid ones, on
//! tampered ones and on near-miss paddings. Runs natively and under `wasm-pack test`.

mod common;

use std::sync::OnceLock;

use cloudfront_edge_auth::hazmat::RsaPublicOperation;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Pkcs1v15Sign};
use sha2::Digest as _;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Per key: random integers for the raw primitive, and signed messages (each also tampered).
#[cfg(not(target_arch = "wasm32"))]
const RANDOM: usize = 2000;
#[cfg(not(target_arch = "wasm32"))]
const SIGNED: usize = 150;
// RSA in a debug WASM build is slow: fewer cases, the same checks.
#[cfg(target_arch = "wasm32")]
const RANDOM: usize = 300;
#[cfg(target_arch = "wasm32")]
const SIGNED: usize = 12;

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes
}

fn random_below(bound: usize) -> usize {
    (getrandom::u64().expect("randomness") % bound as u64) as usize
}

fn operation(key: &rsa::PublicKey) -> RsaPublicOperation {
    RsaPublicOperation::new(&key.n_bytes(), &key.e_bytes()).expect("every rsa key converts")
}

/// `s^e mod n` by the `rsa` crate, `None` where RFC 8017 rejects `s` (length, `s >= n`).
fn reference_public_op(key: &rsa::PublicKey, s: &[u8]) -> Option<Vec<u8>> {
    if s.len() != key.size() {
        return None;
    }
    let s = BoxedUint::from_be_slice(s, key.n_bits_precision()).expect("fits");
    if s >= *key.n().as_ref() {
        return None;
    }
    let m = rsa::hazmat::rsa_encrypt(key, &s).expect("public op");
    let bytes = m.to_be_bytes();
    Some(bytes[bytes.len() - key.size()..].to_vec())
}

/// A signature whose encoded message is exactly `em` (the raw private-key operation).
fn sign_raw(key: &rsa::PrivateKey, em: &[u8]) -> Vec<u8> {
    let m = BoxedUint::from_be_slice(em, key.n_bits_precision()).expect("fits");
    let s = rsa::hazmat::rsa_decrypt(Some(&mut getrandom::SysRng), key, &m).expect("private op");
    let bytes = s.to_be_bytes();
    bytes[bytes.len() - key.size()..].to_vec()
}

fn keys() -> Vec<rsa::PrivateKey> {
    // 1048 bits: 131 bytes, not a whole number of 32-bit limbs.
    static ODD_SIZE: OnceLock<rsa::PrivateKey> = OnceLock::new();
    let odd_size = ODD_SIZE.get_or_init(|| {
        rsa::PrivateKey::new(&mut getrandom::SysRng, 1048).expect("key generation")
    });
    vec![
        common::key().raw.clone(),
        common::weak_key().raw.clone(),
        odd_size.clone(),
    ]
}

#[test]
fn public_op_matches_rsa_crate_on_random_integers() {
    let mut checked = 0;
    for private in keys() {
        let key = private.to_public_key();
        let op = operation(&key);
        let n = key.n_bytes();
        for i in 0..RANDOM {
            let mut s = random_bytes(key.size());
            // Half below n's top byte (s < n), half unconstrained (often s >= n).
            if i % 2 == 0 {
                s[0] %= n[0];
            }
            assert_eq!(
                op.public_op(&s),
                reference_public_op(&key, &s),
                "s = {s:02x?}"
            );
            checked += 1;
        }
        let n_minus_1 = {
            let mut v = n.to_vec();
            *v.last_mut().expect("non-empty") -= 1; // n is odd
            v
        };
        for edge in [
            vec![0; key.size()],
            n_minus_1,
            n.to_vec(),
            vec![0xff; key.size()],
        ] {
            assert_eq!(op.public_op(&edge), reference_public_op(&key, &edge));
        }
        for len in [0, 1, key.size() - 1, key.size() + 1] {
            assert_eq!(op.public_op(&vec![1; len]), None);
        }
    }
    assert_eq!(checked, 3 * RANDOM);
}

#[test]
fn verify_agrees_with_rsa_crate_on_valid_and_tampered_signatures() {
    let (mut accepted, mut rejected) = (0, 0);
    for private in keys() {
        let key = private.to_public_key();
        let op = operation(&key);
        for i in 0..SIGNED {
            let message = random_bytes(1 + random_below(200));
            let (scheme, digest) = if i % 2 == 0 {
                (
                    Pkcs1v15Sign::new::<sha1::Sha1>(),
                    sha1::Sha1::digest(&message).to_vec(),
                )
            } else {
                (
                    Pkcs1v15Sign::new::<sha2::Sha256>(),
                    sha2::Sha256::digest(&message).to_vec(),
                )
            };
            let signature = private
                .sign_with_rng(&mut getrandom::SysRng, scheme.clone(), &digest)
                .expect("sign");

            let mut bad_signature = signature.clone();
            let bit = random_below(8 * bad_signature.len());
            bad_signature[bit / 8] ^= 1 << (bit % 8);
            let mut bad_digest = digest.clone();
            bad_digest[random_below(digest.len())] ^= 1 << random_below(8);
            let other_scheme = if i % 2 == 0 {
                Pkcs1v15Sign::new::<sha2::Sha256>()
            } else {
                Pkcs1v15Sign::new::<sha1::Sha1>()
            };
            let cases = [
                (&scheme, &digest, &signature),
                (&scheme, &digest, &bad_signature),
                (&scheme, &bad_digest, &signature),
                (&other_scheme, &digest, &signature),
            ];
            for (case, (scheme, digest, signature)) in cases.into_iter().enumerate() {
                let expected = key.verify((*scheme).clone(), digest, signature).is_ok();
                let ours = op.verify_pkcs1v15(&scheme.prefix, digest, signature);
                assert_eq!(ours, expected, "case {case}");
                assert_eq!(expected, case == 0, "case {case}");
                if ours {
                    accepted += 1
                } else {
                    rejected += 1
                }
            }
        }
    }
    assert_eq!((accepted, rejected), (3 * SIGNED, 9 * SIGNED));
}

/// Correctly signed integers whose encoding is almost PKCS#1 v1.5: each must be refused.
#[test]
fn verify_rejects_near_miss_encodings_like_rsa_crate() {
    let private = common::weak_key().raw.clone();
    let key = private.to_public_key();
    let op = operation(&key);
    let k = key.size();
    let scheme = Pkcs1v15Sign::new::<sha1::Sha1>();
    let digest = sha1::Sha1::digest(b"policy").to_vec();
    let t = [&scheme.prefix[..], &digest[..]].concat();
    let good = [&[0, 1][..], &vec![0xff; k - t.len() - 3], &[0], &t].concat();

    let mut near_misses: Vec<(&str, Vec<u8>)> = Vec::new();
    for (name, index, value) in [
        ("leading byte 1", 0, 1),
        ("block type 2", 1, 2),
        ("padding byte 0xfe", 2 + random_below(k - t.len() - 3), 0xfe),
        ("no zero separator", k - t.len() - 1, 0xff),
        (
            "prefix altered",
            k - t.len() + random_below(scheme.prefix.len()),
            0x55,
        ),
        ("digest altered", k - 1, digest[digest.len() - 1] ^ 1),
    ] {
        let mut em = good.clone();
        em[index] = value;
        near_misses.push((name, em));
    }
    // Shorter padding with the digest info moved left and garbage after it.
    let short = [&[0, 1][..], &vec![0xff; k - t.len() - 4], &[0], &t, &[0]].concat();
    near_misses.push(("trailing garbage", short));

    let signature = sign_raw(&private, &good);
    assert!(op.verify_pkcs1v15(&scheme.prefix, &digest, &signature));
    assert!(key.verify(scheme.clone(), &digest, &signature).is_ok());
    for (name, em) in near_misses {
        let signature = sign_raw(&private, &em);
        assert_eq!(op.public_op(&signature).as_deref(), Some(&em[..]), "{name}");
        assert!(
            !op.verify_pkcs1v15(&scheme.prefix, &digest, &signature),
            "{name}"
        );
        assert!(
            key.verify(scheme.clone(), &digest, &signature).is_err(),
            "{name}"
        );
    }
}

#[test]
fn refuses_moduli_and_exponents_it_cannot_use() {
    assert!(
        RsaPublicOperation::new(&[1, 0, 0, 0, 0, 0, 0, 8], &[3]).is_none(),
        "even n"
    );
    assert!(
        RsaPublicOperation::new(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], &[3]).is_none(),
        "one limb"
    );
    assert!(
        RsaPublicOperation::new(&[1, 0, 0, 0, 0, 0, 0, 7], &[1]).is_none(),
        "e = 1"
    );
    assert!(
        RsaPublicOperation::new(&[1, 0, 0, 0, 0, 0, 0, 7], &[1; 9]).is_none(),
        "e over 64 bits"
    );
    assert!(
        RsaPublicOperation::new(&[1, 0, 0, 0, 0, 0, 0, 7], &[0, 0, 3]).is_some(),
        "leading zeros"
    );
}
