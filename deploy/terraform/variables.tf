# Named like deploy/template.yaml's parameters (snake_case; deploy/wiring.json maps each).
# Those of the edge half are passed to deploy/terraform/edge as they are; see its variables.tf.

variable "name" {
  description = "Prefix of every resource name (CloudFormation uses the stack name)."
  type        = string
  default     = "cloudfront-edge-auth"

  # The buckets' bucket_prefix takes at most 37 characters: "<name>-content-" fits for 28
  # (deploy/test_terraform.py checks every name against its limit).
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,27}$", var.name))
    error_message = "name must be 1-28 lowercase letters, digits and dashes."
  }
}

variable "edge_bundle_path" {
  description = "Path of the Lambda@Edge zip that `make deploy-package` built (edge/dist/edge-auth.zip). Its hash publishes a new version on every change."
  type        = string
}

variable "key_group_id" {
  description = "The identity module's output key_group_id: the key group the private behaviors trust."
  type        = string
}

variable "signing_key_id" {
  description = "The identity module's output active_key_id: the CloudFront public key whose private half is private_key_pem."
  type        = string
}

# Ephemeral: written to the secret through a write-only argument, never to the state or a plan.
variable "private_key_pem" {
  description = "Private half of signing_key_id's key (unencrypted PKCS#8 or PKCS#1 PEM). Only in the secret."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "session_secret" {
  description = "The session cookie's key: base64 of at least 32 random bytes (openssl rand -base64 32)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "previous_session_secret" {
  description = "After a session-secret rotation, the previous session_secret. Empty it after one session lifetime."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = ""
}

variable "client_secret" {
  description = "The sign-in app client's secret for a confidential client; empty for a public client."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = ""
}

variable "secret_version" {
  description = "Bump it whenever session_secret, previous_session_secret or client_secret changes (the secret is write-only: Terraform cannot see a change; a new signing_key_id writes it by itself)."
  type        = number
  default     = 1
}

variable "secret_name" {
  description = "Name of the Secrets Manager secret (us-east-1, and its replicas); the bundled edge config names it (make deploy-package --secret-name)."
  type        = string
  default     = "cloudfront-edge-auth/keys"
}

variable "edge_regions" {
  description = "The regions besides us-east-1 that host regional edge caches: a replica of the secret and a log group each. Package the bundle with the same list."
  type        = list(string)
  default     = ["us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1", "eu-west-2", "sa-east-1"]
}

variable "function_log_retention_days" {
  description = "Days the function's log lines (which name the viewer's sub) are kept, in every region."
  type        = number
  default     = 30
}

variable "tiers" {
  description = "The private tiers, in order: { name, path_pattern } (1 to 10), one cache behavior each; package the bundle with the same prefixes."
  type = list(object({
    name         = string
    path_pattern = string
  }))
  default = [
    { name = "private", path_pattern = "/private/*" },
    { name = "premium", path_pattern = "/premium/*" },
  ]
}

variable "mint_only" {
  description = "true: the function runs on /auth* only; the private behaviors are guarded by the trusted key group alone."
  type        = bool
  default     = false
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
