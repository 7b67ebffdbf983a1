//! The errors `@aws-sdk/cloudfront-signer` throws, with its exact message text (callers match
//! on it), each with one of this crate's codes beside it. Only the JS API's SDK-compatible
//! mode (the default of `getSignedUrl` / `getSignedCookies` / `Signer`) returns them.

use thiserror::Error as ThisError;

/// What the SDK's CIDR check found wrong (its `parseCIDR`, `validateIP`, `validateMask`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CidrFault {
    /// An empty part around a `/`.
    MissingPart,
    /// Not four dot-separated octets.
    NotFourOctets,
    /// An octet that `Number()` does not read as an integer from 0 to 255.
    Octets,
    /// A mask that `Number()` does not read as an integer from 0 to 32.
    Mask,
}

impl CidrFault {
    /// The SDK's inner message, which it wraps as `IP address "..." is invalid due to <it>.`
    /// (its "four octets" text already ends with a period, so that message ends with two).
    fn text(self) -> &'static str {
        match self {
            CidrFault::MissingPart => "missing ip or mask part of CIDR",
            CidrFault::NotFourOctets => "IP does not contain four octets.",
            CidrFault::Octets => "invalid IP octets",
            CidrFault::Mask => "invalid mask",
        }
    }
}

/// Which option made the SDK's policy empty (it throws "Invalid policy" for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// No `url` (and no `policy`), in `getSignedCookies`.
    Url,
    /// No (or a falsy) `dateLessThan`, and no `policy`.
    DateLessThan,
}

/// An SDK refusal, worded as the SDK words it.
// Some variants are made only by the wasm32 bindings.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub(crate) enum SdkError {
    /// `getSignedUrl` with neither `url` nor `policy`.
    #[error("@aws-sdk/cloudfront-signer: Please provide 'url' or 'policy'.")]
    NoUrlOrPolicy,
    /// `getSignedUrl` with a `policy` whose first statement names no `Resource`.
    #[error(
        "@aws-sdk/cloudfront-signer: No URL provided and unable to determine URL from first \
         policy statement resource."
    )]
    NoResource,
    /// A URL whose scheme is not `http:`, `https:`, `ws:`, `wss:` (or `rtmp:`).
    #[error("Invalid URI scheme. Scheme must be one of http, https, or rtmp")]
    InvalidScheme,
    /// No URL or no expiry to build a policy from.
    #[error("Invalid policy")]
    InvalidPolicy(Missing),
    /// A `dateLessThan` that `new Date()` cannot read, or one that rounds to epoch 0.
    #[error(
        "dateLessThan is invalid. Ensure the date value is compatible with the Date constructor."
    )]
    InvalidDateLessThan,
    /// An `ipAddress` the SDK's CIDR check refuses.
    #[error("IP address \"{input}\" is invalid due to {}.", .fault.text())]
    InvalidIpAddress {
        /// The option as given.
        input: String,
        /// What is wrong with it.
        fault: CidrFault,
    },
    /// Not the SDK's: it signs `rtmp://` URLs (for RTMP distributions, retired by AWS on
    /// 31 December 2020); this package refuses them.
    #[error("rtmp:// URLs are not supported: CloudFront RTMP distributions were retired in 2020")]
    Rtmp,
    /// Not the SDK's: it writes a canned `Expires` before 1970 (already expired when
    /// signed); this package refuses it.
    #[error("dateLessThan {seconds} is before 1970: a canned policy's Expires cannot be negative")]
    ExpiresBefore1970 {
        /// The epoch seconds the date rounds to.
        seconds: i64,
    },
}

impl SdkError {
    /// The code beside the SDK's message: the code this package gives the same mistake.
    // Read only by the wasm32 bindings (and the tests).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn code(&self) -> &'static str {
        match self {
            SdkError::NoUrlOrPolicy
            | SdkError::NoResource
            | SdkError::InvalidScheme
            | SdkError::InvalidPolicy(Missing::Url)
            | SdkError::Rtmp => "ERR_SIGN_URL",
            SdkError::InvalidPolicy(Missing::DateLessThan)
            | SdkError::InvalidDateLessThan
            | SdkError::ExpiresBefore1970 { .. } => "ERR_SIGN_DATE",
            SdkError::InvalidIpAddress { .. } => "ERR_POLICY_IP",
        }
    }
}
