# cloudfront-edge-auth's prerequisites as a Terraform module: the same resources as
# deploy/identity.yaml (deploy/wiring.json's "identity" table is what both are tested against):
# the CloudFront public keys and key group, and the identity provider unless create_user_pool
# is false. Applied before the site module: the edge bundle embeds its outputs (deploy/README.md).
#
# One AWS provider, in the region of the user pool (the examples use us-east-1; the CloudFront
# resources are global).
terraform {
  # 1.9: a variable's validation may name another variable (domain_prefix and create_user_pool).
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_cognito_managed_login_branding is the newest resource used here; 6.12.0 is the
      # first release we found it in (not checked against the provider's changelog).
      version = ">= 6.12.0, < 7.0.0"
    }
  }
}
