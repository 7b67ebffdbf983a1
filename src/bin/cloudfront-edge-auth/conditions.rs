//! The policy conditions of one `sign-url` or `sign-cookies` invocation (expiry, start, IP
//! range), read from its flags, and the policies built from them.

use cloudfront_edge_auth::{CannedPolicy, CustomPolicy, Ipv4Cidr, Policy, MAX_URL_LEN};

use crate::cli::SigningArgs;
use crate::dates::{self, Rounding};
use crate::failure::Failure;

/// The conditions every URL of one invocation is signed with.
#[derive(Debug, Clone, Copy)]
pub struct Conditions {
    date_less_than: u64,
    date_greater_than: Option<u64>,
    ip_address: Option<Ipv4Cidr>,
}

impl Conditions {
    /// The conditions of `args`; a fraction of a second in a date is rounded as the signer
    /// this command mirrors rounds it (`aws` for sign-url, the JS SDK for sign-cookies).
    pub fn from_args(args: &SigningArgs, rounding: Rounding) -> Result<Self, Failure> {
        let date_less_than = dates::parse_flag("--date-less-than", &args.date_less_than, rounding)?;
        let date_greater_than = args
            .date_greater_than
            .as_deref()
            .map(|text| dates::parse_flag("--date-greater-than", text, rounding))
            .transpose()?;
        let ip_address = args
            .ip_address
            .as_deref()
            .map(parse_ip_address)
            .transpose()?;
        // The core's checks of the window (epochs in range, start before expiry) run here,
        // before any key or URL is read, as AWS CLI v2 checks them first (sign.py lines
        // 125-135 and 274-282 at 0162b2aa; v1 signs an empty window).
        let window = CustomPolicy::new(None, date_less_than)
            .map_err(|e| Failure::input(format!("--date-less-than: {e}")))?;
        if let Some(start) = date_greater_than {
            window
                .with_date_greater_than(start)
                .map_err(|e| Failure::input(format!("--date-greater-than: {e}")))?;
        }
        Ok(Conditions {
            date_less_than,
            date_greater_than,
            ip_address,
        })
    }

    /// Whether a start time or an IP range was given: both AWS signers then need a custom
    /// policy, whatever the URL.
    pub fn has_start_or_ip(&self) -> bool {
        self.date_greater_than.is_some() || self.ip_address.is_some()
    }

    /// The canned policy for `url` (the expiry only).
    pub fn canned(&self, url: &str) -> Result<Policy, Failure> {
        check_length(url)?;
        let canned = CannedPolicy::new(url, self.date_less_than)
            .map_err(|e| Failure::input(format!("--date-less-than: {e}")))?;
        Ok(Policy::Canned(canned))
    }

    /// The custom policy for `resource` with every condition given.
    pub fn custom(&self, resource: &str) -> Result<CustomPolicy, Failure> {
        check_length(resource)?;
        let mut custom = CustomPolicy::new(Some(resource.to_string()), self.date_less_than)
            .map_err(|e| Failure::input(format!("--date-less-than: {e}")))?;
        if let Some(start) = self.date_greater_than {
            custom = custom
                .with_date_greater_than(start)
                .map_err(|e| Failure::input(format!("--date-greater-than: {e}")))?;
        }
        if let Some(network) = self.ip_address {
            custom = custom.with_ip_address(network);
        }
        Ok(custom)
    }

    /// `sign-cookies`' choice, `@aws-sdk/cloudfront-signer`'s: a custom policy only for a
    /// start time or an IP range, whatever the URL holds.
    pub fn sdk_policy_for(&self, url: &str) -> Result<Policy, Failure> {
        if self.has_start_or_ip() {
            Ok(Policy::Custom(self.custom(url)?))
        } else {
            self.canned(url)
        }
    }

    /// The warning for a wildcard URL that [`Conditions::sdk_policy_for`] gives a canned
    /// policy, if it is one.
    pub fn wildcard_warning(&self, url: &str) -> Option<String> {
        (!self.has_start_or_ip() && url.contains('*')).then(|| {
            "the URL contains '*' but gets a canned policy, which CloudFront compares \
             literally: it will never match a request; add --date-greater-than or \
             --ip-address for a custom policy (aws-sdk-js-v3 issue #4516)"
                .to_string()
        })
    }
}

/// `--ip-address`: one IPv4 address or range; an IPv6 one gets its own answer, as in AWS CLI
/// v2, since a policy cannot hold it at all.
fn parse_ip_address(text: &str) -> Result<Ipv4Cidr, Failure> {
    text.parse::<Ipv4Cidr>().map_err(|e| {
        let address = text.split_once('/').map_or(text, |(address, _)| address);
        if address.parse::<std::net::Ipv6Addr>().is_ok() {
            Failure::input(format!(
                "--ip-address: {text:?} is an IPv6 address; CloudFront policies take IPv4 \
                 addresses and ranges only"
            ))
        } else {
            Failure::input(format!("--ip-address: {e}"))
        }
    })
}

fn check_length(url: &str) -> Result<(), Failure> {
    if url.len() > MAX_URL_LEN {
        return Err(Failure::input(format!(
            "URL is {} bytes, over CloudFront's {MAX_URL_LEN}-byte limit",
            url.len()
        )));
    }
    Ok(())
}
