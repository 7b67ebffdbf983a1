//! `cloudfront-edge-auth`: sign, verify and inspect Amazon CloudFront signed URLs and signed
//! cookies from the command line. Every cryptographic step is the library's; this binary
//! only reads flags and files and prints results.
//!
//! # Commands
//! - `keygen [--type rsa|ecdsa-p256] [--bits 2048] [--out DIR] [--force]`
//! - `sign-url (--url U | --batch FILE|-) [--policy-resource R] --key-pair-id ID
//!   --private-key file://PATH --date-less-than T [--date-greater-than T] [--ip-address CIDR]
//!   [--hash-algorithm SHA1|SHA256] [--passphrase-file PATH]`: the bytes `aws cloudfront sign`
//!   prints (AWS CLI v2's rules where v1 and v2 differ: `sign-url --help`).
//! - `sign-cookies --url U ...same... [--path P] [--domain D]
//!   [--format set-cookie|json|curl|header]`: the cookies `getSignedCookies` returns.
//! - `verify --public-key ID=file://PATH... --url U [--cookie HEADER] [--ip IP] [--now T]
//!   [--format text|json]`
//! - `inspect (--url U | --cookie HEADER) [--ip IP] [--now T]`
//!
//! # Exit status (stable)
//! - `0`: success (signed, keys written, credentials accepted, nothing wrong found)
//! - `1`: refused (`verify` denied the credentials, `inspect` found a problem)
//! - `2`: usage or bad input (unknown flag, bad date, URL, CIDR, key PEM)
//! - `3`: I/O (a file, stdin or stdout could not be read or written)
//! - `4`: internal error (valid input never causes it)
//!
//! Data goes to stdout; diagnostics go to stderr, one line each, prefixed
//! `cloudfront-edge-auth: error:` or `cloudfront-edge-auth: warning:`.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod batch;
mod check;
mod cli;
mod conditions;
mod dates;
mod failure;
mod keyfile;
mod output;
mod paramfile;
mod printable;
mod resource;
mod sign;
mod url_signer;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use crate::cli::{Cli, Command, KeyType};
use crate::failure::{diagnostic, one_line, warn, Failure, Outcome, EXIT_USAGE, NAME};
use crate::output::Stdout;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let mut out = Stdout::new();
    let result = run(cli.command, &mut out).and_then(|outcome| {
        out.flush()
            .map(|()| outcome)
            .map_err(|failure| failure.with_outcome(outcome))
    });
    match result {
        Ok(outcome) => outcome.exit_code(),
        // A reader that stops early (`| head`) is not an error worth a message, but it does
        // not turn a denial into success either.
        Err(failure) if failure.is_broken_pipe() => failure.broken_pipe_exit_code(),
        Err(failure) => {
            diagnostic("error", &failure.message());
            failure.exit_code()
        }
    }
}

fn run(command: Command, out: &mut Stdout) -> Result<Outcome, Failure> {
    match command {
        Command::Keygen(args) => {
            let bits = usize::from(args.bits);
            if args.key_type == KeyType::Rsa && bits != 2048 {
                warn(&format!(
                    "CloudFront's console and API take 2048-bit RSA keys; a {bits}-bit key \
                     works with this tool but CloudFront may refuse it"
                ));
            }
            let (private, public) = keyfile::keygen(args.key_type, bits, &args.out, args.force)?;
            out.line(&private.display().to_string())?;
            out.line(&public.display().to_string())?;
            Ok(Outcome::Ok)
        }
        Command::SignUrl(args) => sign::sign_url(&args, out).map(|()| Outcome::Ok),
        Command::SignCookies(args) => sign::sign_cookies(&args, out).map(|()| Outcome::Ok),
        Command::Verify(args) => check::verify(&args, out),
        Command::Inspect(args) => check::inspect(&args, out),
    }
}

/// `--help` and `--version` go to stdout; a usage error becomes one line on stderr.
fn usage_error(error: &clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        // clap writes the text unbuffered, to stdout; a reader gone early (`| head`) is no
        // failure, a stdout that cannot be written (`>/dev/full`) is.
        return match error.print() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                let failure = Failure::io("stdout", &e);
                diagnostic("error", &failure.message());
                failure.exit_code()
            }
            _ => ExitCode::SUCCESS,
        };
    }
    let rendered = error.render().to_string();
    let message = match error.kind() {
        // clap would print the whole help here; one line names the choices instead.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            "a command is required: keygen, sign-url, sign-cookies, verify or inspect".to_string()
        }
        // The first paragraph is the error (a list of missing flags spans several lines);
        // the usage and tips after it are left to --help.
        _ => rendered
            .trim_start()
            .split("\n\n")
            .next()
            .unwrap_or("invalid arguments")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    };
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let message = one_line(&without_key_text(message));
    diagnostic("error", &format!("{message} (try '{NAME} --help')"));
    ExitCode::from(EXIT_USAGE)
}

/// clap quotes the values it refuses (`unexpected argument '...'`): one that looks like key
/// material (PEM text pasted where a flag was expected, or a long base64 run) is left out,
/// so a private key never reaches a terminal's scrollback or a CI log.
fn without_key_text(message: &str) -> String {
    message
        .split('\'')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 && looks_like_key(part) {
                "(key text, not shown)"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("'")
}

fn looks_like_key(text: &str) -> bool {
    let base64_run = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        .any(|run| run.len() >= 40);
    text.contains("-----") || text.contains("PRIVATE KEY") || base64_run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_leave_out_values_that_look_like_keys() {
        let pem = "unexpected argument '-----BEGIN RSA PRIVATE KEY----- MIIEpAIB' found";
        assert_eq!(
            without_key_text(pem),
            "unexpected argument '(key text, not shown)' found"
        );
        let body = format!("unexpected argument '{}' found", "MIIEpAIBAAKC".repeat(5));
        assert!(!without_key_text(&body).contains("MIIE"));
        let flag = "unexpected argument '--bogus' found";
        assert_eq!(without_key_text(flag), flag);
        let url = "invalid value 'https://d.example/a/b/c' for '--hash <HASH>'";
        assert_eq!(without_key_text(url), url);
    }
}
