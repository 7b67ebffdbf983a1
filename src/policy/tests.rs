use super::*;
use crate::error::CidrError;
use proptest::prelude::*;

const CANNED: &str = r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}"#;

#[test]
fn canned_policy_matches_the_aws_documentation_bytes() {
    let p = CannedPolicy::new(
        "https://d111111abcdef8.cloudfront.net/image.jpg",
        1357034400,
    )
    .unwrap();
    assert_eq!(p.to_json(), CANNED);
    assert_eq!(p.to_json_with(SignerStyle::Botocore), CANNED);
}

fn full_custom() -> CustomPolicy {
    CustomPolicy::new(Some("https://d.example/*".into()), 2000)
        .unwrap()
        .with_date_greater_than(1000)
        .unwrap()
        .with_ip_address("10.0.0.0/8".parse().unwrap())
}

#[test]
fn custom_policy_orders_conditions_like_the_js_sdk() {
    assert_eq!(
        full_custom().to_json(),
        r#"{"Statement":[{"Resource":"https://d.example/*","Condition":{"DateLessThan":{"AWS:EpochTime":2000},"DateGreaterThan":{"AWS:EpochTime":1000},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]}"#
    );
}

#[test]
fn custom_policy_orders_conditions_like_botocore() {
    assert_eq!(
        full_custom().to_json_with(SignerStyle::Botocore),
        r#"{"Statement":[{"Resource":"https://d.example/*","Condition":{"DateLessThan":{"AWS:EpochTime":2000},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"},"DateGreaterThan":{"AWS:EpochTime":1000}}}]}"#
    );
}

#[test]
fn escapes_strings_like_each_signer() {
    let p = CannedPolicy::new("https://d.example/é\"\\\u{1}😀", 5).unwrap();
    assert!(p.to_json().contains(r#""https://d.example/é\"\\\u0001😀""#));
    assert!(p
        .to_json_with(SignerStyle::Botocore)
        .contains(r#""https://d.example/\u00e9\"\\\u0001\ud83d\ude00""#));
}

#[test]
fn parses_back_what_it_serializes() {
    let p = full_custom();
    assert_eq!(CustomPolicy::from_json(p.to_json().as_bytes()).unwrap(), p);
    let botocore = p.to_json_with(SignerStyle::Botocore);
    assert_eq!(CustomPolicy::from_json(botocore.as_bytes()).unwrap(), p);
    let (parsed, bytes) = CustomPolicy::from_base64(&p.to_base64()).unwrap();
    assert_eq!(parsed, p);
    assert_eq!(bytes, p.to_json().into_bytes());
}

#[test]
fn a_policy_without_resource_parses_as_covering_everything() {
    let p = CustomPolicy::from_json(
        br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":99}}}]}"#,
    )
    .unwrap();
    assert_eq!(p.resource(), None);
    assert_eq!(p.date_less_than(), 99);
}

#[test]
fn rejects_extra_statements() {
    let two = r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9}}},{"Condition":{"DateLessThan":{"AWS:EpochTime":9}}}]}"#;
    assert_eq!(
        CustomPolicy::from_json(two.as_bytes()),
        Err(PolicyError::StatementCount { count: 2 })
    );
    assert_eq!(
        CustomPolicy::from_json(br#"{"Statement":[]}"#),
        Err(PolicyError::StatementCount { count: 0 })
    );
}

#[test]
fn rejects_whitespace_outside_strings_but_not_inside() {
    let spaced = r#"{"Statement": [{"Condition":{"DateLessThan":{"AWS:EpochTime":9}}}]}"#;
    assert_eq!(
        CustomPolicy::from_json(spaced.as_bytes()),
        Err(PolicyError::Whitespace { index: 13 })
    );
    let inside = r#"{"Statement":[{"Resource":"https://d.example/a b","Condition":{"DateLessThan":{"AWS:EpochTime":9}}}]}"#;
    assert!(CustomPolicy::from_json(inside.as_bytes()).is_ok());
}

#[test]
fn rejects_non_numeric_and_out_of_range_epochs() {
    for (epoch, expect_range) in [
        ("\"9\"", false),
        ("9.5", false),
        ("-9", false),
        ("1e3", false),
        ("0", true),
        ("2147483648", true),
        ("99999999999999999999999", false),
    ] {
        let json = format!(
            r#"{{"Statement":[{{"Condition":{{"DateLessThan":{{"AWS:EpochTime":{epoch}}}}}}}]}}"#
        );
        let err = CustomPolicy::from_json(json.as_bytes()).unwrap_err();
        if expect_range {
            assert!(
                matches!(err, PolicyError::EpochOutOfRange { .. }),
                "{epoch}: {err}"
            );
        } else {
            assert!(matches!(err, PolicyError::Json { .. }), "{epoch}: {err}");
        }
    }
}

#[test]
fn rejects_missing_date_less_than_unknown_and_duplicate_fields() {
    for json in [
        r#"{"Statement":[{"Resource":"x","Condition":{}}]}"#,
        r#"{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":9}},"Effect":"Allow"}]}"#,
        r#"{"Statement":[{"Resource":"x","Resource":"y","Condition":{"DateLessThan":{"AWS:EpochTime":9}}}]}"#,
        r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9,"AWS:EpochTime":10}}}]}"#,
        r#"{"Statement":{"Condition":{"DateLessThan":{"AWS:EpochTime":9}}}}"#,
        r#"[]"#,
        r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9}}}]"#,
        "",
    ] {
        assert!(
            matches!(
                CustomPolicy::from_json(json.as_bytes()),
                Err(PolicyError::Json { .. })
            ),
            "{json}"
        );
    }
}

#[test]
fn rejects_ipv6_and_invalid_source_ip() {
    for ip in ["2001:db8::/32", "10.0.0.0/40", "10.0.0"] {
        let json = format!(
            r#"{{"Statement":[{{"Condition":{{"DateLessThan":{{"AWS:EpochTime":9}},"IpAddress":{{"AWS:SourceIp":"{ip}"}}}}}}]}}"#
        );
        assert!(
            matches!(
                CustomPolicy::from_json(json.as_bytes()),
                Err(PolicyError::IpAddress(
                    CidrError::InvalidAddress { .. } | CidrError::InvalidPrefix { .. }
                ))
            ),
            "{ip}"
        );
    }
}

#[test]
fn rejects_an_empty_time_window() {
    let json = r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9},"DateGreaterThan":{"AWS:EpochTime":9}}}]}"#;
    assert_eq!(
        CustomPolicy::from_json(json.as_bytes()),
        Err(PolicyError::EmptyWindow { start: 9, end: 9 })
    );
}

#[test]
fn rejects_non_utf8_oversized_and_non_base64_policies() {
    assert_eq!(
        CustomPolicy::from_json(&[0xff, 0xfe]),
        Err(PolicyError::NotUtf8)
    );
    let big = vec![b'{'; MAX_POLICY_LEN + 1];
    assert!(matches!(
        CustomPolicy::from_json(&big),
        Err(PolicyError::TooLong { .. })
    ));
    assert!(matches!(
        CustomPolicy::from_base64("eyJ+"),
        Err(PolicyError::Encoding(_))
    ));
}

fn arb_policy() -> impl Strategy<Value = CustomPolicy> {
    (
        proptest::option::of("[ -~]{0,40}|\\PC{0,20}"),
        2u64..=MAX_EPOCH,
        proptest::option::of(any::<u32>()),
        proptest::option::of((any::<[u8; 4]>(), 0u8..=32)),
    )
        .prop_map(|(resource, end, start, ip)| {
            let mut p = CustomPolicy::new(resource, end).unwrap();
            if let Some(start) = start {
                p = p
                    .with_date_greater_than(1 + u64::from(start) % (end - 1))
                    .unwrap();
            }
            if let Some((octets, prefix)) = ip {
                let cidr = format!("{}/{prefix}", std::net::Ipv4Addr::from(octets));
                p = p.with_ip_address(cidr.parse().unwrap());
            }
            p
        })
}

proptest! {
    #[test]
    fn any_policy_round_trips_through_base64(p in arb_policy()) {
        let (parsed, _) = CustomPolicy::from_base64(&p.to_base64()).unwrap();
        prop_assert_eq!(&parsed, &p);
        let botocore = p.to_json_with(SignerStyle::Botocore);
        prop_assert_eq!(CustomPolicy::from_json(botocore.as_bytes()).unwrap(), p);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = CustomPolicy::from_json(&bytes);
    }

    #[test]
    fn parse_never_panics_on_policy_like_text(text in r#"\{"Statement":\[\{[ -~]{0,80}\}\]\}"#) {
        let _ = CustomPolicy::from_json(text.as_bytes());
    }
}

#[test]
fn custom_policy_covers_the_urls_its_resource_matches_and_no_resource_covers_all() {
    let videos = CustomPolicy::new(Some("https://d.example/v?deos/*".into()), 2000).unwrap();
    assert!(videos.covers("https://d.example/videos/a.mp4"));
    assert!(videos.covers("https://d.example/v1deos/"));
    assert!(!videos.covers("https://d.example/Videos/a.mp4"));
    assert!(!videos.covers("https://d.example/images/a.png"));
    let everything = CustomPolicy::new(None, 2000).unwrap();
    assert!(everything.covers("https://any.example/thing"));
}
