//! The `cloudfront-edge-auth` binary, run as a user would: keys it generates load in
//! `node:crypto`, `sign-url` prints what `aws cloudfront sign` prints, `sign-cookies --format
//! json` prints what `@aws-sdk/cloudfront-signer` returns, `verify` accepts both signers'
//! output and refuses tampered credentials with exit status 1, and bad input is one line on
//! stderr with a documented exit status.
//!
//! Needs `aws` (awscli v1), `node` (with the repo's node_modules) and `openssl` on PATH.

#![cfg(all(feature = "cli", not(target_arch = "wasm32")))]

#[path = "cli_support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use support::*;

#[test]
fn keygen_writes_keys_node_crypto_loads_with_the_private_key_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let keys = keys();
    let mode = std::fs::metadata(&keys.private).unwrap().permissions();
    assert_eq!(mode.mode() & 0o777, 0o600);
    let read = |path: &Path| std::fs::read_to_string(path).unwrap();
    assert!(read(&keys.private).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(read(&keys.public).starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(
        node_key_report(&keys.private, &keys.public),
        "private rsa 2048 public true"
    );
}

#[test]
fn keygen_refuses_to_overwrite_keys_without_force() {
    let out = run(&format!("keygen --out {}", keys().dir.display()));
    assert_one_line_error(&out, 3, "already exists");
}

#[test]
fn sign_url_canned_policy_matches_aws_cloudfront_sign() {
    let plain = "https://d111111abcdef8.cloudfront.net/images/photo.jpg";
    // Percent-encoded, as a viewer sends it: AWS CLI v2 refuses a raw space or `ü` (v1 signs
    // them, for a URL CloudFront never matches); tests/cli_aws_v2.rs has those refusals.
    let odd = "https://d111111abcdef8.cloudfront.net/a%20b/%C3%BCn%C3%AFcode.png?size=large&x=1";
    for (url, date) in [
        (plain, "2030-01-01"),
        (plain, "1893456000"),
        // A fraction is rounded to microseconds (as a double) before it is dropped.
        (plain, "1893456000.9999999"),
        (plain, "1893456000.99999949"),
        (plain, "1893456000.9999994"),
        (plain, "2030-01-01T12:34:56+02:00"),
        (odd, "2030-01-01T12:34:56"),
    ] {
        let flags = ["--date-less-than", date];
        assert_eq!(sign_url(url, &flags), aws_sign(url, &flags), "{url} {date}");
    }
}

#[test]
fn sign_url_custom_policy_matches_aws_cloudfront_sign() {
    let url = "https://d111111abcdef8.cloudfront.net/private/*";
    for flags in [
        "--date-less-than 2030-01-01 --date-greater-than 2024-01-01T00:00:00Z",
        "--date-less-than 2030-06-30T23:59:59-05:30 --ip-address 192.0.2.7",
        "--date-less-than 1893456000 --date-greater-than 1700000000.75 --ip-address 10.1.2.3/8",
    ] {
        let flags: Vec<&str> = flags.split_whitespace().collect();
        let ours = sign_url(url, &flags);
        assert!(ours.contains("?Policy="), "{ours}");
        assert_eq!(ours, aws_sign(url, &flags), "flags {flags:?}");
    }
}

#[test]
fn sign_url_batch_signs_every_line_like_single_invocations() {
    let urls = [
        "https://d.example/a.png",
        "https://d.example/b%20c.png?x=1",
        "https://d.example/c",
    ];
    let input = format!("{}\r\n\n{}\n{}", urls[0], urls[1], urls[2]);
    let path = keys().dir.join("urls.txt");
    std::fs::write(&path, &input).unwrap();
    let flags = ["--date-less-than", "2030-01-01"];
    let expected: Vec<String> = urls.iter().map(|u| sign_url(u, &flags)).collect();

    let from_file = run(&signing(
        "sign-url",
        &format!("--batch {} --date-less-than 2030-01-01", path.display()),
    ));
    assert_success(&from_file);
    assert_eq!(stdout(&from_file).lines().collect::<Vec<_>>(), expected);

    let line = signing("sign-url", "--batch - --date-less-than 2030-01-01");
    let from_stdin = cli_with_stdin(&line.split_whitespace().collect::<Vec<_>>(), Some(&input));
    assert_success(&from_stdin);
    assert_eq!(stdout(&from_stdin), format!("{}\n", expected.join("\n")));
}

#[test]
fn sign_url_batch_stops_at_a_bad_line_after_writing_the_lines_before_it() {
    let path = keys().dir.join("bad-urls.txt");
    std::fs::write(
        &path,
        b"https://d.example/a.png\n\xff\xfe\nhttps://d.example/c\n",
    )
    .unwrap();
    let out = run(&signing(
        "sign-url",
        &format!("--batch {} --date-less-than 2030-01-01", path.display()),
    ));
    let first = sign_url(
        "https://d.example/a.png",
        &["--date-less-than", "2030-01-01"],
    );
    assert_eq!(stdout(&out), format!("{first}\n"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.ends_with("bad-urls.txt: line 2: not valid UTF-8\n"),
        "{err}"
    );
}

#[test]
fn sign_url_with_sha256_announces_it_last_and_verifies() {
    let flags = ["--date-less-than", "2030-01-01", "--hash", "sha256"];
    let signed = sign_url("https://d.example/a.png", &flags);
    let tail = format!("&Key-Pair-Id={KEY_ID}&Hash-Algorithm=SHA256");
    assert!(signed.ends_with(&tail), "{signed}");
    let out = verify(&signed, None, &[]);
    assert_success(&out);
    assert!(stdout(&out).starts_with("accepted: key K2JCJMDEHXQW5F, signed URL"));
}

/// `getSignedCookies` gives a wildcard URL without a start or an IP a canned policy; so does
/// sign-cookies, with a warning. (sign-url, as AWS CLI v2, signs a custom one instead.)
#[test]
fn sign_cookies_warns_that_a_wildcard_url_with_a_canned_policy_never_matches() {
    let out = run(&signing(
        "sign-cookies",
        "--url https://d.example/private/* --date-less-than 2030-01-01 --format header",
    ));
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.starts_with("cloudfront-edge-auth: warning: ") && err.contains("#4516"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn sign_url_reads_pkcs1_and_encrypted_pkcs8_keys() {
    let url = "https://d.example/a.png";
    let expected = sign_url(url, &["--date-less-than", "2030-01-01"]);
    let with_key = |key: &Path, extra: &str| {
        run(&format!(
            "sign-url --url {url} --key-pair-id {KEY_ID} --private-key {} --date-less-than 2030-01-01 {extra}",
            file_arg(key)
        ))
    };
    assert_eq!(stdout(&with_key(&keys().pkcs1, "")).trim_end(), expected);

    let dir = &keys().dir;
    let (encrypted, passphrase) = (dir.join("encrypted.pem"), dir.join("passphrase.txt"));
    std::fs::write(&passphrase, "correct horse\n").unwrap();
    let made = Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:correct horse",
        ])
        .arg("-in")
        .arg(&keys().private)
        .arg("-out")
        .arg(&encrypted)
        .output()
        .unwrap();
    assert_success(&made);
    let out = with_key(
        &encrypted,
        &format!("--passphrase-file {}", passphrase.display()),
    );
    assert_eq!(stdout(&out).trim_end(), expected);
    assert_one_line_error(&with_key(&encrypted, ""), 2, "passphrase is required");
}

/// `sign-cookies --format json` for `url` until `dlt` with `flags` prints what the SDK's
/// `getSignedCookies` returns for the same options (`options`: the flags in the SDK's words).
fn assert_sign_cookies_is_the_sdks(url: &str, dlt: &str, flags: &str, options: &str) {
    let line = format!("--url {url} --date-less-than {dlt} --format json {flags}");
    let ours = run(&signing("sign-cookies", &line));
    assert_success(&ours);
    let options = format!(r#"{{ url: "{url}", dateLessThan: "{dlt}", {options} }}"#);
    assert_eq!(
        stdout(&ours).trim_end(),
        sdk("getSignedCookies", &options),
        "{line}"
    );
}

#[test]
fn sign_cookies_json_matches_the_sdk_get_signed_cookies() {
    let (dlt, dgt) = ("2030-01-01T00:00:00Z", "2024-01-01T00:00:00Z");
    for (url, flags, options) in [
        ("https://d.example/a.png", String::new(), String::new()),
        (
            "https://d.example/private/*",
            format!("--date-greater-than {dgt} --ip-address 192.0.2.0/24"),
            format!(r#"dateGreaterThan: "{dgt}", ipAddress: "192.0.2.0/24","#),
        ),
        (
            "https://d.example/ünï/*",
            format!("--date-greater-than {dgt} --hash sha256"),
            format!(r#"dateGreaterThan: "{dgt}", algorithm: "SHA256","#),
        ),
    ] {
        assert_sign_cookies_is_the_sdks(url, dlt, &flags, &options);
    }
}

#[test]
fn verify_accepts_our_signed_urls_and_cookies() {
    let signed = sign_url(
        "https://d.example/a.png?v=2",
        &["--date-less-than", "2030-01-01"],
    );
    let out = verify(&signed, None, &[]);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "accepted: key K2JCJMDEHXQW5F, signed URL, expires at 1893456000 (2030-01-01T00:00:00Z)\n"
    );

    let cookies = run(&signing(
        "sign-cookies",
        "--url https://d.example/private/* --date-less-than 2030-01-01 --ip-address 203.0.113.0/24 --format header",
    ));
    assert_success(&cookies);
    let header = format!("Cookie: {}", stdout(&cookies).trim_end());
    let extra = ["--ip", "203.0.113.9", "--format", "json"];
    let out = verify("https://d.example/private/x.mp4", Some(&header), &extra);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "{\"ok\":true,\"keyPairId\":\"K2JCJMDEHXQW5F\",\"expiresAt\":1893456000,\"source\":\"cookies\"}\n"
    );
}

#[test]
fn verify_accepts_the_sdk_cookies_and_signed_urls() {
    let header = sdk_cookie_header();
    assert_success(&verify(
        "https://d.example/private/movie.mp4",
        Some(&header),
        &[],
    ));

    let url = sdk(
        "getSignedUrl",
        r#"{ url: "https://d.example/a.png", dateLessThan: "2030-01-01T00:00:00Z" }"#,
    );
    assert_success(&verify(&url, None, &[]));
}

#[test]
fn verify_refuses_tampered_expired_and_misdirected_cookies_with_status_1() {
    let header = sdk_cookie_header();
    let target = "https://d.example/private/movie.mp4";
    // One character changed, ten characters into a cookie's value.
    let flip = |cookie: &str| {
        let at = header.find(cookie).unwrap() + cookie.len() + 10;
        let mut bytes = header.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    let cases: [(String, &str, &[&str], &str); 7] = [
        (
            flip("CloudFront-Signature="),
            target,
            &[],
            "denied: bad-signature: ",
        ),
        (flip("CloudFront-Policy="), target, &[], "denied: "),
        (
            header.clone(),
            target,
            &["--now", "2031-01-01"],
            "denied: expired: expired at 1893456000 (2030-01-01T00:00:00Z)",
        ),
        (
            header.clone(),
            target,
            &["--now", "2024-12-31T23:59:59Z"],
            "denied: not-yet-valid: ",
        ),
        (
            header.clone(),
            "https://d.example/public/movie.mp4",
            &[],
            "denied: resource-mismatch: ",
        ),
        (
            header.replace(KEY_ID, "K3OTHERKEY0000"),
            target,
            &[],
            "denied: unknown-key: ",
        ),
        ("session=1".into(), target, &[], "denied: missing: "),
    ];
    for (header, url, extra, reason) in cases {
        let out = verify(url, Some(&header), extra);
        assert_eq!(out.status.code(), Some(1), "{reason}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with(reason),
            "{reason}: {}",
            stdout(&out)
        );
        assert!(out.stderr.is_empty());
    }
    // A --now that is not a date is a usage error (2), not a refusal (1).
    assert_one_line_error(
        &verify(target, Some(&header), &["--now", "soon"]),
        2,
        "--now",
    );
}

#[test]
fn inspect_shows_the_policy_times_and_key_id_without_a_key() {
    let json = sdk(
        "getSignedCookies",
        r#"{ url: "https://d.example/private/*", dateLessThan: "2030-01-01T00:00:00Z",
             ipAddress: "192.0.2.0/24" }"#,
    );
    let header = cookie_header_from_json(&json);
    let inspect = |now: &str| {
        cli(&[
            "inspect",
            "--cookie",
            &header,
            "--url",
            "https://d.example/private/a",
            "--ip",
            "192.0.2.1",
            "--now",
            now,
        ])
    };
    let out = inspect(NOW);
    assert_success(&out);
    let text = stdout(&out);
    for expected in [
        "credentials:       cookies\n",
        "key pair id:       K2JCJMDEHXQW5F\n",
        "policy:            custom\n",
        "resource:          https://d.example/private/*\n",
        "date less than:    1893456000 (2030-01-01T00:00:00Z)\n",
        "ip address:        192.0.2.0/24\n",
        "      \"Resource\": \"https://d.example/private/*\",\n",
        "problems:          none found",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }

    let expired = inspect("2031-01-01");
    assert_eq!(expired.status.code(), Some(1));
    let problem = "problem:           expired: expired at 1893456000 (2030-01-01T00:00:00Z)";
    assert!(stdout(&expired).contains(problem), "{}", stdout(&expired));

    let garbled = run("inspect --url https://d.example/a?Policy=%%%&Signature=x&Key-Pair-Id=K");
    assert_eq!(garbled.status.code(), Some(1));
    let text = stdout(&garbled);
    assert!(text.starts_with("problem:           malformed: "), "{text}");
}

#[test]
fn bad_flags_missing_files_and_garbage_keys_give_one_line_errors() {
    let url = "sign-url --url https://d.example/a --key-pair-id K2JCJMDEHXQW5F";
    let with_key = |key: &str, rest: &str| run(&format!("{url} --private-key {key} {rest}"));
    let key = file_arg(&keys().private);
    assert_one_line_error(&run("sign-url --bogus"), 2, "--bogus");
    assert_one_line_error(&run(""), 2, "a command is required");
    assert_one_line_error(&with_key(&key, ""), 2, "--date-less-than");
    assert_one_line_error(
        &with_key(&key, "--date-less-than tomorrow"),
        2,
        "invalid date",
    );
    let ipv6 = "--date-less-than 2030-01-01 --ip-address 2001:db8::/32";
    assert_one_line_error(&with_key(&key, ipv6), 2, "--ip-address");
    assert_one_line_error(
        &with_key(&key, "--date-less-than 2030-01-01 --hash md5"),
        2,
        "md5",
    );
    let missing = "file:///nonexistent/key.pem";
    assert_one_line_error(
        &with_key(missing, "--date-less-than 2030-01-01"),
        3,
        "no such file",
    );

    let garbage = keys().dir.join("garbage.pem");
    let pem = "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n";
    std::fs::write(&garbage, pem).unwrap();
    let garbage = file_arg(&garbage);
    assert_one_line_error(
        &with_key(&garbage, "--date-less-than 2030-01-01"),
        2,
        "--private-key",
    );
    let public = file_arg(&keys().public);
    assert_one_line_error(
        &with_key(&public, "--date-less-than 2030-01-01"),
        2,
        "PUBLIC KEY",
    );
    let no_id = verify(
        "https://d.example/a",
        None,
        &["--public-key", "no-equals-sign"],
    );
    assert_one_line_error(&no_id, 2, "KEY_ID=file://PATH");
}

#[test]
fn help_reads_like_a_manual_with_the_exit_statuses() {
    let out = run("--help");
    assert_success(&out);
    let text = stdout(&out);
    for expected in [
        "EXIT STATUS:",
        "0   success",
        "1   refused",
        "2   usage or bad input",
        "3   I/O",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn keygen_makes_ecdsa_p256_keys_that_sign_urls_node_crypto_and_verify_accept() {
    let dir = keys().dir.join("ecdsa");
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&format!("keygen --type ecdsa-p256 --out {}", dir.display()));
    assert_success(&out);
    let (private, public) = (dir.join("private_key.pem"), dir.join("public_key.pem"));
    assert_eq!(
        node_key_report(&private, &public),
        "private ec prime256v1 public true"
    );

    let url = "https://d.example/private/a.png";
    let signed = cli(&[
        "sign-url",
        "--url",
        url,
        "--key-pair-id",
        KEY_ID,
        "--private-key",
        &file_arg(&private),
        "--date-less-than",
        "2030-01-01",
    ]);
    assert_success(&signed);
    let signed = stdout(&signed).trim_end().to_string();
    // AWS CLI v2 signs with an ECDSA key in SHA-256 only, and says so.
    assert!(signed.ends_with("&Hash-Algorithm=SHA256"), "{signed}");
    let key = format!("{KEY_ID}={}", file_arg(&public));
    let verify = |url: &str| cli(&["verify", "--public-key", &key, "--url", url, "--now", NOW]);
    assert_success(&verify(&signed));
    // inspect judges the signature by its shape alone: a DER ECDSA signature is one.
    let inspected = cli(&["inspect", "--url", &signed, "--now", NOW]);
    assert_success(&inspected);
    assert!(
        stdout(&inspected).contains("an ECDSA P-256 signature (DER, not checked)"),
        "{}",
        stdout(&inspected)
    );
    let (unsigned, _) = signed.split_once("&Signature=").unwrap();
    let short = format!("{unsigned}&Signature=AAAA&Key-Pair-Id={KEY_ID}");
    let inspected = cli(&["inspect", "--url", &short, "--now", NOW]);
    assert_eq!(inspected.status.code(), Some(1));
    assert!(stdout(&inspected).contains("problem:           bad-signature: 3 bytes"));
    // The RSA key of the same id does not verify it.
    assert_eq!(status_under_the_rsa_key(&signed), Some(1));
    // node:crypto checks the DER signature over the canned policy CloudFront rebuilds.
    let checked = node(&format!(
        r#"const crypto = require("crypto"), fs = require("fs");
           const u = new URL({signed:?});
           const sig = Buffer.from(u.searchParams.get("Signature").replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64");
           const policy = `{{"Statement":[{{"Resource":"{url}","Condition":{{"DateLessThan":{{"AWS:EpochTime":${{u.searchParams.get("Expires")}}}}}}}}]}}`;
           console.log(crypto.verify("sha256", Buffer.from(policy), crypto.createPublicKey(fs.readFileSync({pem:?})), sig));"#,
        pem = public.display().to_string(),
    ));
    assert_eq!(checked, "true");
}

/// How node:crypto reads a key pair: `private TYPE SIZE public SAME`, SIZE the modulus bits
/// or the curve, SAME whether the public key is the private key's.
fn node_key_report(private: &Path, public: &Path) -> String {
    node(&format!(
        r#"const crypto = require("crypto"), fs = require("fs");
           const priv = crypto.createPrivateKey(fs.readFileSync({:?}));
           const pub = crypto.createPublicKey(fs.readFileSync({:?}));
           const spki = {{ type: "spki", format: "der" }};
           const same = crypto.createPublicKey(priv).export(spki).equals(pub.export(spki));
           const {{ modulusLength, namedCurve }} = priv.asymmetricKeyDetails;
           console.log([priv.type, priv.asymmetricKeyType, modulusLength ?? namedCurve, pub.type, same].join(" "));"#,
        private.display().to_string(),
        public.display().to_string()
    ))
}

/// `verify`'s exit status with the RSA test key.
fn status_under_the_rsa_key(url: &str) -> Option<i32> {
    verify(url, None, &[]).status.code()
}

/// A signed URL whose policy is `policy_json`, with a signature no key made.
fn unsigned_url(policy_json: &str) -> String {
    use base64::Engine;
    let policy = base64::engine::general_purpose::STANDARD
        .encode(policy_json)
        .replace('+', "-")
        .replace('=', "_")
        .replace('/', "~");
    format!("https://d.example/a?Policy={policy}&Signature=AAAA&Key-Pair-Id={KEY_ID}")
}

#[test]
fn verify_and_inspect_escape_control_characters_from_an_unsigned_request() {
    let forged_field = unsigned_url(
        r#"{"Statement":[{"Resource":"https://d.example/a","Condition":{"DateLessThan":{"AWS:EpochTime":1893456000}},"X\naccepted: key KID\u001b[2J":1}]}"#,
    );
    let forged_resource = unsigned_url(
        r#"{"Statement":[{"Resource":"https://d.example/a\u001b[2J\naccepted: key KID\u202e","Condition":{"DateLessThan":{"AWS:EpochTime":1893456000}}}]}"#,
    );
    for url in [&forged_field, &forged_resource] {
        let inspect = cli(&["inspect", "--url", url, "--now", NOW]);
        assert!(
            stdout(&inspect).contains("\\u{1b}[2J"),
            "{}",
            stdout(&inspect)
        );
        for out in [verify(url, None, &[]), inspect] {
            assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
            let text = stdout(&out);
            assert!(
                text.lines().all(|line| !line.starts_with("accepted")),
                "forged line in:\n{text}"
            );
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
                "raw control character in:\n{text:?}"
            );
        }
    }
}

#[test]
fn private_key_takes_the_pem_text_and_usage_errors_never_print_it() {
    let url = "https://d.example/a.png";
    let pem = std::fs::read_to_string(&keys().private).unwrap();
    let base = ["sign-url", "--url", url, "--key-pair-id", KEY_ID];
    let date = ["--date-less-than", "2030-01-01"];
    let inline = cli(&[&base[..], &["--private-key", pem.trim_end()], &date[..]].concat());
    assert_success(&inline);
    assert_eq!(stdout(&inline).trim_end(), sign_url(url, &date));

    // The PEM text where no flag takes it: refused, and not echoed.
    let stray = cli(&[&base[..], &[pem.trim_end()], &date[..]].concat());
    assert_eq!(stray.status.code(), Some(2));
    let body = pem.lines().nth(1).unwrap();
    assert!(!stderr(&stray).contains(&body[..20]), "{}", stderr(&stray));
    assert!(
        !stderr(&stray).contains("PRIVATE KEY-----"),
        "{}",
        stderr(&stray)
    );
    let one_line = pem.split_whitespace().collect::<String>();
    let stray = cli(&[&base[..], &["--private-key", &one_line], &date[..]].concat());
    assert_one_line_error(&stray, 2, "--private-key");
    assert!(!stderr(&stray).contains(&body[..20]), "{}", stderr(&stray));
    let body_only: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let stray = cli(&[&base[..], &["--private-key", &body_only], &date[..]].concat());
    assert_one_line_error(&stray, 2, "neither a readable file nor PEM text");
    assert!(!stderr(&stray).contains(&body[..20]), "{}", stderr(&stray));
}

/// Runs the binary with stderr on `/dev/full`, where every write fails.
fn with_stderr_full(args: &[&str]) -> std::process::Output {
    let full = std::fs::File::create("/dev/full").unwrap();
    binary(args).stderr(full).output().unwrap()
}

#[test]
fn an_unwritable_stderr_keeps_the_documented_exit_status() {
    // A warning (a canned policy for a wildcard URL), an error, a usage error.
    let key = file_arg(&keys().private);
    let base = ["--key-pair-id", KEY_ID, "--private-key", &key];
    let date = ["--date-less-than", "2030-01-01"];
    let warned = with_stderr_full(
        &[
            &["sign-cookies", "--url", "https://d.example/p/*"],
            &base[..],
            &date[..],
        ]
        .concat(),
    );
    assert_eq!(warned.status.code(), Some(0));
    assert!(stdout(&warned).contains("CloudFront-Signature="));
    let bad_date = with_stderr_full(
        &[
            &["sign-url", "--url", "https://d.example/a"],
            &base[..],
            &["--date-less-than", "x"],
        ]
        .concat(),
    );
    assert_eq!(bad_date.status.code(), Some(2));
    let missing = with_stderr_full(&[
        "sign-url",
        "--url",
        "https://d.example/a",
        "--private-key",
        "file:///nonexistent",
        "--key-pair-id",
        KEY_ID,
        "--date-less-than",
        "2030-01-01",
    ]);
    assert_eq!(missing.status.code(), Some(3));
    assert_eq!(with_stderr_full(&["--bogus"]).status.code(), Some(2));
}

/// Runs the binary with stdout on a pipe whose reader has already gone.
fn with_stdout_closed(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    binary(args).stdout(writer).output().unwrap()
}

#[test]
fn a_closed_stdout_never_turns_a_denial_into_success() {
    let url = sign_url("https://d.example/a", &["--date-less-than", "2030-01-01"]);
    let tampered = url.replace("/a?", "/b?");
    let key = format!("{KEY_ID}={}", file_arg(&keys().public));
    let verify = |url: &str| {
        with_stdout_closed(&["verify", "--public-key", &key, "--url", url, "--now", NOW])
    };
    assert_eq!(verify(&url).status.code(), Some(0));
    assert_eq!(verify(&tampered).status.code(), Some(1));
    let inspect = |now: &str| with_stdout_closed(&["inspect", "--url", &url, "--now", now]);
    assert_eq!(inspect(NOW).status.code(), Some(0));
    assert_eq!(inspect("2031-01-01").status.code(), Some(1));
    for out in [verify(&tampered), inspect("2031-01-01")] {
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
    }
}

#[test]
fn sign_url_refuses_a_signed_url_over_cloudfronts_8192_byte_limit() {
    // Under the limit as given; the custom policy (the URL again, base64) takes it over.
    let url = format!("https://d.example/{}", "a".repeat(4000));
    let extra = [
        "--date-less-than",
        "2030-01-01",
        "--ip-address",
        "192.0.2.7",
    ];
    let out = sign_url_with(&keys().private, &url, &extra);
    assert_one_line_error(&out, 2, "over CloudFront's 8192-byte URL limit");
    assert!(
        stderr(&out).contains("the signed URL would be "),
        "{}",
        stderr(&out)
    );

    // The one just under the limit is signed, and verify takes it.
    let canned = format!("https://d.example/{}", "a".repeat(7700));
    let signed = sign_url(&canned, &extra[..2]);
    assert!(signed.len() <= 8192);
    assert_success(&verify(&signed, None, &[]));

    let path = keys().dir.join("long-urls.txt");
    std::fs::write(&path, format!("https://d.example/short\n{url}\n")).unwrap();
    let key = file_arg(&keys().private);
    let batch = [
        &[
            "sign-url",
            "--batch",
            path.to_str().unwrap(),
            "--key-pair-id",
            KEY_ID,
        ][..],
        &["--private-key", &key],
        &extra[..],
    ]
    .concat();
    let out = cli(&batch);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "the line before it is written"
    );
    let err = stderr(&out);
    assert!(err.contains(": line 2: the signed URL would be "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn keygen_creates_a_missing_out_dir_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = keys().dir.join("new-keys").join("nested");
    let out = cli(&[
        "keygen",
        "--type",
        "ecdsa-p256",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_success(&out);
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(dir.join("private_key.pem").is_file() && dir.join("public_key.pem").is_file());
}

#[test]
fn keygen_force_leaves_the_old_pair_whole_when_it_cannot_write_the_new_one() {
    let dir = keys().dir.join("force-fails");
    std::fs::create_dir_all(dir.join("public_key.pem")).unwrap();
    std::fs::write(dir.join("private_key.pem"), "OLD").unwrap();
    let out = run(&format!("keygen --force --out {}", dir.display()));
    assert_one_line_error(&out, 3, "public_key.pem");
    assert_eq!(
        std::fs::read_to_string(dir.join("private_key.pem")).unwrap(),
        "OLD"
    );
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "temporary files left: {names:?}");

    // Replacing a whole pair works, and leaves no temporary file behind.
    let dir = keys().dir.join("force-works");
    for _ in 0..2 {
        assert_success(&run(&format!(
            "keygen --force --type ecdsa-p256 --out {}",
            dir.display()
        )));
    }
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn sign_url_help_names_the_date_forms_aws_reads_and_it_refuses() {
    let out = run("sign-url --help");
    assert_success(&out);
    let text = stdout(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("the forms aws documents"), "{text}");
    assert!(text.contains("`2030/01/01`, `Jan 1 2030`, `1e9`"), "{text}");
    let top = run("--help");
    assert!(
        !stdout(&top).contains("same date formats"),
        "{}",
        stdout(&top)
    );
}

#[test]
fn keygen_help_names_both_key_types() {
    let out = run("keygen --help");
    assert_success(&out);
    assert!(
        stdout(&out).contains("RSA (the default) or ECDSA P-256"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("an RSA key pair"));
}

#[test]
fn help_and_version_fail_with_status_3_when_stdout_cannot_be_written() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["sign-url", "--help"],
        &["verify", "-V"],
    ] {
        let full = std::fs::File::create("/dev/full").unwrap();
        let out = binary(args).stdout(full).output().unwrap();
        assert_one_line_error(&out, 3, "stdout");
    }
    // A reader that leaves early is no failure.
    assert_eq!(with_stdout_closed(&["--help"]).status.code(), Some(0));
}

#[test]
fn a_key_or_passphrase_file_that_is_not_utf8_is_bad_input_like_an_oversized_one() {
    let binary = keys().dir.join("binary.pem");
    std::fs::write(&binary, b"-----BEGIN PRIVATE KEY-----\n\xff\xfe\n").unwrap();
    let url = "https://d.example/a";
    let date = ["--date-less-than", "2030-01-01"];
    assert_one_line_error(&sign_url_with(&binary, url, &date), 2, "not valid UTF-8");
    let passphrase = ["--passphrase-file", binary.to_str().unwrap()];
    let out = sign_url_with(&keys().private, url, &[&date[..], &passphrase[..]].concat());
    assert_one_line_error(&out, 2, "not valid UTF-8");
    let big = keys().dir.join("big.pem");
    std::fs::write(&big, vec![b'A'; 70_000]).unwrap();
    assert_one_line_error(&sign_url_with(&big, url, &date), 2, "larger than");
}

#[test]
fn sign_cookies_rounds_a_fraction_of_a_second_as_the_sdk_does() {
    // getSignedCookies: Math.round(date.getTime() / 1000); aws cloudfront sign drops it.
    for (dlt, dgt) in [
        ("2030-01-01T00:00:00.6Z", "2024-01-01T00:00:00.5Z"),
        ("2030-01-01T00:00:00.4Z", "2024-01-01T00:00:00.999Z"),
    ] {
        for (url, flags, options) in [
            ("https://d.example/a.png", String::new(), String::new()),
            (
                "https://d.example/private/*",
                format!("--date-greater-than {dgt}"),
                format!(r#"dateGreaterThan: "{dgt}","#),
            ),
        ] {
            assert_sign_cookies_is_the_sdks(url, dlt, &flags, &options);
        }
    }
    let url = "https://d.example/a.png";
    let dlt = ["--date-less-than", "2030-01-01T00:00:00.6Z"];
    assert!(sign_url(url, &dlt).contains("Expires=1893456000&"));
}

#[test]
fn verify_without_ip_says_the_policy_has_an_ip_condition() {
    let signed = sign_url(
        "https://d.example/a.png",
        &[
            "--date-less-than",
            "2030-01-01",
            "--ip-address",
            "192.0.2.0/24",
        ],
    );
    let out = verify(&signed, None, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with("denied: ip-mismatch: the policy has an IP condition"),
        "{text}"
    );
    assert!(text.contains("pass --ip"), "{text}");
    let json = verify(&signed, None, &["--format", "json"]);
    assert!(stdout(&json).contains("pass --ip"), "{}", stdout(&json));
    // With an address outside the range, the core's reason stands.
    let outside = verify(&signed, None, &["--ip", "198.51.100.1"]);
    assert!(stdout(&outside).contains("outside the policy's range"));
    assert_success(&verify(&signed, None, &["--ip", "192.0.2.9"]));
}

#[test]
fn file_urls_expand_a_tilde_and_variables_as_aws_does() {
    let url = "https://d.example/a.png";
    let expected = sign_url(url, &["--date-less-than", "2030-01-01"]);
    for key in [
        "file://~/private_key.pem",
        "file://$KEYS_DIR/private_key.pem",
        "fileb://${KEYS_DIR}/private_key.pem",
    ] {
        let out = binary(&["sign-url", "--url", url, "--key-pair-id", KEY_ID])
            .args(["--private-key", key, "--date-less-than", "2030-01-01"])
            .env("HOME", &keys().dir)
            .env("KEYS_DIR", &keys().dir)
            .output()
            .unwrap();
        assert_success(&out);
        assert_eq!(stdout(&out).trim_end(), expected, "{key}");
    }
}
