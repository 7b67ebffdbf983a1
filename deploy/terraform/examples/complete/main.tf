# A complete root for deploy/terraform: the prerequisites (the identity module: the CloudFront
# public keys and key group, and a Cognito user pool to sign in with) and the site. The edge
# bundle embeds the identity module's outputs (the key ids, the pool's client), so that module
# is applied first. From the repository root (deploy/README.md walks it through, and says why),
# with the key pair and session secret made by openssl into keys/ (never committed):
#
#   export TF_VAR_private_key_pem="$(cat keys/private_key.pem)" TF_VAR_session_secret="$(cat keys/session_secret)"
#   terraform -chdir=deploy/terraform/examples/complete init
#   terraform -chdir=deploy/terraform/examples/complete apply -target=module.identity
#   terraform -chdir=deploy/terraform/examples/complete output -json > deploy/out/identity.json
#   make deploy-package ARGS="--identity-outputs deploy/out/identity.json"
#   terraform -chdir=deploy/terraform/examples/complete apply
#   # without an alias, once: distribution_domain_name = "<output distribution_domain_name>"
#
# No secret reaches the state or a plan file: the private key and the session secrets are
# ephemeral variables, written to Secrets Manager through a write-only argument (Terraform
# >= 1.11). The state still holds what is not secret, and a confidential Cognito client's
# secret (an attribute of the client Terraform reads back): keep it in a backend only the
# deployers can read, as below, never in the working tree (.gitignore refuses *.tfstate*).

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.12.0, < 7.0.0" # the identity module's floor, inside the site module's range
    }
  }

  # An encrypted, access-controlled backend (S3 with SSE-KMS and a narrow bucket policy), e.g.:
  # backend "s3" {
  #   bucket       = "<state bucket>"
  #   key          = "cloudfront-edge-auth/terraform.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}

variable "region" {
  description = "Region of the S3 buckets (everything Lambda@Edge needs goes to us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "public_key_files" {
  description = "The key slots' public keys, as files relative to the repository root (a rotation adds B = \"keys/next/public_key.pem\")."
  type        = map(string)
  default     = { A = "keys/public_key.pem" }
}

variable "active_key" {
  description = "The slot whose private half private_key_pem is."
  type        = string
  default     = "A"
}

variable "private_key_pem" {
  description = "The active slot's private key: TF_VAR_private_key_pem=\"$(cat keys/private_key.pem)\". Never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "session_secret" {
  description = "TF_VAR_session_secret=\"$(cat keys/session_secret)\". Never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "previous_session_secret" {
  description = "During a session-secret rotation, the previous one. Never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = ""
}

variable "secret_version" {
  description = "Bump it with every change of a session secret or the client secret (deploy/README.md)."
  type        = number
  default     = 1
}

variable "alternate_domain_name" {
  description = "Optional alias, e.g. media.example.com."
  type        = string
  default     = ""
}

variable "hosted_zone_id" {
  description = "Optional Route 53 zone of the alias (records and certificate validation)."
  type        = string
  default     = ""
}

variable "web_acl_arn" {
  description = "Optional WAF v2 web ACL (scope CLOUDFRONT)."
  type        = string
  default     = ""
}

variable "create_user_pool" {
  description = "Create the Cognito user pool to sign in with (false: bring your own identity provider)."
  type        = bool
  default     = true
}

variable "domain_prefix" {
  description = "With create_user_pool: the managed login domain's prefix (unique in the region)."
  type        = string
  default     = ""
}

variable "distribution_domain_name" {
  description = "With create_user_pool and no alias: the output distribution_domain_name, once the site exists (its callback URL)."
  type        = string
  default     = ""
}

variable "client_authentication" {
  description = "With create_user_pool: none (public client, PKCE) or client_secret_basic / client_secret_post."
  type        = string
  default     = "none"
}

variable "client_secret" {
  description = "Without create_user_pool: your identity provider's client secret, if its client is confidential. Never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = ""
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

locals {
  repository = "${path.root}/../../../.."
}

# The prerequisites: the public keys and key group, and the user pool (in us-east-1 beside the
# function; any region works, the edge calls its token endpoint from every edge location).
module "identity" {
  source = "../../identity"
  providers = {
    aws = aws.us_east_1
  }

  public_keys = { for slot, file in var.public_key_files : slot => file("${local.repository}/${file}") }
  active_key  = var.active_key

  create_user_pool         = var.create_user_pool
  domain_prefix            = var.domain_prefix
  alternate_domain_name    = var.alternate_domain_name
  distribution_domain_name = var.distribution_domain_name
  client_authentication    = var.client_authentication
}

module "edge_auth" {
  source = "../.."
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  edge_bundle_path = "${local.repository}/edge/dist/edge-auth.zip"
  key_group_id     = module.identity.key_group_id
  signing_key_id   = module.identity.active_key_id

  private_key_pem         = var.private_key_pem
  session_secret          = var.session_secret
  previous_session_secret = var.previous_session_secret
  secret_version          = var.secret_version
  # The identity module's secret never leaves Terraform (no output shows it).
  client_secret = var.create_user_pool ? module.identity.client_secret : var.client_secret

  alternate_domain_name = var.alternate_domain_name
  hosted_zone_id        = var.hosted_zone_id
  web_acl_arn           = var.web_acl_arn
}

output "distribution_domain_name" {
  value = module.edge_auth.distribution_domain_name
}

output "callback_url" {
  value = module.edge_auth.callback_url
}

# What deploy/package.mjs --identity-outputs reads: the keys (ids and public PEMs, for the
# bundle's keyGroup), and the pool (null without create_user_pool).
output "key_group_id" {
  value = module.identity.key_group_id
}

output "active_key_id" {
  value = module.identity.active_key_id
}

output "public_key_id_a" {
  value = module.identity.public_key_id_a
}

output "public_key_a" {
  value = module.identity.public_key_a
}

output "public_key_id_b" {
  value = module.identity.public_key_id_b
}

output "public_key_b" {
  value = module.identity.public_key_b
}

output "user_pool_id" {
  value = module.identity.user_pool_id
}

output "client_id" {
  value = module.identity.client_id
}

output "issuer" {
  value = module.identity.issuer
}

output "cognito_domain" {
  value = module.identity.cognito_domain
}

output "client_authentication" {
  value = module.identity.client_authentication
}

output "private_group_name" {
  value = module.identity.private_group_name
}

output "premium_group_name" {
  value = module.identity.premium_group_name
}

output "content_bucket_name" {
  value = module.edge_auth.content_bucket_name
}

output "secret_arn" {
  value = module.edge_auth.secret_arn
}
