//! Fuzz targets for every parser of the core, with proptest as the engine (nightly Rust,
//! which `cargo fuzz` needs, is not part of the toolchain `make test` relies on; see
//! `fuzz_support`). Each target first replays its committed corpus
//! (`tests/fuzz-corpus/<target>/`, public data only; keys and signatures are generated at
//! test time and substituted for `@NAME@` placeholders), then runs `FUZZ_CASES` mutated or
//! random inputs, for `FUZZ_SECONDS` if set (`make fuzz`).
//!
//! The property is always "no panic, and a typed answer"; where an answer can be wrong, the
//! target also checks it against an oracle: a request is accepted only if it carries bytes
//! this file signed.
#![cfg(not(target_arch = "wasm32"))]

mod common;
mod fuzz_support;

use std::collections::HashMap;

use base64::Engine as _;
use cloudfront_edge_auth::fuzzing::{self, resource_matches};
use cloudfront_edge_auth::{
    CannedPolicy, CustomPolicy, Denied, HashAlgorithm, KeyError, KeyGroup, KeyId, Policy,
    PrivateKey, PublicKey, Request, Unverified, Verifier,
};
use common::*;
use fuzz_support::*;
use proptest::prelude::*;

const NOW: u64 = 1_800_000_000;
const END: u64 = NOW + 3600;
const BASE: &str = "https://d111111abcdef8.cloudfront.net";

// ---- PEM and DER key parsing ------------------------------------------------------------

fn real_pems() -> Vec<String> {
    let k = key();
    vec![
        k.spki.clone(),
        k.pkcs1_public.clone(),
        k.pkcs8.clone(),
        k.pkcs1.clone(),
    ]
}

/// Both parsers on `text`: a typed answer, and an accepted key is 2048 to 4096 bits.
fn parse_keys(text: &str) -> Result<(), TestCaseError> {
    for bits in [
        PublicKey::from_pem(text).map(|k| k.bits()),
        PrivateKey::from_pem(text).map(|k| k.bits()),
        PrivateKey::from_pem_with_passphrase(text, Some("pass")).map(|k| k.bits()),
    ]
    .into_iter()
    .flatten()
    {
        prop_assert!(
            bits == 256 || (2048..=4096).contains(&bits),
            "accepted a {bits}-bit key"
        );
    }
    Ok(())
}

/// A PEM's label and DER body.
fn unarmor(pem: &str) -> (String, Vec<u8>) {
    let mut lines = pem.lines();
    let label = lines.next().unwrap()["-----BEGIN ".len()..].trim_end_matches('-');
    let body: String = lines.take_while(|l| !l.starts_with("-----END")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    (label.to_string(), der)
}

#[test]
fn pem_and_der_key_parsing_never_panics() {
    let mut seeds = real_pems();
    for (name, bytes) in corpus("pem", &[("SPKI", &key().spki)]) {
        let text = text(&bytes);
        parse_keys(&text).unwrap_or_else(|e| panic!("corpus pem/{name}: {e}"));
        seeds.push(text);
    }
    fuzz("pem-text", 20_000, mutated_text(seeds), |t| parse_keys(&t));

    // Mutations inside the DER, re-armoured, reach the ASN.1 and RSA checks.
    let ders: Vec<(String, Vec<u8>)> = real_pems().iter().map(|p| unarmor(p)).collect();
    let strategy = (0..ders.len(), proptest::collection::vec(mutation(), 1..6))
        .prop_map(move |(i, ms)| armor(&ders[i].0, &mutate(&ders[i].1, &ms)));
    fuzz("pem-der", 20_000, strategy, |t| parse_keys(&t));

    let random = proptest::collection::vec(any::<u8>(), 0..2048)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned());
    fuzz("pem-random", 20_000, random, |t| parse_keys(&t));
}

/// An `ENCRYPTED PRIVATE KEY` (PBKDF2-HMAC-SHA-256, one round, AES-128-CBC) of the test key.
fn encrypted_pem() -> String {
    use pkcs8::der::asn1::OctetStringRef;
    use pkcs8::der::Encode as _;
    use pkcs8::pkcs5::{pbes2, EncryptionScheme};
    let scheme = pbes2::Parameters::generate_pbkdf2_sha256_aes128cbc(1, &[7; 16], [9; 16]).unwrap();
    let (_, plain) = unarmor(&key().pkcs8);
    let ciphertext = scheme.encrypt("pass", &plain).unwrap();
    let info = pkcs8::EncryptedPrivateKeyInfoRef {
        encryption_algorithm: EncryptionScheme::Pbes2(scheme),
        encrypted_data: OctetStringRef::new(&ciphertext).unwrap(),
    };
    armor("ENCRYPTED PRIVATE KEY", &info.to_der().unwrap())
}

#[test]
fn encrypted_private_key_info_parsing_never_panics() {
    // Without a passphrase nothing is derived (a mutated iteration count or scrypt cost must
    // not make a case take minutes): the EncryptedPrivateKeyInfo and scheme reader alone.
    let (label, der) = unarmor(&encrypted_pem());
    let strategy = proptest::collection::vec(mutation(), 1..6)
        .prop_map(move |ms| armor(&label, &mutate(&der, &ms)));
    fuzz("pem-encrypted", 20_000, strategy, |text| {
        let answer = PrivateKey::from_pem(&text).map(|k| k.bits());
        prop_assert!(
            matches!(
                answer,
                Err(KeyError::PassphraseRequired
                    | KeyError::Pem { .. }
                    | KeyError::UnsupportedLabel { .. })
            ),
            "{answer:?}"
        );
        Ok(())
    });
    assert_eq!(
        PrivateKey::from_pem_with_passphrase(&encrypted_pem(), Some("pass"))
            .unwrap()
            .bits(),
        2048
    );
}

#[test]
fn key_parsing_corpus_entries_are_refused_with_their_typed_error() {
    // Regression cases: each must be refused, not accepted and not a panic.
    for (name, bytes) in corpus("pem", &[("SPKI", &key().spki)]) {
        let text = text(&bytes);
        if name.starts_with("ok-") {
            assert!(PublicKey::from_pem(&text).is_ok(), "pem/{name}");
            continue;
        }
        let public = PublicKey::from_pem(&text);
        let private = PrivateKey::from_pem(&text);
        assert!(
            public.is_err() && private.is_err(),
            "pem/{name} was accepted"
        );
        if name.starts_with("label-") {
            assert!(
                matches!(public, Err(KeyError::UnsupportedLabel { .. }))
                    || matches!(public, Err(KeyError::Pem { .. })),
                "pem/{name}: {public:?}"
            );
        }
    }
}

// ---- CloudFront base64 -------------------------------------------------------------------

#[test]
fn cloudfront_base64_decode_never_panics_and_round_trips() {
    let mut seeds: Vec<String> = corpus("base64", &[])
        .into_iter()
        .map(|(_, b)| text(&b).trim_end_matches('\n').to_string())
        .collect();
    seeds.push(fuzzing::encode(b"{\"Statement\":[]}"));
    let check = |t: String| {
        if let Ok(bytes) = fuzzing::decode(&t) {
            prop_assert!(t.len() <= cloudfront_edge_auth::MAX_ENCODED_LEN);
            // Canonical: re-encoding and decoding again gives the same bytes.
            prop_assert_eq!(fuzzing::decode(&fuzzing::encode(&bytes)).unwrap(), bytes);
        }
        Ok(())
    };
    for seed in &seeds {
        check(seed.clone()).unwrap();
    }
    let strategy = prop_oneof![
        mutated_text(seeds),
        "[A-Za-z0-9~_+/=-]{0,200}",
        any::<String>(),
    ];
    fuzz("base64", 50_000, strategy, check);
}

// ---- policy JSON, then Resource matching -------------------------------------------------

/// CloudFront's wildcard rule written the obvious way (dynamic programming), to check the
/// core's linear matcher against.
fn reference_match(pattern: &str, url: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), url.chars().collect());
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for &pc in &p {
        let mut next = vec![false; t.len() + 1];
        next[0] = pc == '*' && row[0];
        for j in 1..=t.len() {
            next[j] = match pc {
                '*' => next[j - 1] || row[j],
                '?' => row[j - 1],
                c => row[j - 1] && c == t[j - 1],
            };
        }
        row = next;
    }
    row[t.len()]
}

fn policy_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = corpus("policy", &[]).into_iter().map(|(_, b)| b).collect();
    let full = CustomPolicy::new(Some(format!("{BASE}/private/*")), END)
        .unwrap()
        .with_date_greater_than(NOW - 10)
        .unwrap()
        .with_ip_address("192.0.2.0/24".parse().unwrap());
    seeds.push(full.to_json().into_bytes());
    seeds.push(
        CannedPolicy::new(format!("{BASE}/a.png"), END)
            .unwrap()
            .to_json()
            .into_bytes(),
    );
    seeds
}

#[test]
fn policy_json_parse_and_evaluate_never_panic() {
    let urls = [
        format!("{BASE}/private/a.png"),
        format!("{BASE}/private"),
        format!("{BASE}/public/x?y=1"),
        String::new(),
    ];
    let check = move |(json, url_pick, url_tail): (Vec<u8>, usize, String)| {
        let Ok(policy) = CustomPolicy::from_json(&json) else {
            return Ok(());
        };
        // What parses re-serialises to the same policy.
        prop_assert_eq!(
            &CustomPolicy::from_json(policy.to_json().as_bytes()).unwrap(),
            &policy
        );
        prop_assert!(policy.date_less_than() <= u64::from(u32::MAX));
        if let Some(pattern) = policy.resource() {
            let url = format!("{}{url_tail}", urls[url_pick % urls.len()]);
            prop_assert_eq!(
                resource_matches(pattern, &url),
                reference_match(pattern, &url)
            );
        }
        Ok(())
    };
    fuzz(
        "policy",
        50_000,
        (mutated(policy_seeds()), any::<usize>(), "[a-z/*?.é]{0,12}"),
        check,
    );
    // The matcher alone, on hostile wildcards: agreement with the reference, and no blow-up.
    fuzz(
        "resource-match",
        50_000,
        ("[ab*?/]{0,24}", "[ab/]{0,40}"),
        |(p, u)| {
            prop_assert_eq!(resource_matches(&p, &u), reference_match(&p, &u));
            Ok(())
        },
    );
}

// ---- cookie headers and signed URLs, through Verifier::verify ----------------------------

/// Everything this file signed: policy bytes -> signatures (CloudFront base64).
struct Genuine {
    signed: HashMap<Vec<u8>, Vec<String>>,
    cookie_headers: Vec<String>,
    urls: Vec<String>,
}

fn genuine() -> Genuine {
    let mut g = Genuine {
        signed: HashMap::new(),
        cookie_headers: vec![],
        urls: vec![],
    };
    let custom = Policy::Custom(CustomPolicy::new(Some(format!("{BASE}/private/*")), END).unwrap());
    let narrow =
        Policy::Custom(CustomPolicy::new(Some(format!("{BASE}/private/movie.mp?")), END).unwrap());
    let canned =
        Policy::Canned(CannedPolicy::new(format!("{BASE}/private/movie.mp4"), END).unwrap());
    for algorithm in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
        for policy in [&custom, &narrow, &canned] {
            let signed = signer()
                .with_algorithm(algorithm)
                .sign_policy(policy)
                .unwrap();
            let bytes = policy.to_json_with(Default::default()).into_bytes();
            g.signed
                .entry(bytes)
                .or_default()
                .push(signed.signature().to_string());
            if !matches!(policy, Policy::Canned(_)) {
                g.cookie_headers
                    .push(signed.to_cookies().to_cookie_header());
            }
            g.urls
                .push(signed.to_url(&format!("{BASE}/private/movie.mp4")));
        }
    }
    g
}

impl Genuine {
    /// Verifies and checks the oracle: an accepted request carries bytes and a signature
    /// this file produced, and passes every condition.
    fn check(
        &self,
        verifier: &Verifier,
        url: &str,
        cookie: Option<&str>,
    ) -> Result<bool, TestCaseError> {
        let mut request = Request::new(url, NOW);
        request.cookie_header = cookie;
        let verdict = verifier.verify(&request);
        let Ok(accepted) = verdict else {
            return Ok(false);
        };
        let read = Unverified::read(url, cookie)
            .map_err(|d| TestCaseError::fail(format!("accepted, then unreadable: {d}")))?;
        let signature = fuzzing::encode(read.signature());
        let known = self
            .signed
            .get(read.signed_bytes())
            .is_some_and(|s| s.contains(&signature));
        prop_assert!(
            known,
            "accepted bytes this file never signed: {:?}",
            String::from_utf8_lossy(read.signed_bytes())
        );
        prop_assert!(read.condition_problem(None, NOW).is_none());
        prop_assert_eq!(accepted.source(), read.source());
        Ok(true)
    }
}

#[test]
fn cookie_header_parse_never_accepts_without_a_valid_signature() {
    let g = genuine();
    let verifier = Verifier::new(group());
    let url = format!("{BASE}/private/movie.mp4");
    let fill: Vec<(String, String)> = ["POLICY", "SIGNATURE"]
        .iter()
        .zip(
            g.cookie_headers[0]
                .split("; ")
                .map(|c| c.split_once('=').unwrap().1.to_string()),
        )
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    let fill: Vec<(&str, &str)> = fill.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let mut seeds: Vec<String> = g.cookie_headers.clone();
    for header in &g.cookie_headers {
        assert!(
            g.check(&verifier, &url, Some(header)).unwrap(),
            "a genuine cookie set was refused"
        );
    }
    for (name, bytes) in corpus("cookie-header", &fill) {
        let header = text(&bytes);
        g.check(&verifier, &url, Some(&header))
            .unwrap_or_else(|e| panic!("cookie-header/{name}: {e}"));
        seeds.push(header);
    }
    // Structured: many cookies, repeated and conflicting names, values from genuine sets.
    let pieces: Vec<String> = g
        .cookie_headers
        .iter()
        .flat_map(|h| h.split("; ").map(String::from).collect::<Vec<_>>())
        .collect();
    let structured = proptest::collection::vec(
        prop_oneof![
            (0..pieces.len()).prop_map(move |i| pieces[i].clone()),
            "[A-Za-z-]{1,24}=[A-Za-z0-9~_-]{0,40}",
        ],
        0..64,
    )
    .prop_flat_map(|cookies| {
        prop_oneof![Just("; "), Just(";"), Just(" ; "), Just(";\t")]
            .prop_map(move |sep| cookies.join(sep))
    });
    let strategy = prop_oneof![mutated_text(seeds), structured];
    fuzz("cookie-header", 5_000, strategy, |header| {
        g.check(&verifier, &url, Some(&header))?;
        g.check(&verifier, &format!("{BASE}/public/a.png"), Some(&header))?;
        Ok(())
    });
}

#[test]
fn signed_url_query_parse_never_accepts_without_a_valid_signature_and_wins_over_cookies() {
    let g = genuine();
    let verifier = Verifier::new(group());
    let signature = g.urls[0]
        .split("Signature=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let mut seeds = g.urls.clone();
    for url in &g.urls {
        assert!(
            g.check(&verifier, url, None).unwrap(),
            "a genuine URL was refused: {url}"
        );
    }
    for (name, bytes) in corpus(
        "signed-url",
        &[
            ("BASE", BASE),
            ("CANNED_SIGNATURE", &signature),
            ("EXPIRES", &END.to_string()),
        ],
    ) {
        let url = text(&bytes).trim_end_matches('\n').to_string();
        g.check(&verifier, &url, None)
            .unwrap_or_else(|e| panic!("signed-url/{name}: {e}"));
        seeds.push(url);
    }
    let cookies = g.cookie_headers[0].clone();
    fuzz("signed-url", 10_000, mutated_text(seeds), |url| {
        g.check(&verifier, &url, None)?;
        // Genuine cookies alongside: signing parameters in the URL still decide alone.
        let with_cookies = g.check(&verifier, &url, Some(&cookies))?;
        if !matches!(Unverified::read(&url, None), Err(Denied::Missing)) {
            let alone = verifier.verify(&Request::new(&url, NOW)).is_ok();
            prop_assert_eq!(
                with_cookies,
                alone,
                "cookies changed the verdict on a signed URL"
            );
        }
        Ok(())
    });
}

#[test]
fn the_oracle_catches_an_acceptance_of_bytes_this_file_did_not_sign() {
    // A verifier trusting a key this file never signs the corpus with stands in for a broken
    // one: what it accepts, the oracle must flag.
    let g = genuine();
    let lax = Verifier::new(
        KeyGroup::new(vec![(
            KeyId::new(OTHER_KEY_ID).unwrap(),
            PublicKey::from_pem(&other_key().spki).unwrap(),
        )])
        .unwrap(),
    );
    let policy = Policy::Custom(CustomPolicy::new(Some(format!("{BASE}/private/*")), END).unwrap());
    let header = other_signer()
        .sign_policy(&policy)
        .unwrap()
        .to_cookies()
        .to_cookie_header();
    let url = format!("{BASE}/private/movie.mp4");
    assert!(lax
        .verify(&{
            let mut request = Request::new(&url, NOW);
            request.cookie_header = Some(&header);
            request
        })
        .is_ok());
    assert!(g.check(&lax, &url, Some(&header)).is_err());
}
