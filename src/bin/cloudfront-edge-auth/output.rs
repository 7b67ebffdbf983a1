//! Buffered stdout whose write errors become [`Failure`]s (exit status 3).

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
