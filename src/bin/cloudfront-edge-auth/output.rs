//! Buffered stdout whose write errors become [`Failure`]s (exit status 3).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{BufWriter, StdoutLock, Write};

use crate::failure::Failure;

/// Standard output, buffered: data only, never diagnostics.
pub struct Stdout {
    inner: BufWriter<StdoutLock<'static>>,
}

impl Stdout {
    /// Locks stdout for the life of the program.
    pub fn new() -> Self {
        Stdout {
            inner: BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
        }
    }

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) -> Result<(), Failure> {
        self.inner
            .write_all(text.as_bytes())
            .and_then(|()| self.inner.write_all(b"\n"))
            .map_err(|e| Failure::io("stdout", &e))
    }

    /// The writer itself, for many small writes; map errors with [`Stdout::error`].
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.inner
    }

    /// An error of [`Stdout::writer`] as a failure.
    pub fn error(e: &std::io::Error) -> Failure {
        Failure::io("stdout", e)
    }

    /// Pushes out what is buffered.
    pub fn flush(&mut self) -> Result<(), Failure> {
        self.inner.flush().map_err(|e| Failure::io("stdout", &e))
    }
}

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
