# cloudfront-edge-auth as a Terraform module: the same resources and wiring as
# deploy/template.yaml (deploy/wiring.json is the table both are tested against).
#
# Two AWS providers: `aws` (any region) holds the S3 buckets; `aws.us_east_1` holds what
# must live in us-east-1 (the Lambda@Edge function and its secret, the ACM certificate of an
# alias) and the global CloudFront resources.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.60.0, < 7.0.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}
