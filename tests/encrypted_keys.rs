//! `ENCRYPTED PRIVATE KEY`: one answer in every build that decrypts (natively with the `pkcs8`
//! crate, in the Node build with `node:crypto`'s PBKDF2 / scrypt and AES; this file runs in
//! both), the decrypted key checked exactly as the same key in plain, and a malformed or
//! unsupported `EncryptedPrivateKeyInfo` refused before any decryption, in every build.
#![cfg(any(
    feature = "encrypted-keys",
    all(target_arch = "wasm32", feature = "node-crypto")
))]

mod common;

use cloudfront_edge_auth::{KeyError, PrivateKey};
use common::*;
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::Encode as _;
use pkcs8::pkcs5::pbes2::{self, Kdf, Pbkdf2Params, Pbkdf2Prf, ScryptParams};
use pkcs8::pkcs5::EncryptionScheme;
use pkcs8::EncryptedPrivateKeyInfoRef;
use rsa::pkcs8::EncodePrivateKey as _;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const PASSPHRASE: &str = "correct horse";
const UNSUPPORTED: &str = "encryption is not supported";
const MALFORMED: &str = "is not a PKCS#8 EncryptedPrivateKeyInfo";

/// PBKDF2 (HMAC-SHA-256, 2048 rounds) and AES-256-CBC: what `openssl pkcs8 -topk8 -v2
/// aes-256-cbc` and Node's `export({ cipher: 'aes-256-cbc' })` write.
fn pbkdf2(prf: Pbkdf2Prf, encryption: pbes2::EncryptionScheme) -> pbes2::Parameters {
    pbes2::Parameters {
        kdf: Kdf::Pbkdf2(Pbkdf2Params {
            salt: pbes2::Salt::new([7u8; 16]).unwrap(),
            iteration_count: 2048,
            key_length: None,
            prf,
        }),
        encryption,
    }
}

fn aes256cbc() -> pbes2::Parameters {
    pbkdf2(
        Pbkdf2Prf::HmacWithSha256,
        pbes2::EncryptionScheme::Aes256Cbc { iv: [9; 16] },
    )
}

/// `plaintext` (any bytes, not re-encoded) encrypted with `scheme` under `passphrase`, armoured.
fn encrypted(plaintext: &[u8], scheme: pbes2::Parameters, passphrase: &str) -> String {
    let ciphertext = scheme.encrypt(passphrase, plaintext).unwrap();
    let info = EncryptedPrivateKeyInfoRef {
        encryption_algorithm: EncryptionScheme::Pbes2(scheme),
        encrypted_data: OctetStringRef::new(&ciphertext).unwrap(),
    };
    armor("ENCRYPTED PRIVATE KEY", &info.to_der().unwrap())
}

fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// The stable code the JS API and the CLI give for `error`.
fn code(error: &KeyError) -> &'static str {
    cloudfront_edge_auth::Error::from(error.clone()).code()
}

/// The answer a build gives for a key: its public key, or the error.
fn outcome(result: Result<PrivateKey, KeyError>) -> Result<String, KeyError> {
    result.map(|key| key.public_key_pem().unwrap())
}

/// PKCS#8 keys edited as in tests/js/key-differential.test.mjs, plus the intact ones.
fn plain_pkcs8_keys() -> Vec<(&'static str, Vec<u8>)> {
    let rsa = key().raw.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let ec = pem_body(&ec_key().pkcs8);
    // PKCS#8 with attributes `[0] { INTEGER 5 }` appended (the outer length grows by 5).
    let mut with_attributes = ec.clone();
    with_attributes.extend([0xa0, 0x03, 0x02, 0x01, 0x05]);
    assert!(with_attributes[1] < 0x80 || with_attributes[1] == 0x81);
    let at = if with_attributes[1] == 0x81 { 2 } else { 1 };
    with_attributes[at] += 5;
    // The private scalar zeroed: OpenSSL signed with it, `p256` refuses it.
    let mut zero_scalar = ec.clone();
    let scalar_at = zero_scalar
        .windows(4)
        .position(|w| w == [0x02, 0x01, 0x01, 0x04])
        .expect("ECPrivateKey version and scalar")
        + 5;
    zero_scalar[scalar_at..scalar_at + 32].fill(0);
    vec![
        ("intact RSA", rsa),
        ("intact P-256", ec),
        ("P-256 with attributes", with_attributes),
        ("P-256 with a zero scalar", zero_scalar),
        ("not a key at all", vec![0x30, 0x03, 0x02, 0x01, 0x00]),
    ]
}

#[test]
fn an_encrypted_key_gets_the_answer_the_same_key_gets_in_plain() {
    for (name, der) in plain_pkcs8_keys() {
        let plain = outcome(PrivateKey::from_pem(&armor("PRIVATE KEY", &der)));
        let decrypted = outcome(PrivateKey::from_pem_with_passphrase(
            &encrypted(&der, aes256cbc(), PASSPHRASE),
            Some(PASSPHRASE),
        ));
        assert_eq!(decrypted, plain, "{name}");
    }
}

#[test]
fn decrypts_every_pbes2_scheme_it_reads_the_same_way() {
    let der = key().raw.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let expected = PrivateKey::from_pem(&key().pkcs8)
        .unwrap()
        .public_key_pem()
        .unwrap();
    let scrypt = |encryption| pbes2::Parameters {
        kdf: Kdf::Scrypt(ScryptParams {
            salt: pbes2::Salt::new([3u8; 16]).unwrap(),
            cost_parameter: 1024,
            block_size: 8,
            parallelization: 1,
            key_length: None,
        }),
        encryption,
    };
    let schemes = [
        ("PBKDF2-SHA-256, AES-256-CBC", aes256cbc()),
        (
            "PBKDF2-SHA-1 (OpenSSL 1.0's default), AES-128-CBC",
            pbkdf2(
                Pbkdf2Prf::HmacWithSha1,
                pbes2::EncryptionScheme::Aes128Cbc { iv: [1; 16] },
            ),
        ),
        (
            "PBKDF2-SHA-512, AES-192-CBC",
            pbkdf2(
                Pbkdf2Prf::HmacWithSha512,
                pbes2::EncryptionScheme::Aes192Cbc { iv: [2; 16] },
            ),
        ),
        (
            "scrypt, AES-256-CBC",
            scrypt(pbes2::EncryptionScheme::Aes256Cbc { iv: [4; 16] }),
        ),
        (
            "scrypt, AES-256-GCM",
            scrypt(pbes2::EncryptionScheme::Aes256Gcm { nonce: [5; 12] }),
        ),
        (
            "scrypt, AES-128-GCM",
            scrypt(pbes2::EncryptionScheme::Aes128Gcm { nonce: [6; 12] }),
        ),
    ];
    for (name, scheme) in schemes {
        let pem = encrypted(&der, scheme, PASSPHRASE);
        let key = PrivateKey::from_pem_with_passphrase(&pem, Some(PASSPHRASE))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.public_key_pem().unwrap(), expected, "{name}");
        assert_eq!(
            PrivateKey::from_pem_with_passphrase(&pem, Some("wrong")).unwrap_err(),
            KeyError::Decrypt,
            "{name}"
        );
    }
}

#[test]
fn a_malformed_encrypted_private_key_info_is_err_key_format_with_or_without_a_passphrase() {
    let good = pem_body(&encrypted(
        &pem_body(&ec_key().pkcs8),
        aes256cbc(),
        PASSPHRASE,
    ));
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 7);
    let not_encrypted = pem_body(&ec_key().pkcs8);
    for (name, der) in [("truncated", truncated), ("a plain PKCS#8", not_encrypted)] {
        for passphrase in [None, Some(PASSPHRASE)] {
            let error = PrivateKey::from_pem_with_passphrase(
                &armor("ENCRYPTED PRIVATE KEY", &der),
                passphrase,
            )
            .unwrap_err();
            assert_eq!(code(&error), "ERR_KEY_FORMAT", "{name}: {error}");
            // A truncated document is unreadable DER, as for any PEM key; DER of another
            // structure is named for what it is not.
            if name != "truncated" {
                assert!(error.to_string().contains(MALFORMED), "{name}: {error}");
            }
        }
    }
}

#[test]
fn pbes1_and_pkcs12_schemes_are_refused_before_decryption_in_every_build() {
    // { { pbeWithSHA1AndDES-CBC, { salt, 2048 } }, ciphertext }: PBES1 (RFC 8018 §6.1), which
    // OpenSSL (the Node build's createPrivateKey) used to decrypt and the pkcs8 crate refuses.
    let pbes1 = [
        0x30, 0x2b, 0x30, 0x1b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0a,
        0x30, 0x0e, 0x04, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x02, 0x08, 0x00, 0x04, 0x0c, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let error = PrivateKey::from_pem_with_passphrase(
        &armor("ENCRYPTED PRIVATE KEY", &pbes1),
        Some(PASSPHRASE),
    )
    .unwrap_err();
    assert_eq!(code(&error), "ERR_KEY_FORMAT", "{error}");
    assert!(error.to_string().contains(UNSUPPORTED), "{error}");

    // An algorithm the pkcs5 crate does not know (an OID of PKCS#12's PBE arc, as
    // `openssl pkcs8 -v1 PBE-SHA1-3DES` writes): unsupported too, not malformed.
    let mut pkcs12 = pbes1;
    pkcs12[6..15].copy_from_slice(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01]);
    let error = PrivateKey::from_pem_with_passphrase(
        &armor("ENCRYPTED PRIVATE KEY", &pkcs12),
        Some(PASSPHRASE),
    )
    .unwrap_err();
    assert_eq!(code(&error), "ERR_KEY_FORMAT", "{error}");
    assert!(error.to_string().contains(UNSUPPORTED), "{error}");
}

#[test]
fn a_kdf_key_length_that_is_not_the_ciphers_is_refused_before_decryption() {
    let mut scheme = aes256cbc();
    if let Kdf::Pbkdf2(params) = &mut scheme.kdf {
        params.key_length = Some(16);
    }
    let der = key().raw.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let ciphertext = aes256cbc().encrypt(PASSPHRASE, &der).unwrap();
    let info = EncryptedPrivateKeyInfoRef {
        encryption_algorithm: EncryptionScheme::Pbes2(scheme),
        encrypted_data: OctetStringRef::new(&ciphertext).unwrap(),
    };
    let error = PrivateKey::from_pem_with_passphrase(
        &armor("ENCRYPTED PRIVATE KEY", &info.to_der().unwrap()),
        Some(PASSPHRASE),
    )
    .unwrap_err();
    assert_eq!(code(&error), "ERR_KEY_FORMAT", "{error}");
    assert!(error.to_string().contains(UNSUPPORTED), "{error}");
}

#[test]
fn a_plaintext_that_is_not_one_der_sequence_is_a_wrong_passphrase() {
    // What a wrong passphrase whose last block happens to unpad decrypts to.
    for plaintext in [
        &b"not DER at all"[..],
        &[0x30, 0x03, 0x02, 0x01, 0x00, 0x00],
    ] {
        assert_eq!(
            PrivateKey::from_pem_with_passphrase(
                &encrypted(plaintext, aes256cbc(), PASSPHRASE),
                Some(PASSPHRASE)
            )
            .unwrap_err(),
            KeyError::Decrypt
        );
    }
}

#[test]
fn no_refusal_carries_a_backends_own_words() {
    let pem = encrypted(&pem_body(&ec_key().pkcs8), aes256cbc(), PASSPHRASE);
    let errors = [
        PrivateKey::from_pem_with_passphrase(&pem, Some("wrong")).unwrap_err(),
        PrivateKey::from_pem(&pem).unwrap_err(),
    ];
    assert_eq!(
        errors[0].to_string(),
        "could not decrypt the private key (wrong passphrase or unsupported cipher)"
    );
    assert_eq!(errors[1], KeyError::PassphraseRequired);
}

/// An `EncryptedPrivateKeyInfo` naming `kdf` (with AES-256-CBC) over a ciphertext nothing can
/// decrypt: what the cost check sees before any derivation.
fn costing(kdf: Kdf) -> String {
    let info = EncryptedPrivateKeyInfoRef {
        encryption_algorithm: EncryptionScheme::Pbes2(pbes2::Parameters {
            kdf,
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [9; 16] },
        }),
        encrypted_data: OctetStringRef::new(&[0u8; 48]).unwrap(),
    };
    armor("ENCRYPTED PRIVATE KEY", &info.to_der().unwrap())
}

fn pbkdf2_costing(iteration_count: u32) -> Kdf {
    Kdf::Pbkdf2(Pbkdf2Params {
        salt: pbes2::Salt::new([7u8; 16]).unwrap(),
        iteration_count,
        key_length: None,
        prf: Pbkdf2Prf::HmacWithSha256,
    })
}

fn scrypt_costing(cost_parameter: u64, block_size: u16, parallelization: u16) -> Kdf {
    Kdf::Scrypt(ScryptParams {
        salt: pbes2::Salt::new([3u8; 16]).unwrap(),
        cost_parameter,
        block_size,
        parallelization,
        key_length: None,
    })
}

#[test]
fn a_key_derivation_over_the_cost_bounds_is_refused_before_any_work() {
    // Natively the `scrypt` crate aborted the process on N = 2^40 (a 1 PiB allocation), and
    // 2,000,000,000 PBKDF2 rounds ran for many minutes; the Node build's OpenSSL the same.
    const TOO_COSTLY: &str = "key derivation costs more than is allowed";
    let over = [
        ("PBKDF2, one round over", pbkdf2_costing(5_000_001)),
        ("PBKDF2, u32::MAX rounds", pbkdf2_costing(u32::MAX)),
        ("scrypt, N = 2^40", scrypt_costing(1 << 40, 8, 1)),
        (
            "scrypt, N = 2^63",
            scrypt_costing(1 << 63, u16::MAX, u16::MAX),
        ),
        ("scrypt, 288 MiB", scrypt_costing(1 << 18, 9, 1)),
        ("scrypt, 128 MiB 9 times", scrypt_costing(1 << 17, 8, 9)),
    ];
    for (name, kdf) in over {
        let pem = costing(kdf);
        for passphrase in [None, Some(PASSPHRASE)] {
            let error = PrivateKey::from_pem_with_passphrase(&pem, passphrase).unwrap_err();
            assert_eq!(code(&error), "ERR_KEY_FORMAT", "{name}: {error}");
            assert!(error.to_string().contains(TOO_COSTLY), "{name}: {error}");
        }
    }
    // At the bounds the key is read: without a passphrase it asks for one (nothing derived).
    let at = [
        ("PBKDF2, 5,000,000 rounds", pbkdf2_costing(5_000_000)),
        ("scrypt, 256 MiB", scrypt_costing(1 << 18, 8, 1)),
        ("scrypt, 256 MiB 4 times", scrypt_costing(1 << 21, 1, 4)),
        (
            "scrypt, the pkcs8 crate's recommended",
            scrypt_costing(1 << 17, 8, 1),
        ),
    ];
    for (name, kdf) in at {
        assert_eq!(
            PrivateKey::from_pem(&costing(kdf)).unwrap_err(),
            KeyError::PassphraseRequired,
            "{name}"
        );
    }
}
