//! Helpers for `tests/cli.rs`: the binary, the reference signers (`aws cloudfront sign`,
//! `@aws-sdk/cloudfront-signer` through node) and a key pair made by `keygen`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub const KEY_ID: &str = "K2JCJMDEHXQW5F";
/// 2025-06-01T00:00:00Z: a fixed "now" inside every test window.
pub const NOW: &str = "1748736000";

pub struct Keys {
    pub dir: PathBuf,
    /// PKCS#8, as `keygen` writes it.
    pub private: PathBuf,
    /// The same key as PKCS#1, the only form `aws cloudfront sign` reads.
    pub pkcs1: PathBuf,
    pub public: PathBuf,
}

/// One key pair for the whole file, made by `keygen` itself.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let root = std::env::temp_dir();
        remove_stale_dirs(&root);
        let dir = root.join(format!("{DIR_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = cli(&["keygen", "--out", dir.to_str().unwrap()]);
        assert_success(&out);
        let pkcs1 = dir.join("pkcs1.pem");
        let converted = Command::new("openssl")
            .args(["pkey", "-traditional", "-in"])
            .arg(dir.join("private_key.pem"))
            .arg("-out")
            .arg(&pkcs1)
            .output()
            .expect("openssl must be installed");
        assert_success(&converted);
        Keys {
            private: dir.join("private_key.pem"),
            public: dir.join("public_key.pem"),
            pkcs1,
            dir,
        }
    })
}

const DIR_PREFIX: &str = "cloudfront-edge-auth-cli-test-";

/// Key directories of earlier runs whose process is gone (there is no teardown hook).
fn remove_stale_dirs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix(DIR_PREFIX) {
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

pub fn cli(args: &[&str]) -> Output {
    cli_with_stdin(args, None)
}

/// Runs a command line given as one string (split on whitespace: no quoting).
pub fn run(line: &str) -> Output {
    cli(&line.split_whitespace().collect::<Vec<_>>())
}

/// `sign-url` or `sign-cookies` with our key, then `rest`.
pub fn signing(command: &str, rest: &str) -> String {
    format!(
        "{command} --key-pair-id {KEY_ID} --private-key {} {rest}",
        file_arg(&keys().private)
    )
}

/// The binary with `args` and no input; a caller sets the streams it needs otherwise.
pub fn binary(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cloudfront-edge-auth"));
    command.args(args).stdin(Stdio::null());
    command
}

pub fn cli_with_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = binary(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        stderr(out)
    );
}

/// Exit status `code`, nothing on stdout, and exactly one diagnostic line on stderr.
pub fn assert_one_line_error(out: &Output, code: i32, mentions: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(out));
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(
        err.starts_with("cloudfront-edge-auth: error: "),
        "stderr: {err}"
    );
    assert!(err.contains(mentions), "expected {mentions:?} in: {err}");
}

pub fn file_arg(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `sign-url` with the private key in `key` and the key id `KEY_ID`, then `extra`.
pub fn sign_url_with(key: &Path, url: &str, extra: &[&str]) -> Output {
    let key = file_arg(key);
    let mut args = vec![
        "sign-url",
        "--url",
        url,
        "--key-pair-id",
        KEY_ID,
        "--private-key",
        &key,
    ];
    args.extend(extra);
    cli(&args)
}

/// `sign-url` with our PKCS#8 key, output without its trailing newline.
pub fn sign_url(url: &str, extra: &[&str]) -> String {
    let out = sign_url_with(&keys().private, url, extra);
    assert_success(&out);
    stdout(&out).strip_suffix('\n').unwrap().to_string()
}

/// `aws cloudfront sign` with the same key as PKCS#1 (it prints no newline).
pub fn aws_sign(url: &str, extra: &[&str]) -> String {
    let out = Command::new("aws")
        .args(["cloudfront", "sign", "--url", url, "--key-pair-id", KEY_ID])
        .arg("--private-key")
        .arg(file_arg(&keys().pkcs1))
        .args(extra)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_PAGER", "")
        .stdin(Stdio::null())
        .output()
        .expect("awscli v1 (`aws`) must be installed: pip install awscli");
    assert_success(&out);
    stdout(&out)
}

/// Runs a CommonJS snippet with node from the repository root (for its node_modules).
pub fn node(script: &str) -> String {
    let out = Command::new("node")
        .args(["-e", script])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .expect("node must be installed");
    assert_success(&out);
    stdout(&out).trim_end().to_string()
}

/// The JS SDK's `getSignedCookies` (or `getSignedUrl`) for `options` (a JS object literal
/// without `privateKey`/`keyPairId`), as JSON.
pub fn sdk(function: &str, options: &str) -> String {
    node(&format!(
        r#"const {{ {function} }} = require("@aws-sdk/cloudfront-signer");
           const privateKey = require("fs").readFileSync({key:?}, "utf8");
           const result = {function}({{ ...{options}, keyPairId: "{KEY_ID}", privateKey }});
           console.log(typeof result === "string" ? result : JSON.stringify(result));"#,
        key = keys().private.display().to_string(),
    ))
}

pub fn verify(url: &str, cookie: Option<&str>, extra: &[&str]) -> Output {
    let key = format!("{KEY_ID}={}", file_arg(&keys().public));
    let mut args = vec!["verify", "--public-key", &key, "--url", url];
    if !extra.contains(&"--now") {
        args.extend(["--now", NOW]);
    }
    if let Some(cookie) = cookie {
        args.extend(["--cookie", cookie]);
    }
    args.extend(extra);
    cli(&args)
}

/// The `Cookie` header a browser would send for a `getSignedCookies` JSON object.
pub fn cookie_header_from_json(json: &str) -> String {
    node(&format!(
        "const c = {json}; console.log(Object.entries(c).map(([k, v]) => k + '=' + v).join('; '));"
    ))
}

/// Cookies for `https://d.example/private/*` from 2025 to 2030, signed by the JS SDK.
pub fn sdk_cookie_header() -> String {
    let json = sdk(
        "getSignedCookies",
        r#"{ url: "https://d.example/private/*", dateLessThan: "2030-01-01T00:00:00Z",
             dateGreaterThan: "2025-01-01T00:00:00Z" }"#,
    );
    cookie_header_from_json(&json)
}
