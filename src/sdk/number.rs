//! JavaScript's `Number(string)` (ECMA-262 *StringToNumber*), which the SDK's CIDR check runs
//! on each octet and on the mask. Reproduced so `ipAddress` is accepted or refused exactly as
//! the SDK does: `Number(" 7")`, `Number("0x1F")`, `Number("1e2")` and `Number("")` are all
//! integers to it.
//!
//! In wasm32 builds the platform's own `Number()` answers (exact by definition, and Rust's
//! float parser would add ~30 KB to the module); the port below is what native builds and
//! their tests use.

/// `Number(text)`, JavaScript's own.
#[cfg(target_arch = "wasm32")]
pub(crate) fn js_number(text: &str) -> f64 {
    // Unary `+` is ToNumber, which `Number(string)` is.
    wasm_bindgen::JsValue::from_str(text).unchecked_into_f64()
}

/// `Number(text)`: NaN where JavaScript gives NaN.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn js_number(text: &str) -> f64 {
    let text = text.trim_matches(is_js_whitespace);
    if text.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = text.strip_prefix(prefix) {
            return non_decimal(digits, radix);
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned == "Infinity" {
        return if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    if !is_decimal_literal(unsigned) {
        return f64::NAN;
    }
    // The grammar is checked above; Rust's reading of such a literal is the nearest double,
    // as JavaScript's is.
    text.parse().unwrap_or(f64::NAN)
}

/// `0x..`, `0o..`, `0b..` digits (no sign, no separators).
#[cfg(not(target_arch = "wasm32"))]
fn non_decimal(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() {
        return f64::NAN;
    }
    let mut value = 0.0_f64;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => value = value * f64::from(radix) + f64::from(d),
            None => return f64::NAN,
        }
    }
    value
}

/// *StrUnsignedDecimalLiteral* without `Infinity`: `1`, `1.`, `.5`, `1.5e-3`.
#[cfg(not(target_arch = "wasm32"))]
fn is_decimal_literal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// ECMA-262 *WhiteSpace* and *LineTerminator* (not Rust's `char::is_whitespace`: that one
/// takes U+0085 and leaves out U+FEFF).
#[cfg(not(target_arch = "wasm32"))]
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn reads_what_javascript_number_reads() {
        for (text, value) in [
            ("", 0.0),
            ("  ", 0.0),
            ("7", 7.0),
            (" 7\n", 7.0),
            ("\u{feff}7", 7.0),
            ("+5", 5.0),
            ("-0", -0.0),
            ("1e2", 100.0),
            ("25E1", 250.0),
            ("1.", 1.0),
            (".5", 0.5),
            ("1e-400", 0.0),
            ("0x1F", 31.0),
            ("0o17", 15.0),
            ("0b11", 3.0),
            ("007", 7.0),
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            assert_eq!(js_number(text), value, "Number({text:?})");
        }
    }

    #[test]
    fn gives_nan_where_javascript_does() {
        for text in [
            "a", "0x", "-0x1", "1_000", "inf", "nan", "infinity", ".", "e5", "1e", "1e+", "--1",
            "1 2", "\u{85}7", "0x1G",
        ] {
            assert!(js_number(text).is_nan(), "Number({text:?}) is NaN");
        }
    }
}
