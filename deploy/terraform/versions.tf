# cloudfront-edge-auth as a Terraform module: the same resources and wiring as
# deploy/template.yaml (deploy/wiring.json is the table both are tested against).
#
# Two AWS providers: `aws` (any region) holds the S3 buckets; `aws.us_east_1` holds what
# must live in us-east-1 (the edge module: the Lambda@Edge function and its secret; the ACM
# certificate of an alias) and the global CloudFront resources. The key group and its public
# keys come from deploy/terraform/identity, applied first (the bundle embeds their ids).
terraform {
  # 1.11: the edge module writes the secret through a write-only argument.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.0: the edge module's per-resource `region` (replica keys, log groups in edge regions).
      version               = ">= 6.0.0, < 7.0.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}
