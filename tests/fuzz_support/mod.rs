//! The fuzzing engine of `tests/fuzz.rs`: proptest with large case counts, a byte-level
//! mutator over seed inputs, and the committed seed corpora.
//!
//! Why not `cargo fuzz`: it needs nightly (`-Zsanitizer`, `-Cpasses=sancov-module`), which
//! `make test` must not depend on. proptest runs on stable, shrinks a failure to a small
//! input, and the mutations below give it the coverage-blind half of what libFuzzer does.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// `FUZZ_CASES`: cases per target, overriding each target's default (sized so that the whole
/// file runs in about 20 s under `cargo test`).
fn cases_override() -> Option<u64> {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// `FUZZ_SECONDS`: keep each target running (fresh random seeds every round) this long.
fn budget() -> Option<Duration> {
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs)
}

/// Runs `body` on inputs drawn from `strategy`: `default` cases, or `FUZZ_CASES`, or as many
/// as fit in `FUZZ_SECONDS` (whichever limit is set and reached first). A failure (an
/// assertion or a panic) fails the test with the shrunk input, which then becomes a named
/// regression test.
pub fn fuzz<S: Strategy>(
    name: &str,
    default: u32,
    strategy: S,
    body: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let budget = budget();
    let limit = cases_override().or(budget.is_none().then_some(u64::from(default)));
    let round = limit.map_or(500, |l| l.min(2_000)).max(1);
    let mut total = 0u64;
    loop {
        let cases = limit.map_or(round, |l| round.min(l - total));
        let mut runner = TestRunner::new(Config {
            cases: u32::try_from(cases).unwrap_or(u32::MAX),
            failure_persistence: None,
            max_shrink_iters: 4096,
            ..Config::default()
        });
        if let Err(failure) = runner.run(&strategy, &body) {
            panic!("fuzz target {name} failed after about {total} cases: {failure}");
        }
        total += cases;
        let out_of_cases = limit.is_some_and(|l| total >= l);
        let out_of_time = budget.is_some_and(|b| started.elapsed() >= b);
        if out_of_cases || out_of_time {
            break;
        }
    }
    eprintln!(
        "fuzz {name}: {total} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// One edit of a seed input. Positions are taken modulo the input length.
#[derive(Debug, Clone)]
pub enum Mutation {
    FlipBit { at: usize, bit: u8 },
    SetByte { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
    Token { at: usize, token: usize },
    Truncate { at: usize },
}

/// Fragments that matter to one of the parsers: separators, quotes, encodings, PEM armour,
/// policy keys, credential names, numbers at the edges of every range.
pub const TOKENS: &[&str] = &[
    "=",
    ";",
    "&",
    "?",
    "#",
    "%",
    "%00",
    "%2e%2e",
    "%2F",
    "\"",
    "'",
    ",",
    " ",
    "\t",
    "\n",
    "\r\n",
    "*",
    "?",
    "~",
    "_",
    "-",
    "+",
    "/",
    "\\",
    ".",
    "..",
    "\0",
    "é",
    "\u{202e}",
    "\u{fffd}",
    "-----BEGIN ",
    "-----END ",
    "-----",
    "PUBLIC KEY",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "Proc-Type: 4,ENCRYPTED\n",
    "{",
    "}",
    "[",
    "]",
    ":",
    "null",
    "true",
    "\"Statement\"",
    "\"Resource\"",
    "\"Condition\"",
    "\"DateLessThan\"",
    "\"DateGreaterThan\"",
    "\"IpAddress\"",
    "\"AWS:SourceIp\"",
    "\"AWS:EpochTime\"",
    "\"0.0.0.0/0\"",
    "\"10.0.0.1/33\"",
    "0",
    "-1",
    "1e400",
    "2147483647",
    "2147483648",
    "4294967296",
    "18446744073709551616",
    "9007199254740993",
    "1.5",
    "\\u0000",
    "\\ud800",
    "CloudFront-Policy=",
    "CloudFront-Signature=",
    "CloudFront-Key-Pair-Id=",
    "CloudFront-Expires=",
    "CloudFront-Hash-Algorithm=SHA256",
    "Expires=",
    "Policy=",
    "Signature=",
    "Key-Pair-Id=",
    "Hash-Algorithm=SHA1",
    "alg",
    "RS256",
    "none",
    "HS256",
    "kid",
    "eyJ",
    "AAAA",
    "\x30\x00",
    "\x02\x00",
    "\x05\x00",
];

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Token { at, token }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

/// Applies `mutations` to a copy of `seed`.
pub fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for m in mutations {
        let pos = |at: usize, len: usize| if len == 0 { 0 } else { at % len };
        let len = out.len();
        match m {
            Mutation::FlipBit { at, bit } if len > 0 => out[pos(*at, len)] ^= 1 << bit,
            Mutation::SetByte { at, byte } if len > 0 => out[pos(*at, len)] = *byte,
            Mutation::Insert { at, bytes } => {
                let at = pos(*at, len + 1);
                out.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete { at, len: n } if len > 0 => {
                let at = pos(*at, len);
                out.drain(at..(at + n).min(len));
            }
            Mutation::Duplicate { at, len: n } if len > 0 => {
                let at = pos(*at, len);
                let copy = out[at..(at + n).min(len)].to_vec();
                out.splice(at..at, copy);
            }
            Mutation::Token { at, token } => {
                let at = pos(*at, len + 1);
                out.splice(at..at, TOKENS[*token].bytes());
            }
            Mutation::Truncate { at } => out.truncate(pos(*at, len + 1)),
            _ => {}
        }
    }
    out
}

/// A seed picked from `seeds`, then 0 to 8 mutations: the input as bytes.
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    assert!(!seeds.is_empty(), "a fuzz target needs at least one seed");
    (0..seeds.len(), proptest::collection::vec(mutation(), 0..8))
        .prop_map(move |(i, ms)| mutate(&seeds[i], &ms))
}

/// The same, as text (invalid UTF-8 replaced), for the parsers that take `&str`.
pub fn mutated_text(seeds: Vec<String>) -> impl Strategy<Value = String> {
    mutated(seeds.into_iter().map(String::into_bytes).collect())
        .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Directory of a target's committed corpus.
pub fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(target)
}

/// The committed corpus of `target`, sorted by file name, with `@NAME@` placeholders
/// replaced from `fill` (values generated at test time: signatures, fresh public keys).
pub fn corpus(target: &str, fill: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "{}: empty corpus", dir.display());
    entries
        .into_iter()
        .map(|path| {
            let mut bytes = std::fs::read(&path).unwrap();
            for (name, value) in fill {
                bytes = replace(&bytes, format!("@{name}@").as_bytes(), value.as_bytes());
            }
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect()
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// Text of a corpus entry, invalid UTF-8 replaced.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
