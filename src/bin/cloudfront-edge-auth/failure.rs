//! Why a command failed, and the exit status each kind of failure maps to.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use crate::printable::printable;

/// The program's name, at the start of every diagnostic.
pub const NAME: &str = "cloudfront-edge-auth";

/// A diagnostic that does not stop the command.
pub fn warn(message: &str) {
    diagnostic("warning", &one_line(message));
}

/// Writes `NAME: kind: message` to stderr. A stderr that cannot be written (`2>/dev/full`, a
/// closed pipe) loses the line but never changes the outcome: `eprintln!` would panic and
/// abort instead of exiting with the documented status.
pub fn diagnostic(kind: &str, message: &str) {
    use std::io::Write;
    let line = format!("{NAME}: {kind}: {message}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Exit status: success (signed, written, accepted, nothing wrong found).
pub const EXIT_OK: u8 = 0;
/// Exit status: `verify` refused the credentials, or `inspect` found something wrong.
pub const EXIT_REFUSED: u8 = 1;
/// Exit status: bad usage or bad input (flag, date, URL, key, policy values).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: a file, stdin or stdout could not be read or written.
pub const EXIT_IO: u8 = 3;
/// Exit status: an internal failure that valid input should never cause.
pub const EXIT_INTERNAL: u8 = 4;

/// A failure, reported as one line on stderr.
#[derive(Debug)]
pub struct Failure {
    status: u8,
    message: String,
    /// The verdict already reached when writing it failed (see [`Failure::with_outcome`]).
    outcome: Option<Outcome>,
}

impl Failure {
    /// Bad usage or bad input: exit status 2.
    pub fn input(message: impl Into<String>) -> Self {
        Failure {
            status: EXIT_USAGE,
            message: message.into(),
            outcome: None,
        }
    }

    /// An I/O failure on `what` (a path, `stdin`, `stdout`): exit status 3.
    pub fn io(what: impl fmt::Display, error: &std::io::Error) -> Self {
        Failure {
            status: EXIT_IO,
            message: format!("{what}: {}", describe_io(error)),
            outcome: None,
        }
    }

    /// An I/O failure on a file.
    pub fn file(path: &Path, error: &std::io::Error) -> Self {
        Failure::io(path.display(), error)
    }

    /// Something that valid input never causes: exit status 4.
    pub fn internal(message: impl Into<String>) -> Self {
        Failure {
            status: EXIT_INTERNAL,
            message: message.into(),
            outcome: None,
        }
    }

    /// The same failure, its message prefixed with where it happened (`urls.txt: line 3`).
    pub fn context(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }

    /// Whether this is a closed stdout (`... | head`), which ends the program quietly.
    pub fn is_broken_pipe(&self) -> bool {
        self.status == EXIT_IO && self.message.ends_with(BROKEN_PIPE)
    }

    /// The same failure, for a command that had reached `outcome` (a denial) before it.
    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = Some(outcome);
        self
    }

    /// The exit status of a command that ended quietly on a closed stdout: the verdict it
    /// had reached if any (a denial stays 1), else success (`sign-url --batch ... | head`).
    pub fn broken_pipe_exit_code(&self) -> ExitCode {
        self.outcome.unwrap_or(Outcome::Ok).exit_code()
    }

    /// The exit status.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.status)
    }

    /// The message, forced onto one line.
    pub fn message(&self) -> String {
        one_line(&self.message)
    }
}

/// The exit status of a completed command: 0 or [`EXIT_REFUSED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine.
    Ok,
    /// The credentials were refused or have a problem.
    Refused,
}

impl Outcome {
    /// The exit status.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Ok => ExitCode::from(EXIT_OK),
            Outcome::Refused => ExitCode::from(EXIT_REFUSED),
        }
    }
}

const BROKEN_PIPE: &str = "broken pipe";

fn describe_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file or directory".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::AlreadyExists => "already exists (pass --force to overwrite)".into(),
        ErrorKind::BrokenPipe => BROKEN_PIPE.into(),
        ErrorKind::InvalidData => "not valid UTF-8 text".into(),
        _ => error.to_string(),
    }
}

/// Diagnostics are one line each, whatever the library or the OS put in a message, and
/// carry no control characters (a message may quote a request or a file name).
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for part in text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&printable(part));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_forced_onto_one_line() {
        assert_eq!(one_line("a\n\n  b\r\nc"), "a; b; c");
        assert_eq!(Failure::input("x\ny").message(), "x; y");
        assert_eq!(one_line("a\u{1b}[2J\tb"), "a\\u{1b}[2J\\u{9}b");
    }

    #[test]
    fn io_failures_describe_the_common_kinds() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        let f = Failure::file(Path::new("/nope"), &e);
        assert_eq!(f.message(), "/nope: no such file or directory");
        let e = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(Failure::io("stdout", &e).is_broken_pipe());
    }
}
