# cloudfront-edge-auth's identity provider as a Terraform module: the same resources as
# deploy/identity.yaml (deploy/wiring.json's "identity" table is what both are tested against).
# Applied before the site module: the edge bundle embeds its outputs (deploy/README.md).
#
# One AWS provider, in the region of the user pool (the examples use us-east-1).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_cognito_managed_login_branding is the newest resource used here; 6.12.0 is the
      # first release we found it in (not checked against the provider's changelog).
      version = ">= 6.12.0, < 7.0.0"
    }
  }
}
