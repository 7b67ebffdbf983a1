//! CloudFront's URL-safe base64: standard base64, then `+` -> `-`, `=` -> `_`, `/` -> `~`.
//!
//! AWS: "Use a URL-safe version of base64 encoding" in *Create a signed URL using a canned
//! policy*. This alphabet is neither RFC 4648 `base64url` nor the standard one, so we map the
//! three characters by hand around the standard engine.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use crate::error::EncodingError;

/// Longest CloudFront-base64 value (`Policy`, `Signature`, their cookies) we decode, in bytes.
/// A policy or signature is far smaller; the cap keeps hostile cookies from costing memory
/// before anything is checked.
pub const MAX_ENCODED_LEN: usize = 16 * 1024;

/// Decodes with or without padding: CloudFront pads, but some hand-rolled signers strip it.
const STANDARD_LENIENT_PADDING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encodes bytes the way CloudFront expects in `Policy`, `Signature` and their cookies.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            other => other,
        })
        .collect()
}

/// Decodes CloudFront base64 back to bytes.
///
/// Rejects characters outside the CloudFront alphabet (including the standard `+`, `/`
/// and `=`, which CloudFront never emits), inputs over [`MAX_ENCODED_LEN`], and bad lengths.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, EncodingError> {
    if text.len() > MAX_ENCODED_LEN {
        return Err(EncodingError::TooLong {
            len: text.len(),
            max: MAX_ENCODED_LEN,
        });
    }
    if text.is_empty() {
        return Err(EncodingError::Empty);
    }
    // Byte by byte: every accepted character is ASCII, and a multi-byte character fails at
    // its first byte, the index `char_indices` would give.
    let mut standard = Vec::with_capacity(text.len());
    for (index, &byte) in text.as_bytes().iter().enumerate() {
        standard.push(match byte {
            b'-' => b'+',
            b'_' => b'=',
            b'~' => b'/',
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => byte,
            _ => return Err(EncodingError::InvalidCharacter { index }),
        });
    }
    STANDARD_LENIENT_PADDING
        .decode(&standard)
        .map_err(|_| EncodingError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn maps_the_three_special_characters() {
        // 0xfb 0xef 0xbe encodes to "++++" in standard base64; 0xff 0xff to "//8=".
        assert_eq!(encode(&[0xfb, 0xef, 0xbe]), "----");
        assert_eq!(encode(&[0xff, 0xff]), "~~8_");
    }

    #[test]
    fn rejects_standard_base64_characters() {
        assert_eq!(
            decode("ab+c"),
            Err(EncodingError::InvalidCharacter { index: 2 })
        );
        assert_eq!(
            decode("ab/c"),
            Err(EncodingError::InvalidCharacter { index: 2 })
        );
        assert_eq!(
            decode("abc="),
            Err(EncodingError::InvalidCharacter { index: 3 })
        );
    }

    #[test]
    fn rejects_truncated_misplaced_padding_and_empty_input() {
        assert_eq!(decode("a"), Err(EncodingError::Malformed));
        assert_eq!(decode(""), Err(EncodingError::Empty));
        assert_eq!(decode("ab_c"), Err(EncodingError::Malformed));
    }

    #[test]
    fn rejects_non_ascii_and_oversized_input() {
        assert_eq!(
            decode("abé"),
            Err(EncodingError::InvalidCharacter { index: 2 })
        );
        let long = "A".repeat(MAX_ENCODED_LEN + 4);
        assert!(matches!(decode(&long), Err(EncodingError::TooLong { .. })));
    }

    #[test]
    fn accepts_missing_padding() {
        assert_eq!(decode("~~8").unwrap(), vec![0xff, 0xff]);
    }

    proptest! {
        #[test]
        fn round_trips_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 1..2048)) {
            let text = encode(&bytes);
            prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_~".contains(&b)));
            prop_assert_eq!(decode(&text).unwrap(), bytes);
        }

        #[test]
        fn never_panics_on_arbitrary_text(text in ".{0,64}") {
            let _ = decode(&text);
        }
    }
}
