//! Reading a custom policy's JSON: one pass of serde_json into typed structs, after the one
//! check serde cannot make (no whitespace outside strings, as CloudFront's own reader).

use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::error::PolicyError;

/// The fields of a custom policy's one statement, not yet checked for range.
pub(super) struct Fields {
    pub(super) resource: Option<String>,
    pub(super) date_less_than: u64,
    pub(super) date_greater_than: Option<u64>,
    pub(super) ip_address: Option<String>,
}

/// Reads `text` as a policy with exactly one statement.
pub(super) fn custom_policy_fields(text: &str) -> Result<Fields, PolicyError> {
    if let Some(index) = whitespace_outside_strings(text) {
        return Err(PolicyError::Whitespace { index });
    }
    let Object(raw) =
        serde_json::from_str::<Object<RawPolicy>>(text).map_err(|e| PolicyError::Json {
            detail: e.to_string(),
        })?;
    let [Object(statement)] = <[Object<RawStatement>; 1]>::try_from(raw.statement)
        .map_err(|all| PolicyError::StatementCount { count: all.len() })?;
    let Object(condition) = statement.condition;
    Ok(Fields {
        resource: statement.resource,
        date_less_than: condition.date_less_than.0.epoch_time,
        date_greater_than: condition
            .date_greater_than
            .map(|Object(start)| start.epoch_time),
        ip_address: condition.ip_address.map(|Object(ip)| ip.source_ip),
    })
}

fn whitespace_outside_strings(text: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (index, byte) in text.bytes().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            return Some(index);
        }
    }
    None
}

// The policy JSON's shape, read strictly by serde_json into typed structs: no unknown field
// (`deny_unknown_fields`), no repeated one (the derive refuses a duplicate field), `null` only
// where a field is optional, every object an object (see `Object`). One pass, linear in the
// input: a hostile policy costs what a valid one of its size costs.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(rename = "Statement")]
    statement: Vec<Object<RawStatement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    #[serde(rename = "Resource", default)]
    resource: Option<String>,
    #[serde(rename = "Condition")]
    condition: Object<RawCondition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(rename = "DateLessThan")]
    date_less_than: Object<EpochTime>,
    #[serde(rename = "DateGreaterThan", default)]
    date_greater_than: Option<Object<EpochTime>>,
    #[serde(rename = "IpAddress", default)]
    ip_address: Option<Object<SourceIp>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochTime {
    #[serde(rename = "AWS:EpochTime")]
    epoch_time: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceIp {
    #[serde(rename = "AWS:SourceIp")]
    source_ip: String,
}

/// `T` read from a JSON object and nothing else: a derived struct would also take a JSON array
/// of its fields in order (`[[{"Condition":...}]]`), which CloudFront's policy is not.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}
