//! Key parsing: every PEM form CloudFront users hold, and a typed error for everything else.

mod common;

use cloudfront_edge_auth::{KeyError, KeyGroup, KeyId, PrivateKey, PublicKey};
use common::*;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// DER of an EC P-256 SubjectPublicKeyInfo with a dummy point: the algorithm OID is what
/// the parser must refuse.
fn ec_spki_der() -> Vec<u8> {
    let mut der = vec![
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ];
    der.extend([0x11; 64]);
    der
}

/// DER of a PKCS#8 EC P-256 private key with a dummy body.
fn ec_pkcs8_der() -> Vec<u8> {
    let mut der = vec![
        0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
        0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25,
        0x02, 0x01, 0x01, 0x04, 0x20,
    ];
    der.extend([0x22; 32]);
    der
}

#[test]
fn reads_private_keys_in_pkcs1_and_pkcs8() {
    for pem in [&key().pkcs1, &key().pkcs8] {
        let parsed = PrivateKey::from_pem(pem).unwrap();
        assert_eq!(parsed.bits(), 2048);
        assert_eq!(
            parsed.public_key(),
            PublicKey::from_pem(&key().spki).unwrap()
        );
    }
}

#[test]
fn reads_public_keys_in_spki_and_pkcs1() {
    let spki = PublicKey::from_pem(&key().spki).unwrap();
    let pkcs1 = PublicKey::from_pem(&key().pkcs1_public).unwrap();
    assert_eq!(spki, pkcs1);
    assert_eq!(spki.bits(), 2048);
}

#[cfg(feature = "encrypted-keys")]
#[test]
fn reads_an_encrypted_pkcs8_key_with_its_passphrase() {
    let encrypted = key()
        .raw
        .to_pkcs8_encrypted_pem("s3cret", LineEnding::LF)
        .unwrap();
    let parsed = PrivateKey::from_pem_with_passphrase(&encrypted, Some("s3cret")).unwrap();
    assert_eq!(
        parsed.public_key(),
        PublicKey::from_pem(&key().spki).unwrap()
    );
    assert_eq!(
        PrivateKey::from_pem(&encrypted).unwrap_err(),
        KeyError::PassphraseRequired
    );
    assert_eq!(
        PrivateKey::from_pem_with_passphrase(&encrypted, Some("wrong")).unwrap_err(),
        KeyError::Decrypt
    );
}

/// Without `encrypted-keys` (the npm package's wasm) the PEM is still checked, then refused
/// with a message that says to decrypt it first; the JS layer decrypts with node:crypto.
#[cfg(not(feature = "encrypted-keys"))]
#[test]
fn without_encrypted_keys_an_encrypted_pkcs8_key_is_refused_after_its_checks() {
    let encrypted = key()
        .raw
        .to_pkcs8_encrypted_pem("s3cret", LineEnding::LF)
        .unwrap();
    assert_eq!(
        PrivateKey::from_pem(&encrypted).unwrap_err(),
        KeyError::PassphraseRequired
    );
    match PrivateKey::from_pem_with_passphrase(&encrypted, Some("s3cret")).unwrap_err() {
        KeyError::UnsupportedLabel { label, expected } => {
            assert_eq!(label, "ENCRYPTED PRIVATE KEY");
            assert!(expected.contains("decrypt the key first"), "{expected}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    let garbled = encrypted.replace("MII", "M*I");
    assert!(matches!(
        PrivateKey::from_pem_with_passphrase(&garbled, Some("s3cret")).unwrap_err(),
        KeyError::Pem { .. }
    ));
}

#[test]
fn refuses_legacy_openssl_encryption() {
    let legacy = key().pkcs1.replacen(
        "-----BEGIN RSA PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
        1,
    );
    assert_eq!(
        PrivateKey::from_pem(&legacy).unwrap_err(),
        KeyError::LegacyEncryption
    );
}

#[test]
fn refuses_keys_under_2048_bits() {
    assert_eq!(
        PrivateKey::from_pem(&weak_key().pkcs8).unwrap_err(),
        KeyError::TooSmall { bits: 1024 }
    );
    assert_eq!(
        PublicKey::from_pem(&weak_key().spki).unwrap_err(),
        KeyError::TooSmall { bits: 1024 }
    );
}

#[test]
fn refuses_non_rsa_keys() {
    assert_eq!(
        PublicKey::from_pem(&armor("PUBLIC KEY", &ec_spki_der())).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        PrivateKey::from_pem(&armor("PRIVATE KEY", &ec_pkcs8_der())).unwrap_err(),
        KeyError::NotRsa
    );
}

#[test]
fn refuses_pem_of_the_wrong_type() {
    let cases = [
        (PrivateKey::from_pem(&key().spki).unwrap_err(), "PUBLIC KEY"),
        (
            PrivateKey::from_pem(&armor("CERTIFICATE", b"x")).unwrap_err(),
            "CERTIFICATE",
        ),
        (
            PrivateKey::from_pem(&armor("EC PRIVATE KEY", b"x")).unwrap_err(),
            "EC PRIVATE KEY",
        ),
        (
            PublicKey::from_pem(&key().pkcs8).unwrap_err(),
            "PRIVATE KEY",
        ),
    ];
    for (err, label) in cases {
        assert!(
            matches!(&err, KeyError::UnsupportedLabel { label: l, .. } if l == label),
            "{label}: {err}"
        );
    }
}

#[test]
fn refuses_garbage_pem() {
    let truncated = &key().pkcs8[..key().pkcs8.len() / 2];
    let corrupted = key().spki.replacen("MII", "MIJ", 1);
    for text in [
        "",
        "hello",
        "-----BEGIN PRIVATE KEY",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        truncated,
    ] {
        assert!(
            matches!(PrivateKey::from_pem(text), Err(KeyError::Pem { .. })),
            "{text:?}"
        );
    }
    assert!(matches!(
        PublicKey::from_pem(&corrupted),
        Err(KeyError::Pem { .. })
    ));
    let huge = "A".repeat(20_000);
    assert!(matches!(
        PublicKey::from_pem(&huge),
        Err(KeyError::Pem { .. })
    ));
}

#[test]
fn key_ids_are_letters_and_digits() {
    assert!(KeyId::new("K2JCJMDEHXQW5F").is_ok());
    assert!(KeyId::new("APKAEIBAERJR2EXAMPLE").is_ok());
    for bad in [
        "",
        "K2 J",
        "K2;J",
        "K2=J",
        "K2\nJ",
        "Ключ",
        &"K".repeat(129),
    ] {
        assert!(
            matches!(KeyId::new(bad), Err(KeyError::InvalidKeyId { .. })),
            "{bad:?}"
        );
    }
}

#[test]
fn key_groups_hold_one_to_five_distinct_keys() {
    let public = PublicKey::from_pem(&key().spki).unwrap();
    let entry = |id: &str| (KeyId::new(id).unwrap(), public.clone());
    assert_eq!(KeyGroup::new(vec![]).unwrap_err(), KeyError::EmptyKeyGroup);
    let six: Vec<_> = (0..6).map(|i| entry(&format!("K{i}"))).collect();
    assert_eq!(
        KeyGroup::new(six).unwrap_err(),
        KeyError::TooManyKeys { count: 6, max: 5 }
    );
    assert_eq!(
        KeyGroup::new(vec![entry("K1"), entry("K1")]).unwrap_err(),
        KeyError::DuplicateKeyId { id: "K1".into() }
    );
    let five = KeyGroup::new((0..5).map(|i| entry(&format!("K{i}"))).collect()).unwrap();
    assert_eq!(five.len(), 5);
    assert!(five.get("K4").is_some());
    assert!(five.get("K5").is_none());
}

#[test]
fn debug_output_never_shows_the_private_key() {
    let parsed = PrivateKey::from_pem(&key().pkcs8).unwrap();
    let shown = format!("{parsed:?}");
    assert_eq!(shown, "PrivateKey(2048 bits, redacted)");
}
