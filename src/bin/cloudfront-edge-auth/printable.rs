//! Text from a request or a file made safe to print on a terminal, one line.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control or other non-printing character (ESC, a line break, a bidi
/// override) written as a Rust escape such as `\u{1b}`: text taken from an unsigned request
/// must not add lines to the output or drive the terminal. Quotes and backslashes stay as
/// they are, so a policy's JSON still reads as JSON.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether Rust's own Debug escaping would escape `c` for any reason but quoting.
fn needs_escape(c: char) -> bool {
    !matches!(c, '"' | '\'' | '\\') && c.escape_debug().nth(1).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_control_and_invisible_characters_only() {
        assert_eq!(
            printable("https://d.example/a\"b'\\c é"),
            "https://d.example/a\"b'\\c é"
        );
        assert_eq!(
            printable("x\naccepted: key K\u{1b}[2J\r\t\u{202e}\u{7f}"),
            "x\\u{a}accepted: key K\\u{1b}[2J\\u{d}\\u{9}\\u{202e}\\u{7f}"
        );
    }
}
