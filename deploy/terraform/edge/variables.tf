# Named like deploy/template.yaml's parameters (snake_case; deploy/wiring.json maps each).

variable "name" {
  description = "Prefix of the function's and the role's names (CloudFormation uses the stack name)."
  type        = string
  default     = "cloudfront-edge-auth"

  # The role's name_prefix takes at most 38 characters (IAM's 64 less Terraform's suffix):
  # "<name>-edge-" fits for 32 (deploy/test_terraform.py checks every name against its limit).
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,31}$", var.name))
    error_message = "name must be 1-32 lowercase letters, digits and dashes."
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

  validation {
    condition     = can(regex("^[A-Za-z0-9]{1,128}$", var.signing_key_id))
    error_message = "signing_key_id must be a CloudFront public key id."
  }
}

# The secret's values are ephemeral: written to Secrets Manager through a write-only argument,
# never stored in the state or a plan (Terraform >= 1.11). Terraform reads an ephemeral value
# only in a few places, validation not among them: the handler refuses a malformed secret.
variable "private_key_pem" {
  description = "Private half of signing_key_id's key (unencrypted PKCS#8 or PKCS#1 PEM). Only in the secret."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "session_secret" {
  description = "The session cookie's key: base64 of at least 32 random bytes (openssl rand -base64 32), independent of the signing key."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "previous_session_secret" {
  description = "After a session-secret rotation, the previous session_secret: it opens sessions but never seals new ones. Empty it after one session lifetime."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = ""
}

variable "client_secret" {
  description = "The sign-in app client's secret for a confidential client (client_secret_basic / client_secret_post); empty for a public client."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = ""
}

variable "secret_version" {
  description = "Bump it whenever session_secret, previous_session_secret or client_secret changes (a new signing_key_id writes the secret by itself): the secret is write-only, so Terraform cannot see a change; a new version writes it and publishes a new function version."
  type        = number
  default     = 1
}

variable "secret_name" {
  description = "Name of the Secrets Manager secret (us-east-1, and its replicas) the module creates; the bundled edge config names it (make deploy-package --secret-name)."
  type        = string
  default     = "cloudfront-edge-auth/keys"
}

variable "edge_regions" {
  description = "The regions besides us-east-1 that host CloudFront regional edge caches: each gets a replica of the secret and the function's log group. Package the bundle with the same list (make deploy-package --edge-regions)."
  type        = list(string)
  default     = ["us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1", "eu-west-2", "sa-east-1"]

  validation {
    condition     = length(distinct(var.edge_regions)) == length(var.edge_regions) && alltrue([for r in var.edge_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r)) && r != "us-east-1"])
    error_message = "edge_regions must list distinct regions other than us-east-1."
  }
}

variable "function_log_retention_days" {
  description = "Days the function's log lines (which name the viewer's sub) are kept, in every region."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365], var.function_log_retention_days)
    error_message = "function_log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365."
  }
}

variable "tiers" {
  description = "The private tiers, in order: { name, path_pattern } (1 to 10, as the handler's config). path_pattern is the tier's prefix followed by *, e.g. /videos/*."
  type = list(object({
    name         = string
    path_pattern = string
  }))
  default = [
    { name = "private", path_pattern = "/private/*" },
    { name = "premium", path_pattern = "/premium/*" },
  ]

  validation {
    condition     = length(var.tiers) >= 1 && length(var.tiers) <= 10 && length(distinct([for t in var.tiers : t.path_pattern])) == length(var.tiers) && alltrue([for t in var.tiers : can(regex("^/([A-Za-z0-9._~-]+/)+\\*$", t.path_pattern)) && can(regex("^[A-Za-z0-9_-]{1,64}$", t.name))])
    error_message = "tiers must hold 1 to 10 tiers, each a name (letters, digits, _ and -) and a distinct path pattern such as /videos/* (letters, digits and . _ ~ - between slashes)."
  }
}

variable "mint_only" {
  description = "true: the function runs on /auth* only; the private behaviors are guarded by the trusted key group alone (deploy/README.md, \"Modes and cost\")."
  type        = bool
  default     = false
}
