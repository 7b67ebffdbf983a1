use std::sync::OnceLock;

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;

use super::*;

const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test";
const CLIENT: &str = "client-123";
const NOW: u64 = 1_800_000_000;

/// One 2048-bit key for every test: generating it is the slow part.
fn key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap())
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwk(kid: &str) -> serde_json::Value {
    let k = key();
    serde_json::json!({
        "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
        "n": b64(&k.n().to_be_bytes_trimmed_vartime()),
        "e": b64(&k.e().to_be_bytes_trimmed_vartime()),
    })
}

fn jwks_json() -> String {
    serde_json::json!({ "keys": [jwk("k1"), jwk("k2")] }).to_string()
}

fn verifier() -> JwtVerifier {
    JwtVerifier::new(
        Jwks::from_json(&jwks_json()).unwrap(),
        JwtValidation::new(ISS, [CLIENT]).unwrap(),
    )
}

fn claims() -> serde_json::Value {
    serde_json::json!({
        "sub": "user-1", "email": "a@example.com", "cognito:groups": ["gold", "silver"],
        "iss": ISS, "aud": CLIENT, "token_use": "id",
        "iat": NOW - 10, "exp": NOW + 3600,
    })
}

fn signed(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let digest = sha2::Sha256::digest(input.as_bytes());
    let sig = key()
        .sign(Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
        .unwrap();
    format!("{input}.{}", b64(&sig))
}

fn token_with(claims: serde_json::Value) -> String {
    signed(&serde_json::json!({"alg": "RS256", "kid": "k1"}), &claims)
}

fn with(field: &str, value: serde_json::Value) -> serde_json::Value {
    let mut c = claims();
    c[field] = value;
    c
}

fn without(field: &str) -> serde_json::Value {
    let mut c = claims();
    c.as_object_mut().unwrap().remove(field);
    c
}

fn refusal(token: &str) -> JwtError {
    verifier().verify(token, NOW).unwrap_err()
}

#[test]
fn accepts_a_valid_id_token_and_returns_its_claims() {
    let claims = verifier().verify(&token_with(claims()), NOW).unwrap();
    assert_eq!(claims.sub(), "user-1");
    assert_eq!(claims.email(), Some("a@example.com"));
    assert_eq!(claims.groups(), ["gold", "silver"]);
    assert_eq!(claims.exp(), NOW + 3600);
}

#[test]
fn accepts_any_key_of_the_set_and_an_audience_array() {
    let header = serde_json::json!({"alg": "RS256", "kid": "k2", "typ": "JWT"});
    let token = signed(&header, &with("aud", serde_json::json!(["other", CLIENT])));
    assert!(verifier().verify(&token, NOW).is_ok());
}

#[test]
fn groups_default_to_empty() {
    let claims = verifier()
        .verify(&token_with(without("cognito:groups")), NOW)
        .unwrap();
    assert!(claims.groups().is_empty());
}

#[test]
fn rejects_empty_and_huge_tokens_before_parsing() {
    assert_eq!(refusal(""), JwtError::Missing);
    let huge = "a".repeat(MAX_TOKEN_LEN + 1);
    assert!(matches!(refusal(&huge), JwtError::TooLong { .. }));
    assert_eq!(refusal(&huge).code(), "too-long");
}

#[test]
fn rejects_tokens_without_three_parts() {
    for (token, count) in [("a.b", 2), ("abc", 1), ("a.b.c.d", 4), ("a.b.c.d.e", 5)] {
        assert_eq!(
            refusal(token),
            JwtError::Malformed(JwtMalformation::PartCount { count })
        );
    }
}

#[test]
fn rejects_parts_that_are_not_base64url() {
    let good = token_with(claims());
    let (header, rest) = good.split_once('.').unwrap();
    assert_eq!(
        refusal(&format!("{header}+/.{rest}")),
        JwtError::Malformed(JwtMalformation::Base64 {
            part: JwtPart::Header
        })
    );
    assert_eq!(
        refusal(&format!("{}==.{rest}", &header)),
        JwtError::Malformed(JwtMalformation::Base64 {
            part: JwtPart::Header
        })
    );
    let (signed_part, _) = good.rsplit_once('.').unwrap();
    assert_eq!(
        refusal(&format!("{signed_part}.!!!")),
        JwtError::Malformed(JwtMalformation::Base64 {
            part: JwtPart::Signature
        })
    );
    assert_eq!(refusal("x.y.z").code(), "malformed");
}

#[test]
fn rejects_a_header_that_is_not_a_json_object() {
    let token = format!("{}.e30.c2ln", b64(b"[1,2]"));
    assert!(matches!(
        refusal(&token),
        JwtError::Malformed(JwtMalformation::Json {
            part: JwtPart::Header,
            ..
        })
    ));
    let token = format!("{}.e30.c2ln", b64(b"{}"));
    assert_eq!(
        refusal(&token),
        JwtError::Malformed(JwtMalformation::MissingAlg)
    );
}

#[test]
fn rejects_alg_none_without_a_signature() {
    let token = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","kid":"k1"}"#),
        b64(claims().to_string().as_bytes())
    );
    assert_eq!(
        refusal(&token),
        JwtError::UnsupportedAlgorithm { alg: "none".into() }
    );
}

#[test]
fn rejects_hs256_signed_with_the_public_key_as_secret() {
    use hmac_sha256_for_test as hmac;
    let header = b64(br#"{"alg":"HS256","kid":"k1"}"#);
    let payload = b64(claims().to_string().as_bytes());
    let input = format!("{header}.{payload}");
    // The classic confusion: the HMAC key is the RSA public key's bytes.
    let secret = jwks_json();
    let token = format!(
        "{input}.{}",
        b64(&hmac(secret.as_bytes(), input.as_bytes()))
    );
    assert_eq!(refusal(&token).code(), "unsupported-alg");
    let rs512 = signed(&serde_json::json!({"alg": "RS512", "kid": "k1"}), &claims());
    assert_eq!(refusal(&rs512).code(), "unsupported-alg");
}

/// HMAC-SHA256 (RFC 2104), enough to forge an HS256 token.
fn hmac_sha256_for_test(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&sha2::Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let mut inner = sha2::Sha256::new();
    inner.update(pad(0x36));
    inner.update(message);
    let mut outer = sha2::Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

#[test]
fn rejects_critical_header_extensions() {
    let header = serde_json::json!({"alg": "RS256", "kid": "k1", "crit": ["exp"]});
    assert_eq!(
        refusal(&signed(&header, &claims())),
        JwtError::Malformed(JwtMalformation::CriticalHeader)
    );
}

#[test]
fn rejects_missing_and_unknown_kid() {
    let no_kid = signed(&serde_json::json!({"alg": "RS256"}), &claims());
    assert_eq!(refusal(&no_kid), JwtError::MissingKid);
    let unknown = signed(&serde_json::json!({"alg": "RS256", "kid": "k9"}), &claims());
    assert_eq!(refusal(&unknown), JwtError::UnknownKid { kid: "k9".into() });
}

#[test]
fn rejects_a_tampered_payload_or_signature() {
    let good = token_with(claims());
    let parts: Vec<&str> = good.split('.').collect();
    let forged = b64(with("cognito:groups", serde_json::json!(["admin"]))
        .to_string()
        .as_bytes());
    assert_eq!(
        refusal(&format!("{}.{forged}.{}", parts[0], parts[2])),
        JwtError::BadSignature
    );
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[10] ^= 1;
    assert_eq!(
        refusal(&format!("{}.{}.{}", parts[0], parts[1], b64(&sig))),
        JwtError::BadSignature
    );
    assert_eq!(
        refusal(&format!("{}.{}.{}", parts[0], parts[1], b64(&sig[..100]))),
        JwtError::BadSignature
    );
}

#[test]
fn rejects_the_wrong_issuer_audience_or_token_use() {
    let wrong = |field, value| refusal(&token_with(with(field, value)));
    assert_eq!(
        wrong("iss", "https://evil.example".into()),
        JwtError::WrongIssuer
    );
    assert_eq!(wrong("aud", "other-client".into()), JwtError::WrongAudience);
    assert_eq!(wrong("aud", serde_json::json!([])), JwtError::WrongAudience);
    assert_eq!(wrong("token_use", "access".into()), JwtError::WrongTokenUse);
}

#[test]
fn rejects_tokens_missing_a_required_claim() {
    for name in ["iss", "aud", "token_use", "exp", "sub"] {
        assert_eq!(
            refusal(&token_with(without(name))),
            JwtError::MissingClaim { name },
            "{name}"
        );
    }
}

#[test]
fn a_cognito_access_token_is_refused() {
    let mut access = without("aud");
    access["token_use"] = "access".into();
    access["client_id"] = CLIENT.into();
    assert_eq!(refusal(&token_with(access)), JwtError::WrongTokenUse);
}

#[test]
fn token_use_check_can_be_dropped_but_aud_still_applies() {
    let validation = JwtValidation::new(ISS, [CLIENT])
        .unwrap()
        .without_token_use();
    let v = JwtVerifier::new(Jwks::from_json(&jwks_json()).unwrap(), validation);
    assert!(v.verify(&token_with(without("token_use")), NOW).is_ok());
    let mut access = without("aud");
    access["token_use"] = "access".into();
    assert_eq!(
        v.verify(&token_with(access), NOW),
        Err(JwtError::MissingClaim { name: "aud" })
    );
}

#[test]
fn expiry_honours_the_leeway() {
    let v = verifier();
    let token = token_with(with("exp", NOW.into()));
    assert!(v.verify(&token, NOW + 59).is_ok());
    assert_eq!(
        v.verify(&token, NOW + 60),
        Err(JwtError::Expired { at: NOW })
    );
    let strict = JwtVerifier::new(
        Jwks::from_json(&jwks_json()).unwrap(),
        JwtValidation::new(ISS, [CLIENT])
            .unwrap()
            .with_leeway(0)
            .unwrap(),
    );
    assert_eq!(strict.verify(&token, NOW).unwrap_err().code(), "expired");
}

#[test]
fn rejects_future_nbf_and_iat_beyond_the_leeway() {
    let nbf = token_with(with("nbf", (NOW + 61).into()));
    assert_eq!(refusal(&nbf), JwtError::NotYetValid { from: NOW + 61 });
    assert!(verifier()
        .verify(&token_with(with("nbf", (NOW + 60).into())), NOW)
        .is_ok());
    let iat = token_with(with("iat", (NOW + 61).into()));
    assert_eq!(refusal(&iat), JwtError::IssuedInFuture { at: NOW + 61 });
}

#[test]
fn rejects_dates_that_are_not_numbers() {
    for bad in [serde_json::json!(-1), serde_json::json!(1e300)] {
        assert_eq!(
            refusal(&token_with(with("exp", bad))),
            JwtError::Malformed(JwtMalformation::Claim { name: "exp" })
        );
    }
    assert!(matches!(
        refusal(&token_with(with("exp", "soon".into()))),
        JwtError::Malformed(JwtMalformation::Json {
            part: JwtPart::Payload,
            ..
        })
    ));
}

#[test]
fn a_duplicated_claim_cannot_smuggle_a_second_value() {
    let header = b64(br#"{"alg":"RS256","kid":"k1"}"#);
    let payload = format!(
        r#"{{"iss":"https://evil.example","iss":"{ISS}","aud":"{CLIENT}","token_use":"id","sub":"x","exp":{}}}"#,
        NOW + 100
    );
    let input = format!("{header}.{}", b64(payload.as_bytes()));
    let digest = sha2::Sha256::digest(input.as_bytes());
    let sig = key()
        .sign(Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
        .unwrap();
    assert_eq!(
        refusal(&format!("{input}.{}", b64(&sig))).code(),
        "malformed"
    );
}

#[test]
fn jwks_rejects_keys_it_cannot_use() {
    let parse =
        |keys: serde_json::Value| Jwks::from_json(&serde_json::json!({ "keys": keys }).to_string());
    assert_eq!(parse(serde_json::json!([])).unwrap_err(), JwksError::Empty);
    let ec = serde_json::json!([{"kty": "EC", "kid": "e", "crv": "P-256"}]);
    assert!(matches!(
        parse(ec),
        Err(JwksError::UnsupportedKeyType { index: 0, .. })
    ));
    let mut hs = jwk("k1");
    hs["alg"] = "HS256".into();
    assert!(matches!(
        parse(serde_json::json!([hs])),
        Err(JwksError::UnsupportedAlgorithm { index: 0, .. })
    ));
    let mut no_kid = jwk("k1");
    no_kid.as_object_mut().unwrap().remove("kid");
    assert!(matches!(
        parse(serde_json::json!([jwk("k0"), no_kid])),
        Err(JwksError::InvalidKey { index: 1, .. })
    ));
    let mut bad_n = jwk("k1");
    bad_n["n"] = "not base64!".into();
    assert!(matches!(
        parse(serde_json::json!([bad_n])),
        Err(JwksError::InvalidKey { .. })
    ));
    let mut small = jwk("k1");
    small["n"] = b64(&[0xff; 128]).into();
    assert!(matches!(
        parse(serde_json::json!([small])),
        Err(JwksError::InvalidKey { .. })
    ));
    let mut enc = jwk("k1");
    enc["use"] = "enc".into();
    assert!(matches!(
        parse(serde_json::json!([enc])),
        Err(JwksError::InvalidKey { .. })
    ));
    assert_eq!(
        parse(serde_json::json!([jwk("k1"), jwk("k1")])).unwrap_err(),
        JwksError::DuplicateKid { kid: "k1".into() }
    );
    assert!(matches!(Jwks::from_json("[]"), Err(JwksError::Json { .. })));
    let huge = " ".repeat(MAX_JWKS_LEN + 1);
    assert!(matches!(
        Jwks::from_json(&huge),
        Err(JwksError::TooLong { .. })
    ));
}

#[test]
fn jwks_accepts_a_leading_zero_in_n_and_no_alg() {
    let mut k = jwk("k1");
    let mut n = vec![0u8];
    n.extend_from_slice(&key().n().to_be_bytes_trimmed_vartime());
    k["n"] = b64(&n).into();
    k.as_object_mut().unwrap().remove("alg");
    let jwks = Jwks::from_json(&serde_json::json!({ "keys": [k] }).to_string()).unwrap();
    assert_eq!(jwks.kids().collect::<Vec<_>>(), ["k1"]);
    let v = JwtVerifier::new(jwks, JwtValidation::new(ISS, [CLIENT]).unwrap());
    assert!(v.verify(&token_with(claims()), NOW).is_ok());
}

#[test]
fn validation_config_refuses_unsafe_settings() {
    assert_eq!(
        JwtValidation::new("", [CLIENT]).unwrap_err(),
        JwtConfigError::MissingIssuer
    );
    assert_eq!(
        JwtValidation::new(ISS, Vec::<String>::new()).unwrap_err(),
        JwtConfigError::MissingAudience
    );
    assert_eq!(
        JwtValidation::new(ISS, [""]).unwrap_err(),
        JwtConfigError::MissingAudience
    );
    assert!(JwtValidation::new(ISS, [CLIENT])
        .unwrap()
        .with_leeway(301)
        .is_err());
    assert_eq!(JwtValidation::new(ISS, [CLIENT]).unwrap().leeway(), 60);
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(token in "[A-Za-z0-9_.=+/-]{0,300}") {
        let _ = verifier().verify(&token, NOW);
    }
}
