//! The request parser: signed-URL parameters, cookies, size caps and the signed-URL test.
use super::*;

#[test]
fn splits_signing_parameters_from_the_resource() {
    let parsed =
        parse_url("https://d.example/a.png?x=1&Expires=9&Signature=s&Key-Pair-Id=K&y=2").unwrap();
    assert_eq!(parsed.resource, "https://d.example/a.png?x=1&y=2");
    let c = parsed.credentials.unwrap();
    assert_eq!(
        (c.expires, c.signature, c.key_pair_id),
        (Some("9"), Some("s"), Some("K"))
    );
}

#[test]
fn a_url_without_signing_parameters_is_its_own_resource() {
    let parsed = parse_url("https://d.example/a.png?x=1").unwrap();
    assert_eq!(parsed.resource, "https://d.example/a.png?x=1");
    assert!(parsed.credentials.is_none());
    let parsed = parse_url("https://d.example/a.png?Policy=p").unwrap();
    assert_eq!(parsed.resource, "https://d.example/a.png");
}

#[test]
fn signed_url_detection_is_the_parsers_own_answer() {
    for query in [
        "",
        "x=1",
        "policy=p",
        "Expiresx=1",
        "x=Expires",
        "Hash-Algorithm=SHA256",
        "x=1&Signature=",
        "Key-Pair-Id",
        "Expires=1&x=2",
        "CloudFront-Policy=p",
    ] {
        let url = format!("https://d.example/a?{query}");
        let parsed = parse_url(&url).unwrap();
        assert_eq!(
            has_signed_url_parameters(query),
            parsed.credentials.is_some(),
            "{query:?}"
        );
    }
}

#[test]
fn rejects_repeated_url_parameters_and_long_urls() {
    assert!(matches!(
        parse_url("https://d.example/?Signature=a&Signature=b"),
        Err(Malformation::Duplicate { name: "Signature" })
    ));
    let long = format!("https://d.example/{}", "a".repeat(MAX_URL_LEN));
    assert!(matches!(
        parse_url(&long),
        Err(Malformation::UrlTooLong { .. })
    ));
}

#[test]
fn reads_cloudfront_cookies_and_ignores_others() {
    let c = parse_cookie_header(
        "session=abc; CloudFront-Policy=p;CloudFront-Signature=\"s\"; CloudFront-Key-Pair-Id=K; junk",
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (c.policy, c.signature, c.key_pair_id),
        (Some("p"), Some("s"), Some("K"))
    );
    assert!(parse_cookie_header("session=abc; theme=dark")
        .unwrap()
        .is_none());
    assert!(parse_cookie_header("").unwrap().is_none());
}

#[test]
fn first_duplicate_cookie_wins() {
    let c = parse_cookie_header("CloudFront-Signature=first; CloudFront-Signature=second")
        .unwrap()
        .unwrap();
    assert_eq!(c.signature, Some("first"));
}

#[test]
fn rejects_oversized_cookie_headers() {
    let header = "a=b; ".repeat(MAX_COOKIE_HEADER_LEN);
    assert!(matches!(
        parse_cookie_header(&header),
        Err(Malformation::CookieHeaderTooLong { .. })
    ));
}
