//! `sign-url` (botocore's bytes, optionally a streamed batch) and `sign-cookies` (the JS
//! SDK's bytes). All signing is the core's [`Signer`]; this only turns flags into a policy.

use std::io::BufReader;
use std::path::Path;

use cloudfront_edge_auth::request::MAX_URL_LEN;
use cloudfront_edge_auth::{
    CannedPolicy, CookieSet, CustomPolicy, HashAlgorithm, Ipv4Cidr, KeyId, Policy, Signer,
    SignerStyle,
};

use crate::batch;
use crate::cli::{CookieFormat, Hash, SignCookiesArgs, SignUrlArgs, SigningArgs};
use crate::dates;
use crate::failure::Failure;
use crate::keyfile;
use crate::output::Stdout;

/// The conditions every URL of one invocation is signed with.
#[derive(Debug, Clone, Copy)]
pub struct Conditions {
    date_less_than: u64,
    date_greater_than: Option<u64>,
    ip_address: Option<Ipv4Cidr>,
}

impl Conditions {
    fn from_args(args: &SigningArgs) -> Result<Self, Failure> {
        let date_less_than = dates::parse_flag("--date-less-than", &args.date_less_than)?;
        let date_greater_than = args
            .date_greater_than
            .as_deref()
            .map(|text| dates::parse_flag("--date-greater-than", text))
            .transpose()?;
        let ip_address = args
            .ip_address
            .as_deref()
            .map(|text| {
                text.parse::<Ipv4Cidr>()
                    .map_err(|e| Failure::input(format!("--ip-address: {e}")))
            })
            .transpose()?;
        Ok(Conditions {
            date_less_than,
            date_greater_than,
            ip_address,
        })
    }

    /// Both AWS signers pick a custom policy only for a start time or an IP range.
    fn is_custom(&self) -> bool {
        self.date_greater_than.is_some() || self.ip_address.is_some()
    }

    /// The policy for one URL.
    pub fn policy_for(&self, url: &str) -> Result<Policy, Failure> {
        if url.len() > MAX_URL_LEN {
            return Err(Failure::input(format!(
                "URL is {} bytes, over CloudFront's {MAX_URL_LEN}-byte limit",
                url.len()
            )));
        }
        if !self.is_custom() {
            let canned = CannedPolicy::new(url, self.date_less_than)
                .map_err(|e| Failure::input(format!("--date-less-than: {e}")))?;
            return Ok(Policy::Canned(canned));
        }
        let mut custom = CustomPolicy::new(Some(url.to_string()), self.date_less_than)
            .map_err(|e| Failure::input(format!("--date-less-than: {e}")))?;
        if let Some(start) = self.date_greater_than {
            custom = custom
                .with_date_greater_than(start)
                .map_err(|e| Failure::input(format!("--date-greater-than: {e}")))?;
        }
        if let Some(network) = self.ip_address {
            custom = custom.with_ip_address(network);
        }
        Ok(Policy::Custom(custom))
    }

    /// The warning for a wildcard URL that gets a canned policy, if it is one.
    pub fn wildcard_warning(&self, url: &str) -> Option<String> {
        (!self.is_custom() && url.contains('*')).then(|| {
            "the URL contains '*' but gets a canned policy, which CloudFront compares \
             literally: it will never match a request; add --date-greater-than or \
             --ip-address for a custom policy (aws-sdk-js-v3 issue #4516)"
                .to_string()
        })
    }
}

fn signer(args: &SigningArgs, style: SignerStyle) -> Result<Signer, Failure> {
    let key_pair_id = KeyId::new(args.key_pair_id.as_str())
        .map_err(|e| Failure::input(format!("--key-pair-id: {e}")))?;
    let key = keyfile::load_private_key(&args.private_key, args.passphrase_file.as_deref())?;
    let algorithm = match args.hash {
        Hash::Sha1 => HashAlgorithm::Sha1,
        Hash::Sha256 => HashAlgorithm::Sha256,
    };
    Ok(Signer::new(key_pair_id, key)
        .with_algorithm(algorithm)
        .with_style(style))
}

/// Signs one URL the way botocore does: the URL as given, parameters in its order.
pub fn sign_one_url(
    signer: &Signer,
    conditions: &Conditions,
    url: &str,
) -> Result<String, Failure> {
    let policy = conditions.policy_for(url)?;
    let signed = signer
        .sign_policy(&policy)
        .map_err(|e| Failure::internal(format!("signing failed: {e}")))?;
    Ok(signed.to_url(url))
}

/// `sign-url`.
pub fn sign_url(args: &SignUrlArgs, out: &mut Stdout) -> Result<(), Failure> {
    // Flags are checked before the key is read, so a typo costs no key parse.
    let conditions = Conditions::from_args(&args.signing)?;
    if let Some(url) = &args.url {
        if url.is_empty() {
            return Err(Failure::input("--url: empty URL"));
        }
        conditions.policy_for(url)?;
        let signer = signer(&args.signing, SignerStyle::Botocore)?;
        if let Some(warning) = conditions.wildcard_warning(url) {
            crate::warn(&warning);
        }
        let signed = sign_one_url(&signer, &conditions, url)?;
        return out.line(&signed);
    }
    let Some(path) = args.batch.as_deref() else {
        return Err(Failure::input("give --url or --batch"));
    };
    let signer = signer(&args.signing, SignerStyle::Botocore)?;
    if path == Path::new("-") {
        let reader = BufReader::with_capacity(64 * 1024, std::io::stdin());
        batch::sign_lines(reader, "stdin", &signer, &conditions, out)
    } else {
        let file = std::fs::File::open(path).map_err(|e| Failure::file(path, &e))?;
        let reader = BufReader::with_capacity(64 * 1024, file);
        let name = path.display().to_string();
        batch::sign_lines(reader, &name, &signer, &conditions, out)
    }
}

/// `sign-cookies`.
pub fn sign_cookies(args: &SignCookiesArgs, out: &mut Stdout) -> Result<(), Failure> {
    let conditions = Conditions::from_args(&args.signing)?;
    cloudfront_edge_auth::sdk::check_scheme(&args.url)
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
    let policy = conditions.policy_for(&args.url)?;
    let signer = signer(&args.signing, SignerStyle::AwsSdkJs)?;
    if let Some(warning) = conditions.wildcard_warning(&args.url) {
        crate::warn(&warning);
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
