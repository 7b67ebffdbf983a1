//! The single IPv4 CIDR of a custom policy's `AWS:SourceIp`.
//!
//! AWS: "IpAddress ... the IP address of the client making the request, in IPv4 CIDR format";
//! IPv6 is not supported in policies, so an IPv6 viewer never matches an IP condition.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use crate::error::CidrError;

/// An IPv4 network such as `192.0.2.0/24`. A bare address means `/32`.
///
/// ```
/// use cloudfront_edge_auth::Ipv4Cidr;
/// let net: Ipv4Cidr = "192.0.2.0/24".parse().unwrap();
/// assert!(net.contains("192.0.2.77".parse().unwrap()));
/// assert!(!net.contains("2001:db8::1".parse().unwrap()));
/// assert_eq!("203.0.113.9".parse::<Ipv4Cidr>().unwrap().to_string(), "203.0.113.9/32");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Cidr {
    address: Ipv4Addr,
    prefix: u8,
}

impl Ipv4Cidr {
    /// The network address as written (host bits are kept, as CloudFront keeps them).
    pub fn address(&self) -> Ipv4Addr {
        self.address
    }

    /// The prefix length, 0 to 32.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is inside this network. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
    /// what a dual-stack Node server reports for an IPv4 client) is the IPv4 address it
    /// carries; any other IPv6 address is never inside.
    ///
    /// ```
    /// use cloudfront_edge_auth::Ipv4Cidr;
    /// let net: Ipv4Cidr = "203.0.113.0/24".parse().unwrap();
    /// assert!(net.contains("::ffff:203.0.113.9".parse().unwrap()));
    /// assert!(!net.contains("2001:db8::1".parse().unwrap()));
    /// ```
    pub fn contains(&self, ip: IpAddr) -> bool {
        let IpAddr::V4(ip) = ip.to_canonical() else {
            return false;
        };
        if self.prefix == 0 {
            return true;
        }
        let mask = u32::MAX << (32 - u32::from(self.prefix));
        u32::from(ip) & mask == u32::from(self.address) & mask
    }
}

impl FromStr for Ipv4Cidr {
    type Err = CidrError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (address_text, prefix_text) = match input.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (input, None),
        };
        let address = parse_dotted_quad(address_text).ok_or_else(|| CidrError::InvalidAddress {
            input: input.chars().take(64).collect(),
        })?;
        let prefix = match prefix_text {
            None => 32,
            Some(p) => parse_decimal(p, 2).filter(|n| *n <= 32).ok_or_else(|| {
                CidrError::InvalidPrefix {
                    input: input.chars().take(64).collect(),
                }
            })? as u8,
        };
        Ok(Ipv4Cidr { address, prefix })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// Strict dotted decimal: no leading zeros (which some parsers read as octal), no signs,
/// no spaces, exactly four parts.
fn parse_dotted_quad(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let n = parse_decimal(parts.next()?, 3)?;
        *octet = u8::try_from(n).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

fn parse_decimal(text: &str, max_digits: usize) -> Option<u32> {
    let well_formed = !text.is_empty()
        && text.len() <= max_digits
        && text.bytes().all(|b| b.is_ascii_digit())
        && !(text.len() > 1 && text.starts_with('0'));
    if well_formed {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_address_is_a_slash_32() {
        let net: Ipv4Cidr = "203.0.113.9".parse().unwrap();
        assert_eq!(net.prefix(), 32);
        assert!(net.contains("203.0.113.9".parse().unwrap()));
        assert!(!net.contains("203.0.113.10".parse().unwrap()));
    }

    #[test]
    fn slash_zero_contains_every_ipv4_address() {
        let net: Ipv4Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(net.contains("255.255.255.255".parse().unwrap()));
        assert!(!net.contains("::1".parse().unwrap()));
    }

    #[test]
    fn host_bits_are_ignored_when_matching() {
        let net: Ipv4Cidr = "192.0.2.77/24".parse().unwrap();
        assert!(net.contains("192.0.2.1".parse().unwrap()));
        assert!(!net.contains("192.0.3.1".parse().unwrap()));
        assert_eq!(net.to_string(), "192.0.2.77/24");
    }

    #[test]
    fn rejects_ipv6_and_malformed_addresses() {
        for bad in [
            "2001:db8::/32",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1..2.3",
            " 1.2.3.4",
            "+1.2.3.4",
            "",
            "a.b.c.d",
        ] {
            assert!(
                matches!(
                    bad.parse::<Ipv4Cidr>(),
                    Err(CidrError::InvalidAddress { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_bad_prefixes() {
        for bad in [
            "1.2.3.4/33",
            "1.2.3.4/",
            "1.2.3.4/-1",
            "1.2.3.4/08",
            "1.2.3.4/1/2",
        ] {
            assert!(
                matches!(
                    bad.parse::<Ipv4Cidr>(),
                    Err(CidrError::InvalidPrefix { .. })
                ),
                "{bad}"
            );
        }
    }
}
