//! `sign-url`'s policies and signer: AWS CLI v2's choice of policy for each URL, then the
//! core's [`Signer`] (botocore's bytes), shared by `--url` and every `--batch` line.
//!
//! v2 (awscli/customizations/cloudfront/sign.py at 0162b2aa, lines 176-181 and 263-267)
//! signs a custom policy when `--date-greater-than` or `--ip-address` is given, when the
//! policy's resource contains `*`, or when `--policy-resource` differs from `--url`; a canned
//! policy otherwise. v1 looks at the two flags only, so it gives `https://d/videos/*` a canned
//! policy that CloudFront compares literally and never matches.

use cloudfront_edge_auth::{CustomPolicy, Policy, SignedPolicy, Signer, MAX_URL_LEN};

use crate::conditions::Conditions;
use crate::failure::Failure;
use crate::resource::{PolicyResource, UrlToSign};

/// The policies of one invocation, decided from its flags before any key is read.
pub struct UrlPolicies {
    conditions: Conditions,
    shared: Option<(PolicyResource, CustomPolicy)>,
}

impl UrlPolicies {
    /// Policies under `conditions`, every URL under `resource`'s policy when one is given.
    pub fn new(conditions: Conditions, resource: Option<PolicyResource>) -> Result<Self, Failure> {
        let shared = resource
            .map(|resource| {
                let policy = conditions.custom(resource.as_str())?;
                Ok::<_, Failure>((resource, policy))
            })
            .transpose()?;
        Ok(UrlPolicies { conditions, shared })
    }

    /// Refuses a URL outside `--policy-resource`: v2 checks that it matches the pattern
    /// (lines 240-253: `*` any run of characters, `?` exactly one), as CloudFront will.
    pub fn check(&self, url: &UrlToSign) -> Result<(), Failure> {
        match &self.shared {
            Some((resource, policy)) if !policy.covers(url.as_str()) => {
                Err(Failure::input(format!(
                    "{:?} does not match --policy-resource {:?}, so CloudFront would refuse \
                     the signature",
                    url.as_str(),
                    resource.as_str()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The signer: the shared policy, if any, is signed here, once. Its bytes are the same for
    /// every URL it is appended to, and so is its signature.
    pub fn with_signer(self, signer: Signer) -> Result<UrlSigner, Failure> {
        let shared_signature = self
            .shared
            .as_ref()
            .map(|(_, policy)| signer.sign_policy(&Policy::Custom(policy.clone())))
            .transpose()
            .map_err(signing_failed)?;
        Ok(UrlSigner {
            policies: self,
            signer,
            shared_signature,
        })
    }
}

/// Signs URLs under one invocation's policies.
pub struct UrlSigner {
    policies: UrlPolicies,
    signer: Signer,
    shared_signature: Option<SignedPolicy>,
}

impl UrlSigner {
    /// See [`UrlPolicies::check`].
    pub fn check(&self, url: &UrlToSign) -> Result<(), Failure> {
        self.policies.check(url)
    }

    /// The signed URL for `url`: the URL as given, then the parameters in botocore's order.
    pub fn sign(&self, url: &UrlToSign) -> Result<String, Failure> {
        let signed = self.sign_unlimited(url)?;
        // The input is under the limit, but the parameters add up to a few KB (a custom
        // policy, a 4096-bit signature): a longer URL is one CloudFront (and verify) refuses.
        if signed.len() > MAX_URL_LEN {
            return Err(Failure::input(format!(
                "the signed URL would be {} bytes, over CloudFront's {MAX_URL_LEN}-byte URL \
                 limit (CloudFront refuses it): shorten the URL, or use sign-cookies",
                signed.len()
            )));
        }
        Ok(signed)
    }

    fn sign_unlimited(&self, url: &UrlToSign) -> Result<String, Failure> {
        self.check(url)?;
        let text = url.as_str();
        match (&self.policies.shared, &self.shared_signature) {
            // A resource equal to the URL is no resource of its own (v2 compares the two).
            (Some((resource, _)), Some(signed)) if resource.as_str() != text => {
                Ok(signed.to_url(text))
            }
            _ => {
                let conditions = &self.policies.conditions;
                let policy = if conditions.has_start_or_ip() || text.contains('*') {
                    Policy::Custom(conditions.custom(text)?)
                } else {
                    conditions.canned(text)?
                };
                let signed = self.signer.sign_policy(&policy).map_err(signing_failed)?;
                Ok(signed.to_url(text))
            }
        }
    }
}

fn signing_failed(error: impl std::fmt::Display) -> Failure {
    Failure::internal(format!("signing failed: {error}"))
}
