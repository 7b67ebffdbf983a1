//! The policy conditions of one `sign-url` or `sign-cookies` invocation, read from its flags,
//! and the signing of one URL under them (shared by `--url` and `--batch`).

use cloudfront_edge_auth::{CannedPolicy, CustomPolicy, Ipv4Cidr, Policy, Signer, MAX_URL_LEN};

use crate::cli::SigningArgs;
use crate::dates;
use crate::failure::Failure;

/// The conditions every URL of one invocation is signed with.
#[derive(Debug, Clone, Copy)]
pub struct Conditions {
    date_less_than: u64,
    date_greater_than: Option<u64>,
    ip_address: Option<Ipv4Cidr>,
}

impl Conditions {
    pub fn from_args(args: &SigningArgs) -> Result<Self, Failure> {
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
