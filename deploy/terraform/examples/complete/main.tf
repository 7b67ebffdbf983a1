# A complete root for deploy/terraform: a Cognito user pool to sign in with (the identity
# module), the signing key pair and the session secret, and the site. The edge bundle embeds
# the identity module's outputs, so the identity module is applied first. From the repository
# root (deploy/README.md walks it through, and says why):
#
#   terraform -chdir=deploy/terraform/examples/complete init
#   terraform -chdir=deploy/terraform/examples/complete apply -target=module.identity \
#     -var domain_prefix=<unique prefix> [-var alternate_domain_name=media.example.com]
#   terraform -chdir=deploy/terraform/examples/complete output -json > deploy/out/identity.json
#   make deploy-package ARGS="--identity-outputs deploy/out/identity.json"
#   terraform -chdir=deploy/terraform/examples/complete apply -var domain_prefix=...
#   # without an alias, once: -var distribution_domain_name=<output distribution_domain_name>
#
# With an identity provider of your own: create_user_pool = false, client_secret if its client
# is confidential, and make deploy-package --issuer ... --client-id ... --jwks-url ... instead.
#
# WARNING: tls_private_key and random_bytes keep the private key and the session secret in
# the Terraform state, in plain text. Keep the state in an encrypted, access-controlled
# backend (e.g. S3 with SSE-KMS and a narrow bucket policy), or generate the key outside
# Terraform and pass its PEM as private_key_pem / public_key_pem_a instead.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.12.0, < 7.0.0" # the identity module's floor, inside the site module's range
    }
    tls = {
      source  = "hashicorp/tls"
      version = ">= 4.0.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5.0"
    }
  }
}

variable "region" {
  description = "Region of the S3 buckets (everything Lambda@Edge needs goes to us-east-1)."
  type        = string
  default     = "us-east-1"
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
  description = "Without create_user_pool: your identity provider's client secret, if its client is confidential."
  type        = string
  sensitive   = true
  default     = ""
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

# The user pool, in us-east-1 beside the function (any region works; the edge calls its
# token endpoint from every edge location).
module "identity" {
  source = "../../identity"
  count  = var.create_user_pool ? 1 : 0
  providers = {
    aws = aws.us_east_1
  }

  domain_prefix            = var.domain_prefix
  alternate_domain_name    = var.alternate_domain_name
  distribution_domain_name = var.distribution_domain_name
  client_authentication    = var.client_authentication
}

# The CloudFront signing key (2048-bit RSA, as CloudFront requires): slot A.
resource "tls_private_key" "signing_a" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

# The session cookie's HMAC key (32 random bytes, base64).
resource "random_bytes" "session_secret" {
  length = 32
}

module "edge_auth" {
  source = "../.."
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  edge_bundle_path = "${path.root}/../../../../edge/dist/edge-auth.zip"
  public_key_pem_a = tls_private_key.signing_a.public_key_pem
  active_key       = "A"
  private_key_pem  = tls_private_key.signing_a.private_key_pem_pkcs8
  session_secret   = random_bytes.session_secret.base64
  # The identity module's secret never leaves Terraform (no output shows it).
  client_secret = try(module.identity[0].client_secret, var.client_secret)

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

# What deploy/package.mjs --identity-outputs reads (null without create_user_pool).
output "user_pool_id" {
  value = one(module.identity[*].user_pool_id)
}

output "client_id" {
  value = one(module.identity[*].client_id)
}

output "issuer" {
  value = one(module.identity[*].issuer)
}

output "cognito_domain" {
  value = one(module.identity[*].cognito_domain)
}

output "client_authentication" {
  value = one(module.identity[*].client_authentication)
}

output "private_group_name" {
  value = one(module.identity[*].private_group_name)
}

output "premium_group_name" {
  value = one(module.identity[*].premium_group_name)
}

output "content_bucket_name" {
  value = module.edge_auth.content_bucket_name
}

output "public_key_id" {
  value = module.edge_auth.public_key_id
}

output "secret_arn" {
  value = module.edge_auth.secret_arn
}
