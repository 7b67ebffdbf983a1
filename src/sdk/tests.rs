//! The SDK's URL handling and policy building, against what v3.1166 does (the JS suites
//! compare with the SDK itself: tests/js/sdk-interop.test.mjs, tests/js/sdk-dropin.test.mjs).

use super::policy::{build, resource, resource_to_sign, SdkDate, SdkPolicyOptions};
use super::*;

#[test]
fn leaves_urls_without_a_path_alone() {
    assert_eq!(normalize_url("https://d.example"), "https://d.example");
    assert_eq!(normalize_url("no-scheme"), "no-scheme");
}

#[test]
fn re_encodes_path_segments_through_a_decode() {
    assert_eq!(
        normalize_url("https://d.example/a%7Eb/%E2%82%AC/€/x'y"),
        "https://d.example/a~b/%E2%82%AC/%E2%82%AC/x'y"
    );
    // An escape that does not decode is encoded as text, `%` included.
    assert_eq!(
        normalize_url("https://d.example/100%/%FF"),
        "https://d.example/100%25/%25FF"
    );
    assert_eq!(
        normalize_url("https://d.example//a/"),
        "https://d.example//a/"
    );
}

#[test]
fn normalises_query_pairs_like_the_sdk() {
    assert_eq!(
        normalize_url("https://d.example/a?x=%2f+y&&flag&q='1'&e=a=b"),
        "https://d.example/a?x=%2F+y&flag=&q=%271%27&e=a%3Db"
    );
    assert_eq!(normalize_url("https://d.example/a?"), "https://d.example/a");
    assert_eq!(
        normalize_url("https://d.example/a?%zz"),
        "https://d.example/a?%25zz="
    );
}

#[test]
fn a_signed_escape_is_not_decoded() {
    // `decodeURIComponent("%+F")` throws; so must our reading of it.
    assert_eq!(percent_decode_utf8("%+F"), None);
    assert_eq!(percent_decode_utf8("%-1"), None);
    assert_eq!(percent_decode_utf8("%2"), None);
    assert_eq!(percent_decode_utf8("%41%e2%82%AC").as_deref(), Some("A€"));
}

#[test]
fn accepts_only_the_sdk_schemes() {
    assert!(check_url_scheme("https://d.example/a").is_ok());
    assert!(check_url_scheme("wss://d.example/a").is_ok());
    assert!(check_url_scheme("rtmp://d.example/a").is_err());
    assert!(check_url_scheme("d.example/a").is_err());
    assert!(check_url_scheme("*://d.example/a").is_err());
}

fn options(url: &str) -> SdkPolicyOptions<'_> {
    SdkPolicyOptions {
        url: Some(url),
        date_less_than: SdkDate::Seconds(1_900_000_000),
        date_greater_than: SdkDate::Absent,
        ip_address: None,
    }
}

fn ip_message(ip: &str) -> String {
    let options = SdkPolicyOptions {
        ip_address: Some(ip),
        ..options("https://d.example/a")
    };
    build(options).expect_err(ip).to_string()
}

fn signed_ip(ip: &str) -> String {
    let options = SdkPolicyOptions {
        ip_address: Some(ip),
        ..options("https://d.example/a")
    };
    let json = build(options).expect(ip).json;
    let at = json.find("SourceIp\":\"").expect("an IpAddress condition") + 11;
    json[at..at + json[at..].find('"').expect("closing quote")].to_string()
}

#[test]
fn canned_policy_text_is_the_sdks() {
    let policy = build(options("https://d.example/a b\"\u{20ac}")).expect("signs");
    assert_eq!(
        policy.json,
        r#"{"Statement":[{"Resource":"https://d.example/a b\"€","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}}]}"#
    );
    assert_eq!(policy.canned_expires, Some(1_900_000_000));
}

#[test]
fn a_start_or_an_ip_makes_the_policy_custom_in_the_sdks_order() {
    let policy = build(SdkPolicyOptions {
        date_greater_than: SdkDate::Seconds(1_600_000_000),
        ip_address: Some("10.0.0.0/8"),
        ..options("https://d.example/*")
    })
    .expect("signs");
    assert_eq!(
        policy.json,
        r#"{"Statement":[{"Resource":"https://d.example/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000},"DateGreaterThan":{"AWS:EpochTime":1600000000},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]}"#
    );
    assert_eq!(policy.canned_expires, None);
}

#[test]
fn signs_date_windows_the_sdk_signs() {
    // A start after the end, an expiry past 2038 and a negative start: the SDK signs them.
    let backwards = build(SdkPolicyOptions {
        date_greater_than: SdkDate::Seconds(1_950_000_000),
        ..options("https://d.example/a")
    })
    .expect("start after end");
    assert!(backwards
        .json
        .contains(r#""DateGreaterThan":{"AWS:EpochTime":1950000000}"#));
    let far = build(SdkPolicyOptions {
        date_less_than: SdkDate::Seconds(4_102_444_800),
        ..options("https://d.example/a")
    })
    .expect("past 2038");
    assert_eq!(far.canned_expires, Some(4_102_444_800));
    let early = build(SdkPolicyOptions {
        date_greater_than: SdkDate::Seconds(-86_400),
        ..options("https://d.example/a")
    })
    .expect("a start before 1970");
    assert!(early
        .json
        .contains(r#""DateGreaterThan":{"AWS:EpochTime":-86400}"#));
    // An unreadable or epoch-0 start is dropped: the policy stays canned.
    for start in [SdkDate::Unreadable, SdkDate::Seconds(0)] {
        let policy = build(SdkPolicyOptions {
            date_greater_than: start,
            ..options("https://d.example/a")
        })
        .expect("start dropped");
        assert_eq!(policy.canned_expires, Some(1_900_000_000));
    }
}

#[test]
fn refuses_with_the_sdks_messages() {
    let no_url = SdkPolicyOptions {
        url: None,
        ..options("")
    };
    assert_eq!(
        build(no_url),
        Err(SdkError::InvalidPolicy(error::Missing::Url))
    );
    assert_eq!(build(no_url).unwrap_err().to_string(), "Invalid policy");
    let no_end = SdkPolicyOptions {
        date_less_than: SdkDate::Absent,
        ..options("ftp://d.example/a")
    };
    // The SDK tests for the expiry before it reads the URL's scheme.
    assert_eq!(build(no_end).unwrap_err().code(), "ERR_SIGN_DATE");
    assert_eq!(
        build(options("ftp://d.example/a")).unwrap_err().to_string(),
        "Invalid URI scheme. Scheme must be one of http, https, or rtmp"
    );
    for end in [SdkDate::Unreadable, SdkDate::Seconds(0)] {
        let options = SdkPolicyOptions {
            date_less_than: end,
            ..options("https://d.example/a")
        };
        assert_eq!(
            build(options).unwrap_err().to_string(),
            "dateLessThan is invalid. Ensure the date value is compatible with the Date constructor."
        );
    }
    assert_eq!(
        build(options("rtmp://s.example/a.flv")),
        Err(SdkError::Rtmp)
    );
}

#[test]
fn reads_ip_addresses_as_the_sdks_cidr_check_does() {
    for (ip, why) in [
        ("10.0.0.0/", "missing ip or mask part of CIDR."),
        ("/8", "missing ip or mask part of CIDR."),
        ("10.0.0/8", "IP does not contain four octets.."),
        ("::1", "IP does not contain four octets.."),
        ("10.0.0.256", "invalid IP octets."),
        ("10.0.0.a/8", "invalid IP octets."),
        ("10.0.0.1.5", "IP does not contain four octets.."),
        ("10.0.0.0/33", "invalid mask."),
        ("10.0.0.0/8.5", "invalid mask."),
    ] {
        assert_eq!(
            ip_message(ip),
            format!("IP address \"{ip}\" is invalid due to {why}"),
            "{ip}"
        );
    }
    // What Number() reads as an integer passes, and is signed as written.
    for (ip, signed) in [
        ("203.0.113.9", "203.0.113.9/32"),
        ("203.0.113.0/24", "203.0.113.0/24"),
        ("0x7f.0.0.1", "0x7f.0.0.1/32"),
        (" 1.2.3.4", " 1.2.3.4/32"),
        ("1..2.3", "1..2.3/32"),
        ("1.2.3.4/24.0", "1.2.3.4/24.0"),
        ("1.2.3.4/8/9", "1.2.3.4/32"),
    ] {
        assert_eq!(signed_ip(ip), signed, "{ip}");
    }
}

#[test]
fn rounds_milliseconds_as_math_round_does() {
    assert_eq!(SdkDate::from_millis(1_500.0), SdkDate::Seconds(2));
    assert_eq!(SdkDate::from_millis(1_499.0), SdkDate::Seconds(1));
    assert_eq!(SdkDate::from_millis(-1_500.0), SdkDate::Seconds(-1));
    assert_eq!(SdkDate::from_millis(-1_501.0), SdkDate::Seconds(-2));
    assert_eq!(SdkDate::from_millis(f64::NAN), SdkDate::Unreadable);
}

#[test]
fn without_a_double_slash_the_scheme_is_all_but_the_last_utf16_unit() {
    // `url.slice(0, -1)`: a last character in the BMP goes whole ...
    assert_eq!(resource("http:x"), Ok("http:x"));
    assert_eq!(resource("https:\u{e9}"), Ok("https:\u{e9}"));
    // ... one outside it leaves its high surrogate behind ("http:\u{d83d}"): no scheme.
    assert_eq!(resource("http:\u{1f600}"), Err(SdkError::InvalidScheme));
    assert_eq!(resource("wss:\u{10000}"), Err(SdkError::InvalidScheme));
    assert_eq!(resource("x"), Err(SdkError::InvalidScheme));
    assert_eq!(resource(""), Err(SdkError::InvalidScheme));
}

#[test]
fn the_url_is_checked_before_any_date_is_read() {
    // What the JS bindings run before `new Date()` (which runs the caller's code).
    assert_eq!(
        resource_to_sign(None, true),
        Err(SdkError::InvalidPolicy(error::Missing::Url))
    );
    assert_eq!(
        resource_to_sign(Some("ftp://d.example/a"), true),
        Err(SdkError::InvalidScheme)
    );
    assert_eq!(
        resource_to_sign(Some("ftp://d.example/a"), false),
        Err(SdkError::InvalidPolicy(error::Missing::DateLessThan))
    );
    assert_eq!(
        resource_to_sign(Some("https://d.example/a"), true),
        Ok("https://d.example/a")
    );
}
