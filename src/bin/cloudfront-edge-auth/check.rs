//! `verify` (with the public keys, through the core's [`Verifier`]) and `inspect` (without
//! any key, through the core's [`Unverified`] step).

use std::net::IpAddr;

use cloudfront_edge_auth::{CredentialSource, Denied, Policy, Request, Unverified, Verifier};

use crate::cli::{InspectArgs, VerdictFormat, VerifyArgs};
use crate::dates::{self, iso8601, Rounding};
use crate::failure::{Failure, Outcome};
use crate::keyfile;
use crate::output::Stdout;
use crate::printable::printable;

/// RSA signature lengths: a 2048-bit key (CloudFront's) to a 4096-bit one (keygen's largest).
const RSA_SIGNATURE_LEN: std::ops::RangeInclusive<usize> = 256..=512;

/// What a signature's bytes can be from, judged without the key.
enum SignatureShape {
    /// As long as an RSA signature, of a key of this many bits.
    Rsa { bits: usize },
    /// A DER `SEQUENCE { r, s }` with both in range for P-256 (about 70 to 72 bytes).
    EcdsaP256,
    /// Neither: no key CloudFront takes made it.
    Neither,
}

fn signature_shape(signature: &[u8]) -> SignatureShape {
    if RSA_SIGNATURE_LEN.contains(&signature.len()) {
        SignatureShape::Rsa {
            bits: signature.len() * 8,
        }
    } else if p256::ecdsa::Signature::from_der(signature).is_ok() {
        SignatureShape::EcdsaP256
    } else {
        SignatureShape::Neither
    }
}

/// `verify`: exit 0 only when accepted.
pub fn verify(args: &VerifyArgs, out: &mut Stdout) -> Result<Outcome, Failure> {
    let now = now_flag(args.now.as_deref())?;
    let client_ip = ip_flag(args.ip.as_deref())?;
    let verifier = Verifier::new(keyfile::load_key_group(&args.public_key)?);
    let mut request = Request::new(&args.url, now);
    request.cookie_header = args.cookie.as_deref().map(strip_cookie_prefix);
    request.client_ip = client_ip;
    let verdict = verifier.verify(&request);
    // The core has one reason for both; without --ip, no viewer IP was compared at all.
    let explain = |denied: &Denied| match denied {
        Denied::IpMismatch if client_ip.is_none() => "the policy has an IP condition \
            (AWS:SourceIp) and no viewer IP was given: pass --ip"
            .to_string(),
        other => explain(other),
    };
    let (text, outcome) = match (&verdict, args.format) {
        (Ok(accepted), VerdictFormat::Text) => (
            format!(
                "accepted: key {}, {}, expires at {}",
                printable(accepted.key_pair_id()),
                source_name(accepted.source()),
                with_iso(accepted.expires_at())
            ),
            Outcome::Ok,
        ),
        (Ok(accepted), VerdictFormat::Json) => (
            format!(
                r#"{{"ok":true,"keyPairId":{},"expiresAt":{},"source":"{}"}}"#,
                json_string(accepted.key_pair_id()),
                accepted.expires_at(),
                match accepted.source() {
                    CredentialSource::SignedUrl => "signed-url",
                    CredentialSource::Cookies => "cookies",
                }
            ),
            Outcome::Ok,
        ),
        (Err(denied), VerdictFormat::Text) => (
            format!("denied: {}: {}", denied.code(), printable(&explain(denied))),
            Outcome::Refused,
        ),
        (Err(denied), VerdictFormat::Json) => (
            format!(
                r#"{{"ok":false,"reason":"{}","message":{}}}"#,
                denied.code(),
                json_string(&explain(denied))
            ),
            Outcome::Refused,
        ),
    };
    write_verdict_line(out, &text, outcome)?;
    Ok(outcome)
}

/// `inspect`: exit 0 when nothing is wrong, 1 when something is.
pub fn inspect(args: &InspectArgs, out: &mut Stdout) -> Result<Outcome, Failure> {
    let mut report = Report::default();
    let outcome = inspect_report(args, &mut report)?;
    report.write(out, outcome)
}

fn inspect_report(args: &InspectArgs, report: &mut Report) -> Result<Outcome, Failure> {
    let now = now_flag(args.now.as_deref())?;
    let client_ip = ip_flag(args.ip.as_deref())?;
    let cookie = args.cookie.as_deref().map(strip_cookie_prefix);
    let unverified = match Unverified::read(args.url.as_deref().unwrap_or(""), cookie) {
        Ok(unverified) => unverified,
        Err(denied) => {
            report.field(
                "problem",
                &format!("{}: {}", denied.code(), explain(&denied)),
            );
            return Ok(Outcome::Refused);
        }
    };

    report.field("credentials", source_name(unverified.source()));
    report.field("key pair id", unverified.key_pair_id());
    report.field("hash algorithm", unverified.algorithm().name());
    let signature = unverified.signature().len();
    let shape = signature_shape(unverified.signature());
    report.field(
        "signature",
        &match shape {
            SignatureShape::Rsa { bits } => {
                format!("{signature} bytes, as from a {bits}-bit RSA key (not checked)")
            }
            SignatureShape::EcdsaP256 => {
                format!("{signature} bytes, an ECDSA P-256 signature (DER, not checked)")
            }
            SignatureShape::Neither => format!("{signature} bytes (not checked)"),
        },
    );
    let have_url = args.url.is_some();
    match unverified.policy() {
        Policy::Canned(canned) => {
            report.field("policy", "canned");
            let resource = if have_url {
                canned.resource().to_string()
            } else {
                "(the request URL: give --url)".to_string()
            };
            report.field("resource", &resource);
            report.field("date less than", &with_iso(canned.expires()));
        }
        Policy::Custom(custom) => {
            report.field("policy", "custom");
            report.field("resource", custom.resource().unwrap_or("(none: every URL)"));
            report.field("date less than", &with_iso(custom.date_less_than()));
            if let Some(start) = custom.date_greater_than() {
                report.field("date greater than", &with_iso(start));
            }
            if let Some(network) = custom.ip_address() {
                report.field("ip address", &network.to_string());
            }
        }
    }
    if matches!(unverified.policy(), Policy::Canned(_)) && !have_url {
        report.field("policy JSON", "(rebuilt from the request URL: give --url)");
    } else {
        report.line("policy JSON:");
        for line in pretty_json(&String::from_utf8_lossy(unverified.signed_bytes())).lines() {
            report.line(&format!("  {}", printable(line)));
        }
    }

    report.field("checked at", &with_iso(now));
    let has_ip_condition =
        matches!(unverified.policy(), Policy::Custom(c) if c.ip_address().is_some());
    let (problem, notes) = match unverified.condition_problem(client_ip, now) {
        None => (None, vec![]),
        Some(Denied::ResourceMismatch) if !have_url => {
            let mut notes = vec!["resource not checked: give --url"];
            if has_ip_condition {
                notes.push("IP condition not checked: give --url and --ip");
            }
            (None, notes)
        }
        Some(Denied::IpMismatch) if client_ip.is_none() => {
            (None, vec!["IP condition not checked: give --ip"])
        }
        Some(denied) => (
            Some(format!("{}: {}", denied.code(), explain(&denied))),
            vec![],
        ),
    };
    // Not a separate CloudFront check, but a signature of neither shape can never verify.
    let problem = problem.or_else(|| {
        matches!(shape, SignatureShape::Neither).then(|| {
            format!(
                "bad-signature: {signature} bytes, neither an RSA signature (a 2048-bit key \
                 makes 256 bytes) nor a DER ECDSA P-256 one"
            )
        })
    });
    for note in notes {
        report.field("note", note);
    }
    match problem {
        Some(problem) => {
            report.field("problem", &problem);
            Ok(Outcome::Refused)
        }
        None => {
            report.field(
                "problems",
                "none found (the signature needs the public key: see verify)",
            );
            Ok(Outcome::Ok)
        }
    }
}

/// What `inspect` prints, gathered before any of it is written so that the verdict is known
/// even when the reader goes away part-way.
#[derive(Default)]
struct Report {
    lines: Vec<String>,
}

impl Report {
    /// One `name: value` line; the value may come from the request, so it is made printable.
    fn field(&mut self, name: &str, value: &str) {
        self.line(&format!("{:<19}{}", format!("{name}:"), printable(value)));
    }

    fn line(&mut self, text: &str) {
        self.lines.push(text.to_string());
    }

    fn write(&self, out: &mut Stdout, outcome: Outcome) -> Result<Outcome, Failure> {
        for line in &self.lines {
            write_verdict_line(out, line, outcome)?;
        }
        Ok(outcome)
    }
}

/// Writes a line of a verdict. A reader that has gone (`| head -1`) does not turn a denial
/// into success: the outcome's status stands; other write failures are I/O errors.
fn write_verdict_line(out: &mut Stdout, line: &str, outcome: Outcome) -> Result<(), Failure> {
    match out.line(line) {
        Err(failure) if failure.is_broken_pipe() => Err(failure.with_outcome(outcome)),
        other => other,
    }
}

fn now_flag(text: Option<&str>) -> Result<u64, Failure> {
    text.map_or_else(
        || Ok(dates::now()),
        |t| dates::parse_flag("--now", t, Rounding::Aws),
    )
}

fn ip_flag(text: Option<&str>) -> Result<Option<IpAddr>, Failure> {
    text.map(|t| {
        t.trim()
            .parse::<IpAddr>()
            .map_err(|_| Failure::input(format!("--ip: {t:?} is not an IPv4 or IPv6 address")))
    })
    .transpose()
}

/// `Cookie: a=b` and `a=b` are both accepted.
fn strip_cookie_prefix(header: &str) -> &str {
    let trimmed = header.trim_start();
    match trimmed.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("cookie:") => trimmed[7..].trim_start(),
        _ => header,
    }
}

fn source_name(source: CredentialSource) -> &'static str {
    match source {
        CredentialSource::SignedUrl => "signed URL",
        CredentialSource::Cookies => "cookies",
    }
}

fn with_iso(epoch: u64) -> String {
    format!("{epoch} ({})", iso8601(epoch))
}

/// The core's reason, with times also in ISO 8601.
fn explain(denied: &Denied) -> String {
    match denied {
        Denied::Expired { at } => format!("expired at {}", with_iso(*at)),
        Denied::NotYetValid { from } => format!("not valid before {}", with_iso(*from)),
        other => other.to_string(),
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Indents compact JSON (a policy has no whitespace outside strings) keeping its key order.
fn pretty_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' if matches!(chars.peek(), Some('}' | ']')) => out.push(c),
            '{' | '[' => {
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' if out.ends_with(['{', '[']) => out.push(c),
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_prints_policy_json_in_its_own_key_order() {
        let json = r#"{"Statement":[{"Resource":"https://d.example/a,b:c{}","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}],"E":{}}"#;
        let expected = r#"{
  "Statement": [
    {
      "Resource": "https://d.example/a,b:c{}",
      "Condition": {
        "DateLessThan": {
          "AWS:EpochTime": 1
        }
      }
    }
  ],
  "E": {}
}"#;
        assert_eq!(pretty_json(json), expected);
    }

    #[test]
    fn accepts_a_cookie_header_with_or_without_its_name() {
        assert_eq!(strip_cookie_prefix("Cookie: a=b"), "a=b");
        assert_eq!(strip_cookie_prefix("cookie:a=b"), "a=b");
        assert_eq!(strip_cookie_prefix("a=b; c=d"), "a=b; c=d");
        assert_eq!(strip_cookie_prefix("é"), "é");
    }
}
