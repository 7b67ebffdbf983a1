# The edge half of cloudfront-edge-auth as a Terraform module, for a distribution of your own
# ("module mode", CloudFormation's CreateDistribution=false): the Lambda@Edge function and its
# role, the secret it reads with a replica in every edge region, and the function's log groups.
# It outputs what to attach (the function version, the key group, the behaviors). The site
# module (deploy/terraform) calls it and adds the buckets and the distribution.
#
# One AWS provider, in us-east-1 (where Lambda@Edge functions live); the edge regions' replica
# keys and log groups set their region per resource.
terraform {
  # 1.11: write-only arguments (secret_string_wo), so no key reaches the state or the plan.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.0 added the per-resource `region` argument (the edge regions' keys and log groups).
      version = ">= 6.0.0, < 7.0.0"
    }
  }
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
