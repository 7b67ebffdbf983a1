//! JWT targets: token parse + verify with mutated tokens (whole-token and inside the decoded
//! header or payload), random claims signed with the trusted key checked against an
//! independent statement of the rules, and JWKS parsing.

use std::collections::HashSet;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cloudfront_edge_auth::jwt::{Jwks, JwtValidation, JwtVerifier};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::Digest as _;

use crate::common::key;
use crate::fuzz_support::*;

const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fuzz";
const CLIENT: &str = "fuzz-client";
const NOW: u64 = 1_800_000_000;
const LEEWAY: u64 = 60;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwks_json() -> String {
    let k = &key().raw;
    json!({"keys": [{
        "kty": "RSA", "kid": "fuzz-1", "alg": "RS256", "use": "sig",
        "n": b64(&k.n().to_be_bytes_trimmed_vartime()),
        "e": b64(&k.e().to_be_bytes_trimmed_vartime()),
    }]})
    .to_string()
}

fn verifier() -> &'static JwtVerifier {
    static V: OnceLock<JwtVerifier> = OnceLock::new();
    V.get_or_init(|| {
        JwtVerifier::new(
            Jwks::from_json(&jwks_json()).unwrap(),
            JwtValidation::new(ISS, [CLIENT]).unwrap(),
        )
    })
}

/// `header.payload.signature`, RS256 under the trusted key.
fn sign(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let digest = sha2::Sha256::digest(input.as_bytes());
    let signature = key()
        .raw
        .sign(Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
        .unwrap();
    format!("{input}.{}", b64(&signature))
}

fn good_claims() -> Value {
    json!({"sub": "u-1", "cognito:groups": ["gold"], "iss": ISS, "aud": CLIENT,
           "token_use": "id", "iat": NOW - 5, "exp": NOW + 3600})
}

const HEADER: &str = r#"{"alg":"RS256","kid":"fuzz-1"}"#;

/// The valid token, and the signing inputs this file produced.
fn seeds() -> (Vec<String>, HashSet<String>) {
    let valid = sign(HEADER, &good_claims().to_string());
    let (input, _) = valid.rsplit_once('.').unwrap();
    let signed = HashSet::from([input.to_string()]);
    let parts: Vec<&str> = valid.split('.').collect();
    let fill = [
        ("HEADER", parts[0]),
        ("PAYLOAD", parts[1]),
        ("SIGNATURE", parts[2]),
    ];
    let mut tokens = vec![valid.clone()];
    for (name, bytes) in corpus("jwt", &fill) {
        let token = text(&bytes).trim_end_matches('\n').to_string();
        // Corpus entries are attacks: each must be refused (the valid token is built above).
        let verdict = verifier().verify(&token, NOW);
        assert!(verdict.is_err(), "jwt/{name} was accepted");
        tokens.push(token);
    }
    assert!(
        verifier().verify(&valid, NOW).is_ok(),
        "the valid token was refused"
    );
    (tokens, signed)
}

/// Accepted only with a signing input this file produced.
fn only_genuine(token: &str, signed: &HashSet<String>) -> Result<(), TestCaseError> {
    if verifier().verify(token, NOW).is_ok() {
        let input = token.rsplit_once('.').map_or("", |(i, _)| i);
        prop_assert!(
            signed.contains(input),
            "accepted a token this file never signed: {token}"
        );
    }
    Ok(())
}

#[test]
fn jwt_parse_and_verify_never_accepts_a_token_it_did_not_sign() {
    let (tokens, signed) = seeds();
    fuzz("jwt-token", 50_000, mutated_text(tokens.clone()), |t| {
        only_genuine(&t, &signed)
    });
    // Mutations inside the decoded header or payload, re-encoded: past base64, into JSON.
    let split: Vec<Vec<String>> = tokens
        .iter()
        .map(|t| t.split('.').map(String::from).collect())
        .filter(|p: &Vec<String>| p.len() == 3)
        .collect();
    let inner = (
        0..split.len(),
        0..2usize,
        proptest::collection::vec(mutation(), 1..6),
    )
        .prop_map(move |(i, part, ms)| {
            let mut parts = split[i].clone();
            let decoded = URL_SAFE_NO_PAD.decode(&parts[part]).unwrap_or_default();
            parts[part] = b64(&mutate(&decoded, &ms));
            parts.join(".")
        });
    fuzz("jwt-json", 20_000, inner, |t| only_genuine(&t, &signed));
}

/// Claim values around every boundary, including wrong types and absence (`None`).
fn claim_values() -> impl Strategy<Value = Vec<(&'static str, Option<Value>)>> {
    let time = |base: i64| {
        prop_oneof![
            (-(LEEWAY as i64) * 2..LEEWAY as i64 * 2).prop_map(move |d| json!(base + d)),
            (-200i64..200).prop_map(move |d| json!(base as f64 + d as f64 + 0.5)),
            Just(json!(-1)),
            Just(json!(1e300)),
            Just(json!("1800000000")),
            Just(json!(null)),
        ]
    };
    let now = NOW as i64;
    (
        prop::option::of(prop_oneof![
            Just(json!(ISS)),
            Just(json!(format!("{ISS}/"))),
            Just(json!(5))
        ]),
        prop::option::of(prop_oneof![
            Just(json!(CLIENT)),
            Just(json!([CLIENT, "other"])),
            Just(json!(["other"])),
            Just(json!([])),
            Just(json!("other")),
            Just(json!(7)),
        ]),
        prop::option::of(prop_oneof![
            Just(json!("id")),
            Just(json!("access")),
            Just(json!(["id"]))
        ]),
        prop::option::of(time(now)),
        prop::option::of(time(now)),
        prop::option::of(time(now)),
        prop::option::of(prop_oneof![Just(json!("u-1")), Just(json!(1))]),
    )
        .prop_map(|(iss, aud, token_use, exp, nbf, iat, sub)| {
            vec![
                ("iss", iss),
                ("aud", aud),
                ("token_use", token_use),
                ("exp", exp),
                ("nbf", nbf),
                ("iat", iat),
                ("sub", sub),
            ]
        })
}

/// The rules of DESIGN.md §6, restated: which of these claim sets must verify.
fn should_accept(claims: &[(&str, Option<Value>)]) -> bool {
    let get = |n: &str| {
        claims
            .iter()
            .find(|(k, _)| *k == n)
            .and_then(|(_, v)| v.clone())
            .filter(|v| !v.is_null())
    };
    let date = |n: &str| -> Result<Option<u64>, ()> {
        match get(n) {
            None => Ok(None),
            Some(Value::Number(x)) => {
                let f = x.as_f64().ok_or(())?;
                if (0.0..=9_007_199_254_740_991.0).contains(&f) {
                    Ok(Some(f.floor() as u64))
                } else {
                    Err(())
                }
            }
            Some(_) => Err(()),
        }
    };
    let (Ok(exp), Ok(nbf), Ok(iat)) = (date("exp"), date("nbf"), date("iat")) else {
        return false;
    };
    let aud_ok = match get("aud") {
        Some(Value::String(a)) => a == CLIENT,
        Some(Value::Array(a)) => a.iter().all(Value::is_string) && a.iter().any(|v| v == CLIENT),
        _ => false,
    };
    get("iss") == Some(json!(ISS))
        && get("token_use") == Some(json!("id"))
        && aud_ok
        && exp.is_some_and(|e| NOW < e + LEEWAY)
        && nbf.is_none_or(|n| NOW + LEEWAY >= n)
        && iat.is_none_or(|i| i <= NOW + LEEWAY)
        && matches!(get("sub"), Some(Value::String(_)))
}

#[test]
fn jwt_claims_signed_by_the_trusted_key_follow_the_rules_exactly() {
    fuzz("jwt-claims", 1_500, claim_values(), |claims| {
        let mut object = serde_json::Map::new();
        for (name, value) in &claims {
            if let Some(v) = value {
                object.insert(name.to_string(), v.clone());
            }
        }
        let token = sign(HEADER, &Value::Object(object).to_string());
        let verdict = verifier().verify(&token, NOW);
        prop_assert_eq!(
            verdict.is_ok(),
            should_accept(&claims),
            "{:?}",
            verdict.map(|c| c.sub().to_string())
        );
        Ok(())
    });
}

#[test]
fn jwks_parse_never_panics() {
    let seeds = vec![jwks_json().into_bytes(), br#"{"keys":[]}"#.to_vec()];
    fuzz("jwks", 20_000, mutated(seeds), |bytes| {
        let _ = Jwks::from_json(&String::from_utf8_lossy(&bytes));
        Ok(())
    });
}
