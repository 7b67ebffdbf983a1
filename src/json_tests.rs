use proptest::prelude::*;

use super::*;

fn num(text: &str) -> Json {
    Json::Number(text.into())
}

fn string(text: &str) -> Json {
    Json::String(text.into())
}

#[test]
fn reads_every_kind_of_value() {
    let parsed = Json::parse(
        " {\"a\":[true,false,null,0,-1.5e+3,\"\"],\r\n\t\"b\":{},\"c\":[],\"d\":\"x\"} ",
    )
    .unwrap();
    assert_eq!(
        parsed,
        Json::Object(vec![
            (
                "a".into(),
                Json::Array(vec![
                    Json::Bool(true),
                    Json::Bool(false),
                    Json::Null,
                    num("0"),
                    num("-1.5e+3"),
                    string(""),
                ])
            ),
            ("b".into(), Json::Object(vec![])),
            ("c".into(), Json::Array(vec![])),
            ("d".into(), string("x")),
        ])
    );
}

#[test]
fn unescapes_strings_including_surrogate_pairs() {
    assert_eq!(
        Json::parse(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00é""#).unwrap(),
        string("\"\\/\u{8}\u{c}\n\r\tAé€😀é")
    );
}

#[test]
fn refuses_malformed_text_with_its_position() {
    for (text, at) in [
        ("", 0),
        ("   ", 3),
        ("{", 1),
        ("{\"a\"}", 4),
        ("{\"a\":}", 5),
        ("{\"a\":1,}", 7),
        ("{a:1}", 1),
        ("{'a':1}", 1),
        ("[1,]", 3),
        ("[1 2]", 3),
        ("01", 1),
        ("-", 1),
        ("1.", 2),
        (".5", 0),
        ("1e", 2),
        ("1e+", 3),
        ("+1", 0),
        ("NaN", 0),
        ("Infinity", 0),
        ("tru", 0),
        ("nul", 0),
        ("\"abc", 1),
        ("\"a\u{1}b\"", 2),
        ("\"\\x\"", 3),
        ("\"\\u12\"", 3),
        ("\"\\ud800\"", 7),
        ("\"\\ud800\\u0041\"", 13),
        ("\"\\udc00\"", 7),
        ("1 2", 2),
        ("{} x", 3),
    ] {
        let err = Json::parse(text).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("invalid JSON at byte {at}:")),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn refuses_a_repeated_key_at_any_depth() {
    for text in [
        r#"{"a":1,"a":1}"#,
        r#"{"a":1,"b":2,"a":3}"#,
        r#"[{"x":{"k":1,"k":2}}]"#,
        r#"{"a":{},"a":null}"#,
    ] {
        let err = Json::parse(text).unwrap_err().to_string();
        assert!(err.contains("duplicate key"), "{text}: {err}");
    }
    // The same key in sibling objects is fine.
    assert!(Json::parse(r#"[{"a":1},{"a":2}]"#).is_ok());
}

#[test]
fn caps_nesting_depth() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(Json::parse(&nested(MAX_DEPTH + 1)).is_ok());
    let err = Json::parse(&nested(MAX_DEPTH + 2)).unwrap_err().to_string();
    assert!(err.contains("nested too deeply"), "{err}");
    // Deep input fails fast instead of exhausting the stack.
    assert!(Json::parse(&nested(100_000)).is_err());
}

#[test]
fn typed_reads_name_the_field() {
    let value = Json::parse(
        r#"{"n":12,"f":1.5,"neg":-1,"big":18446744073709551616,"s":"x","l":["a",1],"z":null}"#,
    )
    .unwrap();
    let get = |k: &str| value.get(k).unwrap();
    assert_eq!(get("n").as_u64("n"), Ok(12));
    assert_eq!(get("n").as_f64("n"), Ok(12.0));
    assert_eq!(get("f").as_f64("f"), Ok(1.5));
    for key in ["f", "neg", "big", "s"] {
        assert!(get(key)
            .as_u64(key)
            .unwrap_err()
            .to_string()
            .starts_with(key));
    }
    assert_eq!(get("s").as_str("s"), Ok("x"));
    assert!(get("n").as_str("n").is_err());
    assert!(get("l").as_strings("l").is_err());
    assert_eq!(value.optional_string("s"), Ok(Some("x".into())));
    assert_eq!(value.optional_string("z"), Ok(None));
    assert_eq!(value.optional_string("absent"), Ok(None));
    assert!(value.optional_string("n").is_err());
    assert!(value.deny_unknown("doc", &["n"]).is_err());
    assert!(Json::Null.members("doc").is_err());
}

/// serde_json as the reference: JSON texts it builds from random values read back as the
/// same values (numbers compared as `f64`, within an ulp or two: serde_json's default float
/// parser is not always correctly rounded, Rust's is).
fn same(ours: &Json, reference: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (ours, reference) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Number(a), Value::Number(b)) => match (a.parse::<f64>(), b.as_f64()) {
            (Ok(x), Some(y)) => {
                x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
            }
            _ => false,
        },
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

fn values() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn reads_what_serde_json_writes(value in values(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            value.to_string()
        };
        let ours = Json::parse(&text).unwrap();
        prop_assert!(same(&ours, &value), "{}", text);
    }

    /// Mutated JSON: whatever we accept, serde_json accepts as the same value; whatever
    /// serde_json accepts, we accept unless it repeats a key or nests deeper than our cap.
    #[test]
    fn agrees_with_serde_json_on_mutated_text(
        value in values(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..4),
    ) {
        let mut bytes = value.to_string().into_bytes();
        for (index, byte, kind) in edits {
            let at = index.index(bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        let reference: Result<serde_json::Value, _> = serde_json::from_str(&text);
        match (Json::parse(&text), reference) {
            (Ok(ours), Ok(theirs)) => prop_assert!(same(&ours, &theirs), "{}", text),
            (Ok(_), Err(e)) => prop_assert!(false, "we accept, serde_json refuses ({}): {}", e, text),
            (Err(ours), Ok(_)) => prop_assert!(
                ours.to_string().contains("duplicate key"),
                "serde_json accepts, we refuse ({}): {}", ours, text
            ),
            (Err(_), Err(_)) => {}
        }
    }
}
