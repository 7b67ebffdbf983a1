//! A strict JSON reader (RFC 8259) for the small documents the core reads: policies, JWT
//! headers and claims, JWKS.
//!
//! Why not serde_json: its derived readers pulled float formatting (for error messages) and
//! ~55 KB of generic code into the WASM module, a quarter of the size target (issue 8).
//! What it refuses that plain JSON allows: a key repeated in one object (RFC 8259 §4 leaves
//! the meaning open; a second `iss` or `Resource` must not slip past a check on the first),
//! nesting deeper than [`MAX_DEPTH`], and (as serde_json) a number beyond `f64`'s range.
//! Numbers are kept as their text and read as `u64` or `f64` where a field asks for one.

use std::fmt;

/// Deepest nesting of arrays and objects read.
pub const MAX_DEPTH: usize = 32;

/// A parsed JSON value. Objects keep their members in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (`-12.5e3`).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members, no key twice.
    Object(Vec<(String, Json)>),
}

/// Why a text is not (acceptable) JSON, or a value is not of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Json {
    /// Parses one JSON value; surrounding whitespace is allowed, anything else is not.
    ///
    /// ```
    /// use cloudfront_edge_auth::json::Json;
    /// let v = Json::parse(r#"{"a": [1, "x\u00e9"]}"#).unwrap();
    /// assert_eq!(v.get("a").unwrap(), &Json::Array(vec![Json::Number("1".into()), Json::String("xé".into())]));
    /// assert!(Json::parse(r#"{"a": 1, "a": 2}"#).is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = reader.value(0)?;
        reader.skip_whitespace();
        if reader.at != reader.bytes.len() {
            return Err(reader.error("trailing characters"));
        }
        Ok(value)
    }

    /// The members of an object; an error naming `what` for any other value.
    pub fn members(&self, what: &str) -> Result<&[(String, Json)], JsonError> {
        match self {
            Json::Object(members) => Ok(members),
            _ => Err(JsonError::expected(what, "an object")),
        }
    }

    /// The member `key` of an object (`None` for a missing key, or for anything but an object).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member `key`, or an error saying it is missing.
    pub fn required(&self, key: &str) -> Result<&Json, JsonError> {
        self.get(key).ok_or_else(|| JsonError::missing(key))
    }

    /// The member `key`, treating `null` as absent (as an optional field reads).
    pub fn optional(&self, key: &str) -> Option<&Json> {
        self.get(key).filter(|v| **v != Json::Null)
    }

    /// The string member `key`, absent or `null` as `None`, an error for any other value.
    pub fn optional_string(&self, key: &str) -> Result<Option<String>, JsonError> {
        self.optional(key)
            .map(|v| v.as_str(key).map(str::to_string))
            .transpose()
    }

    /// A string, or an error naming `what`.
    pub fn as_str(&self, what: &str) -> Result<&str, JsonError> {
        match self {
            Json::String(s) => Ok(s),
            _ => Err(JsonError::expected(what, "a string")),
        }
    }

    /// An array of strings, or an error naming `what`.
    pub fn as_strings(&self, what: &str) -> Result<Vec<String>, JsonError> {
        match self {
            Json::Array(items) => items
                .iter()
                .map(|item| item.as_str(what).map(str::to_string))
                .collect(),
            _ => Err(JsonError::expected(what, "an array of strings")),
        }
    }

    /// A non-negative integer written without fraction or exponent that fits a `u64`.
    pub fn as_u64(&self, what: &str) -> Result<u64, JsonError> {
        match self {
            Json::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n
                .parse()
                .map_err(|_| JsonError::expected(what, "an integer below 2^64")),
            _ => Err(JsonError::expected(what, "a non-negative integer")),
        }
    }

    /// Any number, as the nearest `f64`.
    pub fn as_f64(&self, what: &str) -> Result<f64, JsonError> {
        match self {
            Json::Number(n) => n.parse().map_err(|_| JsonError::expected(what, "a number")),
            _ => Err(JsonError::expected(what, "a number")),
        }
    }

    /// Refuses an object member not in `known`, naming it.
    pub fn deny_unknown(&self, what: &str, known: &[&str]) -> Result<(), JsonError> {
        match self
            .members(what)?
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            Some((key, _)) => Err(JsonError(format!(
                "unknown field {key:?} in {what}, expected one of {known:?}"
            ))),
            None => Ok(()),
        }
    }
}

impl JsonError {
    /// `what` is present but of another kind.
    pub fn expected(what: &str, kind: &str) -> JsonError {
        JsonError(format!("{what} must be {kind}"))
    }

    /// A required field is absent.
    pub fn missing(what: &str) -> JsonError {
        JsonError(format!("missing field {what}"))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> JsonError {
        JsonError(format!("invalid JSON at byte {}: {what}", self.at))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.at += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        if self.eat(b'}') {
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key_at = self.at;
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                self.at = key_at;
                return Err(self.error(&format!("duplicate key {key:?}")));
            }
            if !self.eat(b':') {
                return Err(self.error("expected ':'"));
            }
            members.push((key, self.value(depth + 1)?));
            if self.eat(b'}') {
                return Ok(Json::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or '}'"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.at += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.eat(b']') {
                return Ok(Json::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or ']'"));
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.at;
        self.at += usize::from(self.peek() == Some(b'-'));
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            self.at += usize::from(matches!(self.peek(), Some(b'+' | b'-')));
            self.required_digits()?;
        }
        // The grammar above only consumed ASCII.
        let text = String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned();
        // As serde_json does: a number no f64 can hold is an error, not an infinity.
        if text.parse::<f64>().is_ok_and(f64::is_infinite) {
            self.at = start;
            return Err(self.error("number out of range"));
        }
        Ok(Json::Number(text))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("expected a digit"));
        }
        self.digits();
        Ok(())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters up to the next quote, backslash or control
            // character at once (the input is a `str`, so the run is valid UTF-8).
            let run = self.bytes[self.at..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .ok_or_else(|| self.error("unterminated string"))?;
            out.push_str(&String::from_utf8_lossy(
                &self.bytes[self.at..self.at + run],
            ));
            self.at += run;
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(self.error("control character in string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let byte = self
            .peek()
            .ok_or_else(|| self.error("unterminated string"))?;
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xd800..0xdc00).contains(&first) {
                    // A high surrogate must be followed by an escaped low one.
                    if !self.bytes[self.at..].starts_with(b"\\u") {
                        return Err(self.error("unpaired surrogate"));
                    }
                    self.at += 2;
                    let second = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&second) {
                        return Err(self.error("unpaired surrogate"));
                    }
                    0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
                } else {
                    first
                };
                char::from_u32(code).ok_or_else(|| self.error("unpaired surrogate"))?
            }
            _ => return Err(self.error("invalid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.error("expected four hex digits"))?;
        let code = digits.iter().fold(0, |acc, &d| {
            acc * 16 + (d as char).to_digit(16).unwrap_or(0)
        });
        self.at += 4;
        Ok(code)
    }
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
