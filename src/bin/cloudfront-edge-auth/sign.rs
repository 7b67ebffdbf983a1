//! `sign-url` (botocore's bytes, optionally a streamed batch) and `sign-cookies` (the JS
//! SDK's bytes). All signing is the core's [`Signer`]; this only turns flags into a policy.

use std::io::{BufReader, Read};
use std::path::Path;

use cloudfront_edge_auth::{CookieSet, HashAlgorithm, KeyId, KeyKind, Signer, SignerStyle};

use crate::batch;
use crate::cli::{CookieFormat, Hash, SignCookiesArgs, SignUrlArgs, SigningArgs};
use crate::conditions::Conditions;
use crate::dates::Rounding;
use crate::failure::{warn, Failure};
use crate::keyfile;
use crate::output::Stdout;
use crate::resource::{PolicyResource, UrlToSign};
use crate::url_signer::UrlPolicies;

/// Which command signs: the hash an ECDSA key gets differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    /// `sign-url`, as AWS CLI v2: an ECDSA key signs with SHA-256 only (sign.py at 0162b2aa,
    /// `ECDSASigner`, lines 461-485: "ECDSA keys always use SHA256 and cannot be used with
    /// SHA1"), though CloudFront itself also takes ECDSA over SHA-1.
    SignUrl,
    /// `sign-cookies`, as `@aws-sdk/cloudfront-signer`: SHA-1 unless asked.
    SignCookies,
}

fn signer(args: &SigningArgs, command: Command) -> Result<Signer, Failure> {
    let key_pair_id = KeyId::new(args.key_pair_id.as_str())
        .map_err(|e| Failure::input(format!("--key-pair-id: {e}")))?;
    let key = keyfile::load_private_key(&args.private_key, args.passphrase_file.as_deref())?;
    let ecdsa = key.kind() == KeyKind::EcdsaP256;
    let algorithm = match (args.hash, command) {
        (Some(Hash::Sha256), _) => HashAlgorithm::Sha256,
        (None, Command::SignUrl) if ecdsa => HashAlgorithm::Sha256,
        (Some(Hash::Sha1), Command::SignUrl) if ecdsa => {
            return Err(Failure::input(
                "--hash-algorithm: an ECDSA key signs with SHA256 only (as AWS CLI v2); \
                 remove --hash-algorithm or set it to SHA256",
            ))
        }
        (Some(Hash::Sha1) | None, _) => HashAlgorithm::Sha1,
    };
    let style = match command {
        Command::SignUrl => SignerStyle::Botocore,
        Command::SignCookies => SignerStyle::AwsSdkJs,
    };
    Ok(Signer::new(key_pair_id, key)
        .with_algorithm(algorithm)
        .with_style(style))
}

/// `sign-url`.
pub fn sign_url(args: &SignUrlArgs, out: &mut Stdout) -> Result<(), Failure> {
    // Flags are checked before the key is read, so a typo costs no key parse.
    let conditions = Conditions::from_args(&args.signing, Rounding::Aws)?;
    let resource = args
        .policy_resource
        .as_deref()
        .map(|text| {
            PolicyResource::parse(text)
                .map_err(|e| Failure::input(format!("--policy-resource: {e}")))
        })
        .transpose()?;
    let policies = UrlPolicies::new(conditions, resource)?;
    if let Some(url) = &args.url {
        let url = UrlToSign::parse(url).map_err(|e| Failure::input(format!("--url: {e}")))?;
        policies.check(&url)?;
        let signer = policies.with_signer(signer(&args.signing, Command::SignUrl)?)?;
        return out.line(&signer.sign(&url)?);
    }
    let Some(path) = args.batch.as_deref() else {
        return Err(Failure::input("give --url or --batch"));
    };
    // The input is opened before the key is parsed: a wrong path costs no key parse.
    let (source, name, input): (Box<dyn Read>, String, batch::Input) = if path == Path::new("-") {
        (
            Box::new(std::io::stdin()),
            "stdin".into(),
            batch::Input::Stream,
        )
    } else {
        let file = std::fs::File::open(path).map_err(|e| Failure::file(path, &e))?;
        (
            Box::new(file),
            path.display().to_string(),
            batch::Input::File,
        )
    };
    let signer = policies.with_signer(signer(&args.signing, Command::SignUrl)?)?;
    let reader = BufReader::with_capacity(64 * 1024, source);
    batch::sign_lines(reader, &name, input, &signer, out)
}

/// `sign-cookies`.
pub fn sign_cookies(args: &SignCookiesArgs, out: &mut Stdout) -> Result<(), Failure> {
    let conditions = Conditions::from_args(&args.signing, Rounding::Sdk)?;
    cloudfront_edge_auth::check_url_scheme(&args.url)
        .map_err(|e| Failure::input(format!("--url: {e}")))?;
    check_cookie_attribute("--path", &args.path, |c| c != ';' && c != ',')?;
    if !args.path.starts_with('/') {
        return Err(Failure::input("--path: must start with '/'"));
    }
    if let Some(domain) = &args.domain {
        check_cookie_attribute("--domain", domain, |c| {
            c.is_ascii_alphanumeric() || c == '.' || c == '-'
        })?;
    }
    let policy = conditions.sdk_policy_for(&args.url)?;
    let signer = signer(&args.signing, Command::SignCookies)?;
    if let Some(warning) = conditions.wildcard_warning(&args.url) {
        warn(&warning);
    }
    let cookies = signer
        .sign_policy(&policy)
        .map_err(|e| Failure::internal(format!("signing failed: {e}")))?
        .to_cookies();
    let text = match args.format {
        CookieFormat::SetCookie => set_cookie_lines(&cookies, &args.path, args.domain.as_deref()),
        CookieFormat::Json => sdk_json(&cookies),
        CookieFormat::Curl => format!(
            "curl --cookie {} {}",
            shell_quote(&cookies.to_cookie_header()),
            shell_quote(&args.url)
        ),
        CookieFormat::Header => cookies.to_cookie_header(),
    };
    out.line(&text)
}

fn check_cookie_attribute(
    flag: &str,
    value: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), Failure> {
    let ok = !value.is_empty()
        && value.len() <= 1024
        && value.chars().all(|c| c.is_ascii_graphic() && allowed(c));
    if ok {
        Ok(())
    } else {
        Err(Failure::input(format!(
            "{flag}: {value:?} is not a valid cookie attribute value"
        )))
    }
}

/// `Set-Cookie` lines as CloudFront's documentation shows them, plus `SameSite=Lax`.
fn set_cookie_lines(cookies: &CookieSet, path: &str, domain: Option<&str>) -> String {
    let domain = domain.map(|d| format!("; Domain={d}")).unwrap_or_default();
    cookies
        .iter()
        .map(|(name, value)| {
            format!(
                "Set-Cookie: {name}={value}; Path={path}{domain}; Secure; HttpOnly; SameSite=Lax"
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `JSON.stringify(getSignedCookies(...))`: `CloudFront-Expires` is a number there.
fn sdk_json(cookies: &CookieSet) -> String {
    let fields: Vec<String> = cookies
        .iter()
        .map(|(name, value)| {
            // Every value is a key id, CloudFront base64, digits or SHA256: no escaping needed.
            if name == "CloudFront-Expires" {
                format!("\"{name}\":{value}")
            } else {
                format!("\"{name}\":\"{value}\"")
            }
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// Single-quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
