# Named like deploy/identity.yaml's parameters (snake_case; deploy/wiring.json maps each).

variable "name" {
  description = "Prefix of the public keys', the key group's, the user pool's and the app client's names (CloudFormation uses the stack name)."
  type        = string
  default     = "cloudfront-edge-auth"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,40}$", var.name))
    error_message = "name must be 1-41 lowercase letters, digits and dashes."
  }
}

# Signing keys: two slots, each created once and never re-keyed (CloudFront cannot change a
# public key in place). A rotation adds the other slot, makes it active, and drops the old one
# later (deploy/README.md).
variable "public_keys" {
  description = "The key slots: { A = \"<SPKI PEM>\", B = \"<SPKI PEM>\" } (one or both; real newlines or \\n escapes), each a 2048-bit RSA public key the private behaviors trust."
  type        = map(string)

  validation {
    condition     = length(var.public_keys) >= 1 && alltrue([for slot, pem in var.public_keys : contains(["A", "B"], slot) && can(regex("^-----BEGIN PUBLIC KEY-----", pem))])
    error_message = "public_keys must map slot A and/or B to an SPKI PEM (-----BEGIN PUBLIC KEY-----)."
  }
}

variable "active_key" {
  description = "The slot whose private half the site signs with (A or B): its id is the output active_key_id, the site module's signing_key_id."
  type        = string
  default     = "A"

  validation {
    condition     = contains(["A", "B"], var.active_key)
    error_message = "active_key must be A or B."
  }
}

variable "create_user_pool" {
  description = "true: create the Cognito user pool, its domain, app client and groups. false: only the keys (an identity provider of your own)."
  type        = bool
  default     = true
}

variable "domain_prefix" {
  description = "With create_user_pool: prefix of the managed login domain, https://PREFIX.auth.REGION.amazoncognito.com: unique in the region across all AWS accounts."
  type        = string
  default     = ""

  validation {
    # Cognito: lowercase letters, digits and inner hyphens, without the reserved words "aws",
    # "amazon" or "cognito" (Amazon Cognito Developer Guide, "Using the Amazon Cognito prefix
    # domain for managed login"). RE2 has no lookahead, hence the second test.
    condition     = (var.domain_prefix == "" && !var.create_user_pool) || (can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !can(regex("aws|amazon|cognito", var.domain_prefix)))
    error_message = "domain_prefix (needed with create_user_pool) must be lowercase letters, digits and inner hyphens, without \"aws\", \"amazon\" or \"cognito\"."
  }
}

variable "managed_login_version" {
  description = "2: managed login (the current sign-in pages, Cognito's default style; needs the Essentials tier, which this pool uses). 1: the classic hosted UI."
  type        = number
  default     = 2

  validation {
    condition     = contains([1, 2], var.managed_login_version)
    error_message = "managed_login_version must be 1 or 2."
  }
}

variable "alternate_domain_name" {
  description = "The site's alias (the site module's alternate_domain_name), known before anything is deployed: viewers come back to https://ALIAS/auth/callback. Empty without an alias."
  type        = string
  default     = ""

  validation {
    condition     = var.alternate_domain_name == "" || can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$", var.alternate_domain_name))
    error_message = "alternate_domain_name must be a lowercase host name such as media.example.com, or empty."
  }
}

variable "distribution_domain_name" {
  description = "The distribution's own domain (the site module's output distribution_domain_name), known only after the site is applied: set it then."
  type        = string
  default     = ""

  validation {
    condition     = var.distribution_domain_name == "" || can(regex("^[a-z0-9]+\\.cloudfront\\.net$", var.distribution_domain_name))
    error_message = "distribution_domain_name must be a distribution's domain such as d111111abcdef8.cloudfront.net, or empty."
  }
}

variable "client_authentication" {
  description = "none: a public client, the code exchange protected by PKCE alone (the edge always sends S256). client_secret_basic or client_secret_post: a confidential client; its secret is the output client_secret, for the site module's client_secret. Changing it replaces the client (a new client id: package and apply the site again)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "client_secret_basic", "client_secret_post"], var.client_authentication)
    error_message = "client_authentication must be none, client_secret_basic or client_secret_post."
  }
}

variable "private_group_name" {
  description = "Members may read the private tier (make deploy-package --private-group)."
  type        = string
  default     = "private"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.:+=@-]{1,128}$", var.private_group_name))
    error_message = "private_group_name must be 1-128 letters, digits and _.:+=@-."
  }
}

variable "premium_group_name" {
  description = "Members may read the premium tier, and the private one (--premium-group)."
  type        = string
  default     = "premium"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.:+=@-]{1,128}$", var.premium_group_name))
    error_message = "premium_group_name must be 1-128 letters, digits and _.:+=@-."
  }
}
