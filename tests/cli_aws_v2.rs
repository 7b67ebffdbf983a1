//! `sign-url` where AWS CLI v1 and v2 differ, following v2's `aws cloudfront sign`.
//!
//! AWS CLI v2 cannot be installed here (it is not on PyPI), so what v2 prints is derived from
//! its source, aws/aws-cli branch v2, awscli/customizations/cloudfront/sign.py at commit
//! 0162b2aa (the version the AWS CLI Command Reference page for `cloudfront sign` describes):
//! `_run_main` (lines 102-119) builds `signer.build_policy(resource, ...)` and calls
//! `generate_presigned_url(url, policy=...)` on botocore's `CloudFrontSigner`, whose code v1's
//! botocore (installed with awscli) shares line for line, with an RSA PKCS#1 v1.5 signature
//! over SHA-1 or SHA-256 (`RSASigner`, lines 413-458). [`v2_sign`] runs exactly that in
//! Python. Where v1 and v2 agree, tests/cli.rs compares with `aws cloudfront sign` itself.
//!
//! Needs `aws` (awscli v1: botocore and cryptography for Python) and `openssl` on PATH.

#![cfg(all(feature = "cli", not(target_arch = "wasm32")))]

// Shared with tests/cli.rs, which uses the helpers this file does not.
#[allow(dead_code)]
#[path = "cli_support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use support::*;

const EXPIRES: &str = "1893456000";

/// What v2 prints for an RSA key (see the file's doc), computed by botocore in Python.
/// `resource` is `--policy-resource` (v2 defaults it to the URL); the policy is custom as v2
/// decides it (lines 176-181 and 263-267: a start, an IP, a `*` in the resource, or a
/// resource other than the URL). For SHA-256 v2 hands `hash_algorithm` to its botocore's
/// `CloudFrontSigner` (lines 165-174), whose code is not in any source we could read: where
/// it puts `Hash-Algorithm` is unsure, so this puts it last, as the CloudFront Developer
/// Guide's example URL does.
fn v2_sign(url: &str, resource: Option<&str>, extra: &[(&str, &str)], hash: &str) -> String {
    let flag = |name: &str| {
        extra
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| *v)
    };
    let script = r#"
import datetime, sys
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
url, resource, key_path, key_id, dlt, dgt, ip, alg = sys.argv[1:]
key = serialization.load_pem_private_key(open(key_path, 'rb').read(), None)
digest = hashes.SHA256() if alg == 'SHA256' else hashes.SHA1()
signer = CloudFrontSigner(key_id, lambda m: key.sign(m, padding.PKCS1v15(), digest))
at = lambda t: datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc) if t else None
if dgt or ip or '*' in resource or resource != url:
    policy = signer.build_policy(resource, at(dlt), date_greater_than=at(dgt), ip_address=ip or None)
    out = signer.generate_presigned_url(url, policy=policy)
else:
    out = signer.generate_presigned_url(url, date_less_than=at(dlt))
sys.stdout.write(out + ('&Hash-Algorithm=SHA256' if alg == 'SHA256' else ''))
"#;
    python(&[
        script,
        url,
        resource.unwrap_or(url),
        keys().pkcs1.to_str().unwrap(),
        KEY_ID,
        EXPIRES,
        flag("--date-greater-than"),
        flag("--ip-address"),
        hash,
    ])
}

/// Our `sign-url` for the same values, output without its newline.
fn ours(url: &str, resource: Option<&str>, extra: &[(&str, &str)], hash: Option<&str>) -> String {
    let mut flags: Vec<&str> = vec!["--date-less-than", EXPIRES];
    if let Some(resource) = resource {
        flags.extend(["--policy-resource", resource]);
    }
    for (name, value) in extra {
        flags.extend([*name, *value]);
    }
    if let Some(hash) = hash {
        flags.extend(["--hash-algorithm", hash]);
    }
    sign_url(url, &flags)
}

fn python(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("python3 (with awscli's botocore and cryptography) must be installed");
    assert_success(&out);
    stdout(&out)
}

#[test]
fn policy_resource_signs_one_wildcard_policy_that_every_covered_url_carries() {
    let resource = "https://d111111abcdef8.cloudfront.net/videos/*";
    let url = "https://d111111abcdef8.cloudfront.net/videos/intro.mp4?quality=hd";
    for extra in [
        &[][..],
        &[("--date-greater-than", "1700000000")][..],
        &[("--ip-address", "192.0.2.0/24")][..],
    ] {
        let signed = ours(url, Some(resource), extra, None);
        assert_eq!(
            signed,
            v2_sign(url, Some(resource), extra, "SHA1"),
            "{extra:?}"
        );
        assert!(signed.contains("&Policy="), "{signed}");
    }

    // The query is the policy's, not the URL's: a sibling URL carries the same one, and
    // CloudFront (our verifier) takes it there too.
    let sibling = "https://d111111abcdef8.cloudfront.net/videos/outro.mp4";
    let query = |signed: &str| signed.split_once('?').unwrap().1.to_string();
    let first = ours(url, Some(resource), &[], None);
    let second = ours(sibling, Some(resource), &[], None);
    assert_eq!(query(&second), query(&first).split_once('&').unwrap().1);
    assert_success(&verify(&second, None, &[]));
}

#[test]
fn a_url_with_a_star_gets_a_custom_policy_where_v1_signs_a_canned_one() {
    let url = "https://d111111abcdef8.cloudfront.net/private/*";
    let signed = ours(url, None, &[], None);
    assert_eq!(signed, v2_sign(url, None, &[], "SHA1"));
    assert!(signed.starts_with(&format!("{url}?Policy=")), "{signed}");
    // v1 (sign.py's predecessor, awscli 1.45.11 cloudfront.py line 245) looks at the start
    // and the IP only.
    let v1 = aws_sign(url, &["--date-less-than", EXPIRES]);
    assert!(v1.starts_with(&format!("{url}?Expires=")), "{v1}");
}

#[test]
fn a_policy_resource_equal_to_the_url_signs_what_v1_signs() {
    let url = "https://d111111abcdef8.cloudfront.net/a.png";
    let signed = ours(url, Some(url), &[], None);
    assert_eq!(signed, v2_sign(url, Some(url), &[], "SHA1"));
    assert_eq!(signed, aws_sign(url, &["--date-less-than", EXPIRES]));
}

#[test]
fn hash_algorithm_sha256_signs_rsa_over_sha256_and_appends_hash_algorithm() {
    let url = "https://d111111abcdef8.cloudfront.net/a.png";
    let expected = v2_sign(url, None, &[], "SHA256");
    assert!(expected.ends_with(&format!("&Key-Pair-Id={KEY_ID}&Hash-Algorithm=SHA256")));
    for spelling in ["SHA256", "sha256"] {
        assert_eq!(ours(url, None, &[], Some(spelling)), expected, "{spelling}");
    }
    // --hash, this tool's name before v2 had one, still works.
    assert_eq!(
        sign_url(url, &["--date-less-than", EXPIRES, "--hash", "sha256"]),
        expected
    );
    let resource = "https://d111111abcdef8.cloudfront.net/*";
    assert_eq!(
        ours(url, Some(resource), &[], Some("SHA256")),
        v2_sign(url, Some(resource), &[], "SHA256")
    );
    // SHA1 is the default for RSA, and says nothing.
    assert_eq!(
        ours(url, None, &[], Some("SHA1")),
        aws_sign(url, &["--date-less-than", EXPIRES])
    );
}

/// EC keys made by OpenSSL: SEC1 after an `EC PARAMETERS` block (`openssl ecparam -genkey`
/// without `-noout`), the same key as PKCS#8, its public key, and a P-384 key.
struct EcKeys {
    sec1_with_parameters: PathBuf,
    pkcs8: PathBuf,
    public: PathBuf,
    p384: PathBuf,
}

fn ec_keys() -> &'static EcKeys {
    static KEYS: OnceLock<EcKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = keys().dir.join("v2-ec");
        std::fs::create_dir_all(&dir).unwrap();
        let keys = EcKeys {
            sec1_with_parameters: dir.join("ec.pem"),
            pkcs8: dir.join("ec-pkcs8.pem"),
            public: dir.join("ec-public.pem"),
            p384: dir.join("p384.pem"),
        };
        let path = |p: &Path| p.to_str().unwrap().to_string();
        for args in [
            vec![
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-out",
                &path(&keys.sec1_with_parameters),
            ],
            vec![
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &path(&keys.sec1_with_parameters),
                "-out",
                &path(&keys.pkcs8),
            ],
            vec![
                "pkey",
                "-in",
                &path(&keys.pkcs8),
                "-pubout",
                "-out",
                &path(&keys.public),
            ],
            vec![
                "ecparam",
                "-name",
                "secp384r1",
                "-genkey",
                "-noout",
                "-out",
                &path(&keys.p384),
            ],
        ] {
            let out = Command::new("openssl")
                .args(&args)
                .output()
                .expect("openssl");
            assert_success(&out);
        }
        let pem = std::fs::read_to_string(&keys.sec1_with_parameters).unwrap();
        assert!(pem.starts_with("-----BEGIN EC PARAMETERS-----"), "{pem}");
        keys
    })
}

fn sign_with(key: &Path, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--date-less-than", EXPIRES];
    args.extend(extra);
    sign_url_with(key, url, &args)
}

/// Whether `public` verifies the ECDSA/SHA-256 `Signature` of `signed` over `policy`
/// (Python's cryptography, i.e. OpenSSL).
fn ecdsa_sha256_verifies(signed: &str, policy: &str, public: &Path) -> bool {
    let script = r#"
import base64, sys
from urllib.parse import urlsplit, parse_qs
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
signed, policy, public = sys.argv[1:]
sig = parse_qs(urlsplit(signed).query)['Signature'][0]
sig = base64.b64decode(sig.replace('-', '+').replace('_', '=').replace('~', '/'))
key = serialization.load_pem_public_key(open(public, 'rb').read())
try:
    key.verify(sig, policy.encode(), ec.ECDSA(hashes.SHA256()))
    print('valid', end='')
except Exception as e:
    print('invalid', type(e).__name__, end='')
"#;
    python(&[script, signed, policy, public.to_str().unwrap()]) == "valid"
}

#[test]
fn ecdsa_p256_keys_sign_over_sha256_say_so_and_refuse_sha1() {
    let keys = ec_keys();
    let url = "https://d111111abcdef8.cloudfront.net/a.png";
    let canned = format!(
        r#"{{"Statement":[{{"Resource":"{url}","Condition":{{"DateLessThan":{{"AWS:EpochTime":{EXPIRES}}}}}}}]}}"#
    );
    for key in [&keys.sec1_with_parameters, &keys.pkcs8] {
        for extra in [&[][..], &["--hash-algorithm", "SHA256"][..]] {
            let out = sign_with(key, url, extra);
            assert_success(&out);
            let signed = stdout(&out).trim_end().to_string();
            assert!(signed.starts_with(&format!("{url}?Expires={EXPIRES}&Signature=")));
            assert!(signed.ends_with(&format!("&Key-Pair-Id={KEY_ID}&Hash-Algorithm=SHA256")));
            assert!(
                ecdsa_sha256_verifies(&signed, &canned, &keys.public),
                "{signed}"
            );
        }
        // ECDSASigner (lines 461-485): "cannot be used with ECDSA keys, which only support SHA256".
        let out = sign_with(key, url, &["--hash-algorithm", "SHA1"]);
        assert_one_line_error(&out, 2, "ECDSA key signs with SHA256 only");
    }

    // A shared wildcard policy signed by an ECDSA key: the policy travels, so check that.
    let resource = "https://d111111abcdef8.cloudfront.net/*";
    let out = sign_with(&keys.pkcs8, url, &["--policy-resource", resource]);
    assert_success(&out);
    let signed = stdout(&out).trim_end().to_string();
    let policy = format!(
        r#"{{"Statement":[{{"Resource":"{resource}","Condition":{{"DateLessThan":{{"AWS:EpochTime":{EXPIRES}}}}}}}]}}"#
    );
    assert!(
        ecdsa_sha256_verifies(&signed, &policy, &keys.public),
        "{signed}"
    );

    // ECDSASigner: "Only P-256 EC keys are supported for CloudFront signing".
    assert_one_line_error(&sign_with(&keys.p384, url, &[]), 2, "--private-key");
}

/// `_validate_resource` (lines 297-339) and the signing-parameter check (lines 227-238): a
/// URL CloudFront could never match is refused, exit status 2, one line naming the flag.
#[test]
fn urls_v2_refuses_are_refused_with_one_line_and_exit_status_2() {
    for (url, mentions) in [
        ("https://d.example/a b.png", "ASCII without spaces"),
        ("https://d.example/ünïcode.png", "ASCII without spaces"),
        ("https://d.example/a.png#t=10", "fragment"),
        ("https://d.example/a\"b", "double quotes"),
        ("https://d.example/a\\b", "backslashes"),
        ("https://d.example/a\tb", "control characters"),
        ("d.example/a.png", "not an absolute http:// or https:// URL"),
        (
            "rtmp://d.example/a.flv",
            "not an absolute http:// or https:// URL",
        ),
        ("https:///a.png", "not an absolute http:// or https:// URL"),
        (
            "https://d.example:70000/a.png",
            "not an absolute http:// or https:// URL",
        ),
        ("https://d.example/a.png?Expires=1", "signing parameters"),
        (
            "https://d.example/a.png?x=1&Key-Pair-Id=K",
            "signing parameters",
        ),
        ("", "--url: empty"),
    ] {
        let out = sign_with(&keys().private, url, &[]);
        assert_one_line_error(&out, 2, mentions);
        assert!(
            stderr(&out).contains("--url: "),
            "{url:?}: {}",
            stderr(&out)
        );
    }
}

/// Each of these is refused before the key file is read: exit status 2 (bad input), not 3
/// (the key file below does not exist).
#[test]
fn bad_flags_are_refused_before_the_key_is_read() {
    let missing = Path::new("/nonexistent/key.pem");
    let url = "https://d.example/videos/a.mp4";
    for (extra, mentions) in [
        (
            &["--policy-resource", "https://d.example/images/*"][..],
            "does not match --policy-resource",
        ),
        (
            &["--policy-resource", "d.example/videos/a.mp4"][..],
            "--policy-resource: not an absolute",
        ),
        (
            &["--policy-resource", "https://d.example/a b/*"][..],
            "--policy-resource: must be ASCII",
        ),
        (&["--policy-resource", ""][..], "--policy-resource: empty"),
        (
            &["--date-greater-than", "2031-01-01"][..],
            "--date-greater-than",
        ),
        (
            &["--date-greater-than", EXPIRES][..],
            "not before DateLessThan",
        ),
        (&["--ip-address", "2001:db8::/32"][..], "IPv6"),
        (&["--ip-address", "192.0.2.300"][..], "--ip-address"),
        (&["--hash-algorithm", "MD5"][..], "MD5"),
    ] {
        assert_one_line_error(&sign_with(missing, url, extra), 2, mentions);
        let out = sign_with(&keys().private, url, extra);
        assert_one_line_error(&out, 2, mentions);
    }
}

#[test]
fn batch_applies_the_v2_rules_to_every_line_and_names_the_bad_one() {
    let dir = &keys().dir;
    let resource = "https://d.example/videos/*";
    for (lines, extra, bad_line, mentions) in [
        (
            "https://d.example/videos/a.mp4\nhttps://d.example/videos/b c.mp4\n",
            &[][..],
            2,
            "ASCII without spaces",
        ),
        (
            "https://d.example/videos/a.mp4\n\nhttps://d.example/images/b.png\n",
            &["--policy-resource", resource][..],
            3,
            "does not match --policy-resource",
        ),
    ] {
        let path = dir.join(format!("v2-bad-{bad_line}.txt"));
        std::fs::write(&path, lines).unwrap();
        let key = file_arg(&keys().private);
        let mut args = vec![
            "sign-url",
            "--batch",
            path.to_str().unwrap(),
            "--key-pair-id",
            KEY_ID,
        ];
        args.extend(["--private-key", &key, "--date-less-than", EXPIRES]);
        args.extend(extra);
        let out = cli(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let first = ours(
            "https://d.example/videos/a.mp4",
            extra.get(1).copied(),
            &[],
            None,
        );
        assert_eq!(stdout(&out), format!("{first}\n"));
        let prefix = format!("{}: line {bad_line}: ", path.display());
        assert!(err.contains(&prefix) && err.contains(mentions), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// 9,000 lines are three chunks, each signed on every core: the answers come back in input
/// order, each one a valid signature for its own line. (An ECDSA key keeps this quick.)
#[test]
fn batch_keeps_input_order_across_chunks_and_threads() {
    let keys = ec_keys();
    let count = 9_000;
    let urls: Vec<String> = (0..count)
        .map(|i| format!("https://d111111abcdef8.cloudfront.net/v/{i}.mp4"))
        .collect();
    let path = keys_dir_file("v2-order.txt");
    std::fs::write(&path, urls.join("\n")).unwrap();
    let key = file_arg(&keys.pkcs8);
    let out = cli(&[
        "sign-url",
        "--batch",
        path.to_str().unwrap(),
        "--key-pair-id",
        KEY_ID,
        "--private-key",
        &key,
        "--date-less-than",
        EXPIRES,
    ]);
    assert_success(&out);
    let text = stdout(&out);
    let signed: Vec<&str> = text.lines().collect();
    assert_eq!(signed.len(), count);
    for (url, line) in urls.iter().zip(&signed) {
        assert!(
            line.starts_with(&format!("{url}?Expires={EXPIRES}&Signature=")),
            "{line}"
        );
    }
    // Every signature checked by OpenSSL against the canned policy of its own line.
    let script = r#"
import base64, sys
from urllib.parse import urlsplit, parse_qs
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = serialization.load_pem_public_key(open(sys.argv[1], 'rb').read())
bad = 0
for line in open(sys.argv[2]):
    url, query = line.rstrip('\n').split('?', 1)
    q = parse_qs(query)
    sig = base64.b64decode(q['Signature'][0].replace('-', '+').replace('_', '=').replace('~', '/'))
    policy = '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%s}}}]}' % (url, q['Expires'][0])
    try:
        key.verify(sig, policy.encode(), ec.ECDSA(hashes.SHA256()))
    except Exception:
        bad += 1
print(bad, end='')
"#;
    let signed_path = keys_dir_file("v2-order-signed.txt");
    std::fs::write(&signed_path, &text).unwrap();
    let bad = python(&[
        script,
        keys.public.to_str().unwrap(),
        signed_path.to_str().unwrap(),
    ]);
    assert_eq!(bad, "0");
}

fn keys_dir_file(name: &str) -> PathBuf {
    keys().dir.join(name)
}

/// From a pipe, each line is answered while the input is still open: `--batch -` can sit
/// behind a program that asks for one URL at a time.
#[test]
fn batch_from_a_pipe_answers_each_line_before_the_input_ends() {
    let key = file_arg(&ec_keys().pkcs8);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudfront-edge-auth"))
        .args([
            "sign-url",
            "--batch",
            "-",
            "--key-pair-id",
            KEY_ID,
            "--private-key",
            &key,
        ])
        .args(["--date-less-than", EXPIRES])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let (lines, answers) = std::sync::mpsc::channel();
    let output = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    for name in ["first", "second"] {
        let url = format!("https://d.example/{name}.png");
        writeln!(input, "{url}").unwrap();
        input.flush().unwrap();
        let answer = answers
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer while stdin is still open");
        assert!(answer.starts_with(&format!("{url}?Expires=")), "{answer}");
    }
    drop(input);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn sign_url_help_says_where_aws_cli_v1_and_v2_differ() {
    let out = run("sign-url --help");
    assert_success(&out);
    let text = stdout(&out);
    for expected in [
        "--policy-resource <RESOURCE>",
        "--hash-algorithm <HASH>",
        "AWS CLI v1 AND v2",
        "this\nfollows v2",
    ] {
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat(&text).contains(&flat(expected)),
            "missing {expected:?} in:\n{text}"
        );
    }
}
