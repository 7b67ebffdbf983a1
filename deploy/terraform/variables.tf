# Named like deploy/template.yaml's parameters (snake_case; deploy/wiring.json maps each).

variable "name" {
  description = "Prefix of every resource name (CloudFormation uses the stack name)."
  type        = string
  default     = "cloudfront-edge-auth"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,40}$", var.name))
    error_message = "name must be 1-41 lowercase letters, digits and dashes."
  }
}

variable "edge_bundle_path" {
  description = "Path of the Lambda@Edge zip that `make deploy-package` built (edge/dist/edge-auth.zip). Its hash publishes a new version on every change."
  type        = string
}

# Signing keys: two slots, each created once and never re-keyed (CloudFront cannot change a
# public key in place). A rotation fills the empty slot, makes it active, and empties the
# other one later (deploy/README.md).
variable "public_key_pem_a" {
  description = "Key slot A: SPKI PEM of a 2048-bit RSA public key the distribution trusts (real newlines or \\n escapes), or empty."
  type        = string
  default     = ""

  validation {
    condition     = var.public_key_pem_a == "" || can(regex("^-----BEGIN PUBLIC KEY-----", var.public_key_pem_a))
    error_message = "public_key_pem_a must be an SPKI PEM (-----BEGIN PUBLIC KEY-----) or empty."
  }
}

variable "public_key_pem_b" {
  description = "Key slot B (empty until the first rotation); see public_key_pem_a."
  type        = string
  default     = ""

  validation {
    condition     = var.public_key_pem_b == "" || can(regex("^-----BEGIN PUBLIC KEY-----", var.public_key_pem_b))
    error_message = "public_key_pem_b must be an SPKI PEM (-----BEGIN PUBLIC KEY-----) or empty."
  }
}

variable "active_key" {
  description = "The slot whose key the edge function signs with (A or B); private_key_pem is its private half."
  type        = string
  default     = "A"

  validation {
    condition     = contains(["A", "B"], var.active_key)
    error_message = "active_key must be A or B."
  }
}

variable "private_key_pem" {
  description = "Private half of the active slot's key (unencrypted PKCS#8 or PKCS#1 PEM). Goes only into the Secrets Manager secret, and into the Terraform state."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^-----BEGIN (RSA )?PRIVATE KEY-----", var.private_key_pem))
    error_message = "private_key_pem must be an unencrypted PKCS#8 or PKCS#1 PEM."
  }
}

variable "session_secret" {
  description = "The session cookie's HMAC key: base64 of at least 32 random bytes, independent of the signing key."
  type        = string
  sensitive   = true

  validation {
    # Padded standard base64 of at least 32 bytes: 44 characters, 31 bytes being 42 + "==".
    condition     = can(regex("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", var.session_secret)) && length(var.session_secret) >= 44 && !(length(var.session_secret) == 44 && endswith(var.session_secret, "=="))
    error_message = "session_secret must be base64 of at least 32 random bytes."
  }
}

variable "previous_session_secret" {
  description = "After a session-secret rotation, the previous session_secret: it opens sessions but never seals new ones. Empty it after one session lifetime."
  type        = string
  sensitive   = true
  default     = ""

  validation {
    condition     = var.previous_session_secret == "" || (can(regex("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", var.previous_session_secret)) && length(var.previous_session_secret) >= 44 && !(length(var.previous_session_secret) == 44 && endswith(var.previous_session_secret, "==")))
    error_message = "previous_session_secret must be empty or base64 of at least 32 random bytes."
  }
}

variable "client_secret" {
  description = "The sign-in app client's secret, when the bundle was packaged with --client-auth client_secret_basic or client_secret_post; empty for a public client (PKCE only). Only in the secret (clientSecret), and in the Terraform state."
  type        = string
  sensitive   = true
  default     = ""

  validation {
    # Printable ASCII without space, `"` or `\`, as deploy/template.yaml's ClientSecret.
    condition     = can(regex("^[!#-\\[\\]-~]{0,1024}$", var.client_secret))
    error_message = "client_secret must be printable ASCII without spaces, double quotes or backslashes."
  }
}

variable "secret_name" {
  description = "Name of the Secrets Manager secret (us-east-1) the module creates; the bundled edge config names it (make deploy-package --secret-name)."
  type        = string
  default     = "cloudfront-edge-auth/keys"
}

variable "private_path_pattern" {
  description = "Path pattern of the tier any signed-in user may read."
  type        = string
  default     = "/private/*"
}

variable "premium_path_pattern" {
  description = "Path pattern of the tier only the premium group may read."
  type        = string
  default     = "/premium/*"
}

variable "alternate_domain_name" {
  description = "Optional alternate domain (CNAME) such as media.example.com."
  type        = string
  default     = ""
}

variable "acm_certificate_arn" {
  description = "ACM certificate in us-east-1 for alternate_domain_name. Leave empty with hosted_zone_id to have the module request one (DNS-validated in that zone)."
  type        = string
  default     = ""

  validation {
    condition     = var.acm_certificate_arn == "" || can(regex("^arn:aws[a-zA-Z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1, or empty."
  }
}

variable "hosted_zone_id" {
  description = "Optional Route 53 public hosted zone of alternate_domain_name: A and AAAA alias records, and the validation of a requested certificate."
  type        = string
  default     = ""
}

variable "web_acl_arn" {
  description = "Optional AWS WAF v2 web ACL (scope CLOUDFRONT, us-east-1) for the distribution."
  type        = string
  default     = ""

  validation {
    condition     = var.web_acl_arn == "" || can(regex("^arn:aws[a-zA-Z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/.+$", var.web_acl_arn))
    error_message = "web_acl_arn must be a global (CLOUDFRONT) WAF v2 web ACL ARN, or empty."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "log_retention_days" {
  description = "Days the access logs (S3 and CloudFront) are kept in the log bucket."
  type        = number
  default     = 90

  validation {
    condition     = var.log_retention_days >= 1
    error_message = "log_retention_days must be at least 1."
  }
}
