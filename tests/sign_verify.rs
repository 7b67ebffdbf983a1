//! Sign, then verify like CloudFront: every accept path and every refusal, by kind.
//! The same suite runs natively, under `wasm-pack test --node` and in headless Chromium.

mod common;

use cloudfront_edge_auth::{
    CannedPolicy, CredentialSource, CustomPolicy, Denied, HashAlgorithm, KeyGroup, KeyId,
    Malformation, Policy, PublicKey, Request, SignerStyle, Verifier,
};
use common::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const URL: &str = "https://d111111abcdef8.cloudfront.net/private/movie.mp4";
const PATTERN: &str = "https://d111111abcdef8.cloudfront.net/private/*";
const NOW: u64 = 1_800_000_000;
const END: u64 = NOW + 3600;

fn custom(start: Option<u64>, ip: Option<&str>) -> Policy {
    let mut p = CustomPolicy::new(Some(PATTERN.into()), END).unwrap();
    if let Some(start) = start {
        p = p.with_date_greater_than(start).unwrap();
    }
    if let Some(ip) = ip {
        p = p.with_ip_address(ip.parse().unwrap());
    }
    Policy::Custom(p)
}

fn custom_cookie_header() -> String {
    signer()
        .sign_policy(&custom(None, None))
        .unwrap()
        .to_cookies()
        .to_cookie_header()
}

fn canned_url() -> String {
    let policy = Policy::Canned(CannedPolicy::new(URL, END).unwrap());
    signer().sign_policy(&policy).unwrap().to_url(URL)
}

#[test]
fn accepts_a_canned_signed_url() {
    let url = canned_url();
    let accepted = Verifier::new(group())
        .verify(&url_request(&url, NOW))
        .unwrap();
    assert_eq!(accepted.key_pair_id(), KEY_ID);
    assert_eq!(accepted.expires_at(), END);
    assert_eq!(accepted.source(), CredentialSource::SignedUrl);
}

#[test]
fn accepts_custom_policy_cookies_for_any_url_under_the_pattern() {
    let header = custom_cookie_header();
    let verifier = Verifier::new(group());
    for url in [
        URL,
        "https://d111111abcdef8.cloudfront.net/private/a/b/c.png?w=100",
        "https://d111111abcdef8.cloudfront.net/private/",
    ] {
        let accepted = verifier.verify(&cookie_request(url, &header, NOW)).unwrap();
        assert_eq!(accepted.source(), CredentialSource::Cookies);
    }
}

#[test]
fn signatures_are_deterministic_despite_blinding() {
    let policy = custom(None, None);
    let a = signer().sign_policy(&policy).unwrap();
    let b = signer().sign_policy(&policy).unwrap();
    assert_eq!(a.signature(), b.signature());
}

#[test]
fn signed_url_parameters_win_over_cookies() {
    let verifier = Verifier::new(group());
    let url = canned_url();
    let garbage = "CloudFront-Policy=bad; CloudFront-Signature=bad; CloudFront-Key-Pair-Id=K";
    let accepted = verifier
        .verify(&cookie_request(&url, garbage, NOW))
        .unwrap();
    assert_eq!(accepted.source(), CredentialSource::SignedUrl);

    let tampered_url = url.replace("Expires=", "Expires=1");
    let header = custom_cookie_header();
    let verdict = verifier.verify(&cookie_request(&tampered_url, &header, NOW));
    assert!(
        verdict.is_err(),
        "valid cookies must not rescue a bad signed URL"
    );
}

#[test]
fn rejects_a_request_with_no_credentials() {
    let verifier = Verifier::new(group());
    assert_eq!(
        verifier.verify(&cookie_request(URL, "session=1; theme=dark", NOW)),
        Err(Denied::Missing)
    );
    assert_eq!(
        verifier.verify(&url_request(URL, NOW)),
        Err(Denied::Missing)
    );
}

#[test]
fn rejects_every_single_byte_tamper_of_the_signature() {
    let verifier = Verifier::new(group());
    let signed = signer().sign_policy(&custom(None, None)).unwrap();
    let header = signed.to_cookies().to_cookie_header();
    let signature = signed.signature();
    // Every position, with a character from the alphabet that differs.
    for (i, c) in signature.char_indices() {
        let replacement = if c == 'A' { 'B' } else { 'A' };
        let mut tampered = signature.to_string();
        tampered.replace_range(i..i + 1, &replacement.to_string());
        let tampered_header = header.replace(signature, &tampered);
        let verdict = verifier.verify(&cookie_request(URL, &tampered_header, NOW));
        assert!(
            matches!(
                verdict,
                Err(Denied::BadSignature) | Err(Denied::Malformed(Malformation::Signature(_)))
            ),
            "position {i}: {verdict:?}"
        );
    }
}

#[test]
fn rejects_every_single_byte_tamper_of_the_policy() {
    let verifier = Verifier::new(group());
    let signed = signer().sign_policy(&custom(None, None)).unwrap();
    let header = signed.to_cookies().to_cookie_header();
    let policy = signed
        .to_cookies()
        .get("CloudFront-Policy")
        .unwrap()
        .to_string();
    for (i, c) in policy.char_indices() {
        let replacement = if c == 'e' { 'f' } else { 'e' };
        let mut tampered = policy.clone();
        tampered.replace_range(i..i + 1, &replacement.to_string());
        let verdict = verifier.verify(&cookie_request(
            URL,
            &header.replace(&policy, &tampered),
            NOW,
        ));
        assert!(
            matches!(
                verdict,
                Err(Denied::BadSignature) | Err(Denied::Malformed(_))
            ),
            "position {i}: {verdict:?}"
        );
    }
}

#[test]
fn rejects_a_tampered_expiry_and_key_id() {
    let verifier = Verifier::new(group());
    let url = canned_url();
    let later = url.replace(&format!("Expires={END}"), &format!("Expires={}", END + 1));
    assert_eq!(
        verifier.verify(&url_request(&later, NOW)),
        Err(Denied::BadSignature)
    );
    let other_id = url.replace(KEY_ID, "K2JCJMDEHXQW5G");
    assert_eq!(
        verifier.verify(&url_request(&other_id, NOW)),
        Err(Denied::UnknownKey {
            key_pair_id: "K2JCJMDEHXQW5G".into()
        })
    );
    let bad_id = url.replace(KEY_ID, "K2JC%3BJ");
    assert_eq!(
        verifier.verify(&url_request(&bad_id, NOW)),
        Err(Denied::Malformed(Malformation::KeyPairId))
    );
}

#[test]
fn rejects_a_key_outside_the_group_even_with_a_valid_signature() {
    let policy = custom(None, None);
    let header = other_signer()
        .sign_policy(&policy)
        .unwrap()
        .to_cookies()
        .to_cookie_header();
    assert_eq!(
        Verifier::new(group()).verify(&cookie_request(URL, &header, NOW)),
        Err(Denied::UnknownKey {
            key_pair_id: OTHER_KEY_ID.into()
        })
    );
}

#[test]
fn a_key_registered_under_another_id_does_not_verify() {
    // The other key's signature, presented under the main key's id.
    let policy = custom(None, None);
    let signed = other_signer().sign_policy(&policy).unwrap();
    let header = signed
        .to_cookies()
        .to_cookie_header()
        .replace(OTHER_KEY_ID, KEY_ID);
    assert_eq!(
        Verifier::new(group()).verify(&cookie_request(URL, &header, NOW)),
        Err(Denied::BadSignature)
    );
}

#[test]
fn accepts_every_key_of_a_rotating_group() {
    let group = KeyGroup::new(vec![
        (
            KeyId::new(KEY_ID).unwrap(),
            PublicKey::from_pem(&key().spki).unwrap(),
        ),
        (
            KeyId::new(OTHER_KEY_ID).unwrap(),
            PublicKey::from_pem(&other_key().pkcs1_public).unwrap(),
        ),
    ])
    .unwrap();
    let verifier = Verifier::new(group);
    for signer in [signer(), other_signer()] {
        let header = signer
            .sign_policy(&custom(None, None))
            .unwrap()
            .to_cookies()
            .to_cookie_header();
        let accepted = verifier.verify(&cookie_request(URL, &header, NOW)).unwrap();
        assert_eq!(accepted.key_pair_id(), signer.key_pair_id().as_str());
    }
}

#[test]
fn enforces_the_time_window_at_its_edges() {
    let verifier = Verifier::new(group());
    let header = signer()
        .sign_policy(&custom(Some(NOW - 10), None))
        .unwrap()
        .to_cookies()
        .to_cookie_header();
    let at = |now| verifier.verify(&cookie_request(URL, &header, now));
    assert!(at(NOW - 10).is_ok(), "valid on DateGreaterThan itself");
    assert_eq!(at(NOW - 11), Err(Denied::NotYetValid { from: NOW - 10 }));
    assert!(at(END - 1).is_ok());
    assert_eq!(at(END), Err(Denied::Expired { at: END }));
    assert_eq!(at(END + 86_400), Err(Denied::Expired { at: END }));
}

#[test]
fn rejects_a_url_outside_the_resource_pattern() {
    let verifier = Verifier::new(group());
    let header = custom_cookie_header();
    for url in [
        "https://d111111abcdef8.cloudfront.net/premium/movie.mp4",
        "https://d111111abcdef8.cloudfront.net/privateer/movie.mp4",
        "http://d111111abcdef8.cloudfront.net/private/movie.mp4",
        "https://other.cloudfront.net/private/movie.mp4",
        "https://d111111abcdef8.cloudfront.net/Private/movie.mp4",
    ] {
        assert_eq!(
            verifier.verify(&cookie_request(url, &header, NOW)),
            Err(Denied::ResourceMismatch),
            "{url}"
        );
    }
}

#[test]
fn a_canned_url_is_bound_to_its_exact_url() {
    let verifier = Verifier::new(group());
    let moved = canned_url().replace("movie.mp4", "other.mp4");
    assert_eq!(
        verifier.verify(&url_request(&moved, NOW)),
        Err(Denied::BadSignature)
    );
}

#[test]
fn enforces_the_ip_range() {
    let verifier = Verifier::new(group());
    let header = signer()
        .sign_policy(&custom(None, Some("203.0.113.0/24")))
        .unwrap()
        .to_cookies()
        .to_cookie_header();
    let from = |ip: Option<&str>| {
        let mut request = Request::new(URL, NOW);
        request.cookie_header = Some(&header);
        request.client_ip = ip.map(|ip| ip.parse().unwrap());
        verifier.verify(&request)
    };
    assert!(from(Some("203.0.113.9")).is_ok());
    assert_eq!(from(Some("203.0.114.9")), Err(Denied::IpMismatch));
    assert_eq!(from(Some("2001:db8::1")), Err(Denied::IpMismatch));
    assert_eq!(from(None), Err(Denied::IpMismatch));
}

#[test]
fn compares_an_ipv4_mapped_ipv6_client_address_as_ipv4() {
    // What a dual-stack Node server reports for an IPv4 viewer: `::ffff:a.b.c.d`.
    let verifier = Verifier::new(group());
    let header = signer()
        .sign_policy(&custom(None, Some("203.0.113.0/24")))
        .unwrap()
        .to_cookies()
        .to_cookie_header();
    let from = |ip: &str| {
        let mut request = Request::new(URL, NOW);
        request.cookie_header = Some(&header);
        request.client_ip = Some(ip.parse().unwrap());
        verifier.verify(&request)
    };
    assert!(from("::ffff:203.0.113.9").is_ok());
    assert_eq!(from("::ffff:203.0.114.9"), Err(Denied::IpMismatch));
    // The deprecated IPv4-compatible form is an IPv6 address, not a mapped IPv4 one.
    assert_eq!(from("::203.0.113.9"), Err(Denied::IpMismatch));
}

#[test]
fn a_denial_is_an_error_for_question_mark() {
    fn accept(verdict: cloudfront_edge_auth::Verdict) -> Result<u64, Box<dyn std::error::Error>> {
        Ok(verdict?.expires_at())
    }
    let error = accept(Err(Denied::Expired { at: NOW })).unwrap_err();
    assert_eq!(error.to_string(), format!("expired at {NOW}"));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn signer_and_verifier_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<cloudfront_edge_auth::Signer>();
    shared::<Verifier>();
    // And they are used so: one of each, from several threads at once.
    let signer = signer();
    let verifier = Verifier::new(group());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let header = signer
                    .sign_policy(&custom(None, None))
                    .unwrap()
                    .to_cookies()
                    .to_cookie_header();
                assert!(verifier.verify(&cookie_request(URL, &header, NOW)).is_ok());
            });
        }
    });
}

#[test]
fn verifies_sha256_signatures_only_when_announced() {
    let signer = signer().with_algorithm(HashAlgorithm::Sha256);
    let cookies = signer
        .sign_policy(&custom(None, None))
        .unwrap()
        .to_cookies();
    assert_eq!(cookies.get("CloudFront-Hash-Algorithm"), Some("SHA256"));
    let header = cookies.to_cookie_header();
    let verifier = Verifier::new(group());
    assert!(verifier.verify(&cookie_request(URL, &header, NOW)).is_ok());
    let unannounced = header.replace("; CloudFront-Hash-Algorithm=SHA256", "");
    assert_eq!(
        verifier.verify(&cookie_request(URL, &unannounced, NOW)),
        Err(Denied::BadSignature)
    );
    let unknown = header.replace("SHA256", "MD5");
    assert_eq!(
        verifier.verify(&cookie_request(URL, &unknown, NOW)),
        Err(Denied::Malformed(Malformation::HashAlgorithm))
    );
}

#[test]
fn accepts_botocore_condition_order() {
    let signer = signer().with_style(SignerStyle::Botocore);
    let policy = custom(Some(NOW - 5), Some("0.0.0.0/0"));
    let url = signer.sign_policy(&policy).unwrap().to_url(URL);
    let mut request = Request::new(&url, NOW);
    request.client_ip = Some("198.51.100.1".parse().unwrap());
    let accepted = Verifier::new(group()).verify(&request);
    assert!(accepted.is_ok(), "{accepted:?}");
}

#[test]
fn reports_malformed_credentials_by_kind() {
    let verifier = Verifier::new(group());
    let signed = signer().sign_policy(&custom(None, None)).unwrap();
    let cookies = signed.to_cookies();
    let policy = cookies.get("CloudFront-Policy").unwrap();
    let signature = cookies.get("CloudFront-Signature").unwrap();
    let cases: Vec<(String, Malformation)> = vec![
        (
            format!("CloudFront-Policy={policy}; CloudFront-Key-Pair-Id={KEY_ID}"),
            Malformation::Incomplete { name: "Signature" },
        ),
        (
            format!("CloudFront-Policy={policy}; CloudFront-Signature={signature}"),
            Malformation::Incomplete { name: "Key-Pair-Id" },
        ),
        (
            format!("CloudFront-Signature={signature}; CloudFront-Key-Pair-Id={KEY_ID}"),
            Malformation::Incomplete {
                name: "Expires or Policy",
            },
        ),
        (
            format!(
                "CloudFront-Expires=9; CloudFront-Policy={policy}; CloudFront-Signature={signature}; CloudFront-Key-Pair-Id={KEY_ID}"
            ),
            Malformation::ExpiresAndPolicy,
        ),
        (
            format!(
                "CloudFront-Expires=12ab; CloudFront-Signature={signature}; CloudFront-Key-Pair-Id={KEY_ID}"
            ),
            Malformation::Expires,
        ),
        (
            format!(
                "CloudFront-Expires=99999999999; CloudFront-Signature={signature}; CloudFront-Key-Pair-Id={KEY_ID}"
            ),
            Malformation::Expires,
        ),
    ];
    for (header, expected) in cases {
        assert_eq!(
            verifier.verify(&cookie_request(URL, &header, NOW)),
            Err(Denied::Malformed(expected)),
            "{header}"
        );
    }
    let truncated = format!(
        "CloudFront-Policy={}; CloudFront-Signature={signature}; CloudFront-Key-Pair-Id={KEY_ID}",
        &policy[..policy.len() - 5]
    );
    assert!(matches!(
        verifier.verify(&cookie_request(URL, &truncated, NOW)),
        Err(Denied::Malformed(Malformation::Policy(_)))
    ));
    let not_base64 = format!(
        "CloudFront-Policy={policy}; CloudFront-Signature=a+b/c=; CloudFront-Key-Pair-Id={KEY_ID}"
    );
    assert!(matches!(
        verifier.verify(&cookie_request(URL, &not_base64, NOW)),
        Err(Denied::Malformed(Malformation::Signature(_)))
    ));
    let huge = format!("{}; x={}", custom_cookie_header(), "a".repeat(30_000));
    assert!(matches!(
        verifier.verify(&cookie_request(URL, &huge, NOW)),
        Err(Denied::Malformed(Malformation::CookieHeaderTooLong { .. }))
    ));
}

#[test]
fn rejects_a_signed_policy_with_whitespace_or_two_statements() {
    // Signed by the right key, but not a policy CloudFront accepts.
    let verifier = Verifier::new(group());
    for json in [
        format!(
            r#"{{"Statement": [{{"Resource":"{PATTERN}","Condition":{{"DateLessThan":{{"AWS:EpochTime":{END}}}}}}}]}}"#
        ),
        format!(
            r#"{{"Statement":[{{"Resource":"{PATTERN}","Condition":{{"DateLessThan":{{"AWS:EpochTime":{END}}}}}}},{{"Condition":{{"DateLessThan":{{"AWS:EpochTime":{END}}}}}}}]}}"#
        ),
    ] {
        let header = signer()
            .sign_policy_json(&json)
            .unwrap()
            .to_cookies()
            .to_cookie_header();
        assert!(matches!(
            verifier.verify(&cookie_request(URL, &header, NOW)),
            Err(Denied::Malformed(Malformation::Policy(_)))
        ));
    }
}

#[test]
fn signature_verifies_against_the_raw_policy_bytes() {
    // The signature covers exactly the decoded CloudFront-Policy bytes.
    let signed = signer().sign_policy(&custom(None, None)).unwrap();
    let cookies = signed.to_cookies();
    let bytes = from_cloudfront_base64(cookies.get("CloudFront-Policy").unwrap());
    assert_eq!(
        bytes,
        custom(None, None)
            .to_json_with(SignerStyle::AwsSdkJs)
            .into_bytes()
    );
    // RSASSA-PKCS1-v1_5 is deterministic: the same signature over exactly those bytes.
    let json = String::from_utf8(bytes).unwrap();
    let raw = signer().sign_policy_json(&json).unwrap();
    assert_eq!(raw.signature(), signed.signature());
}

#[test]
fn ecdsa_p256_keys_sign_and_verify_alongside_rsa_keys() {
    let ec_id = KeyId::new("K4ECDSAP256KEY").unwrap();
    let group = KeyGroup::new(vec![
        (
            KeyId::new(KEY_ID).unwrap(),
            PublicKey::from_pem(&key().spki).unwrap(),
        ),
        (ec_id.clone(), PublicKey::from_pem(&ec_key().spki).unwrap()),
    ])
    .unwrap();
    let verifier = Verifier::new(group);
    for pem in [&ec_key().pkcs8, &ec_key().sec1] {
        for algorithm in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            let signer = cloudfront_edge_auth::Signer::new(
                ec_id.clone(),
                cloudfront_edge_auth::PrivateKey::from_pem(pem).unwrap(),
            )
            .with_algorithm(algorithm);
            let signed = signer.sign_policy(&custom(None, None)).unwrap();
            // A DER ECDSA P-256 signature is at most 72 bytes (96 in CloudFront base64), an
            // RSA-2048 one 256 (344): shorter cookies.
            assert!(signed.signature().len() <= 96, "{}", signed.signature());
            let header = signed.to_cookies().to_cookie_header();
            let verdict = verifier.verify(&cookie_request(URL, &header, NOW));
            assert_eq!(verdict.unwrap().key_pair_id(), ec_id.as_str());

            let mut signature = from_cloudfront_base64(signed.signature());
            let last = signature.len() - 3;
            signature[last] ^= 1;
            let tampered = header.replace(signed.signature(), &to_cloudfront_base64(&signature));
            assert_eq!(
                verifier.verify(&cookie_request(URL, &tampered, NOW)),
                Err(Denied::BadSignature)
            );
        }
    }
}
