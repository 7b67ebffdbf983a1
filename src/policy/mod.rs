//! CloudFront policies: the canned form (one URL, an expiry) and the custom form (a resource
//! pattern, a time window, an IP range), their exact JSON bytes, and parsing them back.
//!
//! AWS: *Create a signed URL using a canned policy* / *... using a custom policy*. The bytes
//! matter: a canned policy is never sent, CloudFront rebuilds it from the request and checks
//! the signature against its own bytes, so ours must match them exactly.

mod parse;
#[cfg(test)]
mod tests;

use crate::cidr::Ipv4Cidr;
use crate::encoding;
use crate::error::PolicyError;
use crate::resource;

/// The latest `AWS:EpochTime` we accept: CloudFront stores it as a signed 32-bit value.
pub const MAX_EPOCH: u64 = 2_147_483_647;

/// Largest policy JSON we parse, in bytes (CloudFront's URL limit is 8,192 bytes).
pub const MAX_POLICY_LEN: usize = 8 * 1024;

/// Which signer's JSON layout to reproduce. The two AWS signers order custom-policy
/// conditions differently and escape non-ASCII differently; CloudFront accepts both, but a
/// byte-identical signature needs the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignerStyle {
    /// `@aws-sdk/cloudfront-signer`: `DateLessThan`, `DateGreaterThan`, `IpAddress`;
    /// non-ASCII kept as UTF-8 (`JSON.stringify`). The default.
    #[default]
    AwsSdkJs,
    /// botocore / `aws cloudfront sign`: `DateLessThan`, `IpAddress`, `DateGreaterThan`;
    /// non-ASCII escaped as `\uXXXX` (Python's `json.dumps`).
    Botocore,
}

/// A canned policy: one exact URL and an expiry. Sent as `Expires`, never as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedPolicy {
    resource: String,
    expires: u64,
}

impl CannedPolicy {
    /// A canned policy for `resource` (the exact URL) that expires at `expires` (epoch s).
    ///
    /// ```
    /// use cloudfront_edge_auth::CannedPolicy;
    /// let p = CannedPolicy::new("https://d.example/a.png", 1700000000).unwrap();
    /// assert_eq!(
    ///     p.to_json(),
    ///     r#"{"Statement":[{"Resource":"https://d.example/a.png","Condition":{"DateLessThan":{"AWS:EpochTime":1700000000}}}]}"#
    /// );
    /// ```
    pub fn new(resource: impl Into<String>, expires: u64) -> Result<Self, PolicyError> {
        check_epoch(expires)?;
        Ok(CannedPolicy {
            resource: resource.into(),
            expires,
        })
    }

    /// The URL this policy covers.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Expiry, epoch seconds.
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// The exact JSON CloudFront rebuilds and checks the signature against.
    pub fn to_json(&self) -> String {
        self.to_json_with(SignerStyle::AwsSdkJs)
    }

    /// The JSON in a given signer's escaping (the two differ only for non-ASCII URLs).
    pub fn to_json_with(&self, style: SignerStyle) -> String {
        let mut out = String::with_capacity(self.resource.len() + 96);
        out.push_str(r#"{"Statement":[{"Resource":"#);
        push_json_string(&mut out, &self.resource, style);
        out.push_str(r#","Condition":{"DateLessThan":{"AWS:EpochTime":"#);
        out.push_str(&self.expires.to_string());
        out.push_str("}}}]}");
        out
    }
}

/// A custom policy: an optional resource pattern (`*` and `?` wildcards), a time window and
/// an optional IPv4 range. Sent base64-encoded as `Policy` / `CloudFront-Policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomPolicy {
    resource: Option<String>,
    date_less_than: u64,
    date_greater_than: Option<u64>,
    ip_address: Option<Ipv4Cidr>,
}

impl CustomPolicy {
    /// A policy for `resource` (a pattern; `None` covers every URL of the distribution)
    /// valid until `date_less_than` (epoch seconds).
    ///
    /// ```
    /// use cloudfront_edge_auth::CustomPolicy;
    /// let p = CustomPolicy::new(Some("https://d.example/private/*".into()), 1700000000)
    ///     .unwrap()
    ///     .with_date_greater_than(1690000000)
    ///     .unwrap()
    ///     .with_ip_address("192.0.2.0/24".parse().unwrap());
    /// assert!(p.to_json().contains(r#""IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}"#));
    /// ```
    pub fn new(resource: Option<String>, date_less_than: u64) -> Result<Self, PolicyError> {
        check_epoch(date_less_than)?;
        Ok(CustomPolicy {
            resource,
            date_less_than,
            date_greater_than: None,
            ip_address: None,
        })
    }

    /// Adds a start time (epoch seconds); it must be before the expiry.
    pub fn with_date_greater_than(mut self, start: u64) -> Result<Self, PolicyError> {
        check_epoch(start)?;
        if start >= self.date_less_than {
            return Err(PolicyError::EmptyWindow {
                start,
                end: self.date_less_than,
            });
        }
        self.date_greater_than = Some(start);
        Ok(self)
    }

    /// Restricts the policy to viewers in `network`.
    pub fn with_ip_address(mut self, network: Ipv4Cidr) -> Self {
        self.ip_address = Some(network);
        self
    }

    /// The resource pattern, if any.
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    /// Whether a request for `url` falls under the policy's `Resource`, compared as the
    /// verifier compares it (`*` any run of characters, `?` exactly one, case-sensitive); a
    /// policy without a `Resource` covers every URL. The time and IP conditions are not part
    /// of it. Lets a signer refuse to attach a policy to a URL CloudFront would deny.
    ///
    /// ```
    /// use cloudfront_edge_auth::CustomPolicy;
    /// let videos = CustomPolicy::new(Some("https://d.example/videos/*".into()), 1_900_000_000)
    ///     .unwrap();
    /// assert!(videos.covers("https://d.example/videos/a.mp4?x=1"));
    /// assert!(!videos.covers("https://d.example/images/a.png"));
    /// ```
    pub fn covers(&self, url: &str) -> bool {
        self.resource
            .as_deref()
            .is_none_or(|pattern| resource::matches(pattern, url))
    }

    /// Expiry, epoch seconds (exclusive: valid while `now < date_less_than`).
    pub fn date_less_than(&self) -> u64 {
        self.date_less_than
    }

    /// Start, epoch seconds (inclusive: AWS allows access "on or after" this time).
    pub fn date_greater_than(&self) -> Option<u64> {
        self.date_greater_than
    }

    /// The viewer IP range, if any.
    pub fn ip_address(&self) -> Option<Ipv4Cidr> {
        self.ip_address
    }

    /// The JSON `@aws-sdk/cloudfront-signer` would produce for the same values.
    pub fn to_json(&self) -> String {
        self.to_json_with(SignerStyle::AwsSdkJs)
    }

    /// The JSON in a given signer's layout.
    pub fn to_json_with(&self, style: SignerStyle) -> String {
        let mut out = String::with_capacity(160);
        out.push_str(r#"{"Statement":[{"#);
        if let Some(resource) = &self.resource {
            out.push_str(r#""Resource":"#);
            push_json_string(&mut out, resource, style);
            out.push(',');
        }
        out.push_str(r#""Condition":{"DateLessThan":{"AWS:EpochTime":"#);
        out.push_str(&self.date_less_than.to_string());
        out.push('}');
        let start = self
            .date_greater_than
            .map(|start| format!(r#","DateGreaterThan":{{"AWS:EpochTime":{start}}}"#));
        let ip = self
            .ip_address
            .map(|ip| format!(r#","IpAddress":{{"AWS:SourceIp":"{ip}"}}"#));
        let (first, second) = match style {
            SignerStyle::AwsSdkJs => (start, ip),
            SignerStyle::Botocore => (ip, start),
        };
        out.push_str(first.as_deref().unwrap_or(""));
        out.push_str(second.as_deref().unwrap_or(""));
        out.push_str("}}]}");
        out
    }

    /// The policy as CloudFront base64, the value of `Policy` / `CloudFront-Policy`.
    pub fn to_base64(&self) -> String {
        encoding::encode(self.to_json().as_bytes())
    }

    /// Parses policy JSON, checking it against CloudFront's rules: one statement,
    /// `DateLessThan` required, epochs in range, `AWS:SourceIp` a single IPv4 CIDR, no
    /// whitespace outside strings, no unknown or duplicated fields.
    ///
    /// ```
    /// use cloudfront_edge_auth::CustomPolicy;
    /// let json = r#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1700000000}}}]}"#;
    /// let p = CustomPolicy::from_json(json.as_bytes()).unwrap();
    /// assert_eq!(p.resource(), None);
    /// assert!(CustomPolicy::from_json(b"{\"Statement\": []}").is_err());
    /// ```
    pub fn from_json(json: &[u8]) -> Result<Self, PolicyError> {
        if json.len() > MAX_POLICY_LEN {
            return Err(PolicyError::TooLong {
                len: json.len(),
                max: MAX_POLICY_LEN,
            });
        }
        let text = std::str::from_utf8(json).map_err(|_| PolicyError::NotUtf8)?;
        let fields = parse::custom_policy_fields(text)?;
        let mut policy = CustomPolicy::new(fields.resource, fields.date_less_than)?;
        if let Some(start) = fields.date_greater_than {
            policy = policy.with_date_greater_than(start)?;
        }
        if let Some(ip) = fields.ip_address {
            policy = policy.with_ip_address(ip.parse()?);
        }
        Ok(policy)
    }

    /// Parses the CloudFront-base64 value of a `Policy` parameter or `CloudFront-Policy`
    /// cookie, returning the policy and the exact bytes the signature covers.
    pub fn from_base64(text: &str) -> Result<(Self, Vec<u8>), PolicyError> {
        if text.len() > encoding::MAX_ENCODED_LEN {
            return Err(PolicyError::TooLong {
                len: text.len(),
                max: encoding::MAX_ENCODED_LEN,
            });
        }
        let bytes = encoding::decode(text)?;
        let policy = Self::from_json(&bytes)?;
        Ok((policy, bytes))
    }
}

/// Either kind of policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// One URL and an expiry, sent as `Expires`.
    Canned(CannedPolicy),
    /// A pattern, a window and an IP range, sent as `Policy`.
    Custom(CustomPolicy),
}

impl Policy {
    /// The JSON bytes that get signed.
    pub fn to_json_with(&self, style: SignerStyle) -> String {
        match self {
            Policy::Canned(p) => p.to_json_with(style),
            Policy::Custom(p) => p.to_json_with(style),
        }
    }

    /// Expiry, epoch seconds.
    pub fn expires(&self) -> u64 {
        match self {
            Policy::Canned(p) => p.expires,
            Policy::Custom(p) => p.date_less_than,
        }
    }
}

fn check_epoch(value: u64) -> Result<(), PolicyError> {
    if value == 0 || value > MAX_EPOCH {
        return Err(PolicyError::EpochOutOfRange { value });
    }
    Ok(())
}

/// Writes `value` as a JSON string the way `JSON.stringify` does (the SDK's policy text).
pub(crate) fn push_sdk_json_string(out: &mut String, value: &str) {
    push_json_string(out, value, SignerStyle::AwsSdkJs);
}

/// Writes `value` as a JSON string the way `JSON.stringify` (AwsSdkJs) or Python's
/// `json.dumps` with `ensure_ascii` (Botocore) does.
fn push_json_string(out: &mut String, value: &str, style: SignerStyle) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if style == SignerStyle::Botocore && (c as u32) >= 0x7f => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
