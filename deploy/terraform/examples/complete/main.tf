# A complete root for deploy/terraform: generates the signing key pair and the session secret,
# and deploys the module. From the repository root (deploy/README.md walks it through):
#
#   make deploy-package ARGS="--user-pool-id ... --client-id ... --sign-in-url ..."
#   terraform -chdir=deploy/terraform/examples/complete init
#   terraform -chdir=deploy/terraform/examples/complete apply
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
      version = ">= 5.60.0, < 7.0.0"
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

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
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

  alternate_domain_name = var.alternate_domain_name
  hosted_zone_id        = var.hosted_zone_id
  web_acl_arn           = var.web_acl_arn
}

output "distribution_domain_name" {
  value = module.edge_auth.distribution_domain_name
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
